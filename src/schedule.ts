/**
 * Turns the heartbeat interval into a cron schedule that `Deno.cron` accepts,
 * and decides at each cron tick whether a run is due.
 *
 * Cron can only express spacings that divide an hour or a day. So the
 * heartbeat's runs are tied to *slots*: slot `n` starts at `n × interval`
 * minutes after the Unix epoch (UTC). The cron fires on a tick that divides the
 * interval, and a run is due at a tick when no run has started in the current
 * slot yet. For intervals that divide a day (1, 2, 3, 4, 6, 8, 12, 24 h; 30 min)
 * the tick is the interval itself; for others (5 h, 7 h, 90 min) it is finer
 * (hourly for 5 h, every 30 min for 90 min), and runs still fall exactly one
 * interval apart, across midnight and month ends.
 *
 * @module
 */

/** The default hours between heartbeats. */
export const DEFAULT_INTERVAL_HOURS = 6;

const MINUTES_PER_HOUR = 60;
const MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR;
const MS_PER_MINUTE = 60_000;

/** The interval given to the heartbeat cannot be scheduled. */
export class IntervalError extends Error {
  override name = "IntervalError";
}

/** When the heartbeat runs. */
export interface HeartbeatSchedule {
  /** The interval between runs, in whole minutes. */
  readonly intervalMinutes: number;
  /** How often the cron fires, in minutes; divides `intervalMinutes`. */
  readonly tickMinutes: number;
  /** The 5-field cron expression (UTC) for `Deno.cron`. */
  readonly cron: string;
}

/**
 * Derives the cron schedule for a heartbeat interval.
 *
 * @param intervalHours Hours between runs; fractions allowed as long as they
 *   make whole minutes (0.5 = 30 min).
 * @returns The schedule.
 * @throws {IntervalError} When the interval is not a positive whole number of
 *   minutes.
 *
 * @example
 * ```ts
 * import { heartbeatSchedule } from "./schedule.ts";
 * console.assert(heartbeatSchedule(6).cron === "0 *\/6 * * *");
 * console.assert(heartbeatSchedule(5).cron === "0 * * * *");
 * ```
 */
export function heartbeatSchedule(intervalHours: number): HeartbeatSchedule {
  const minutes = intervalHours * MINUTES_PER_HOUR;
  const intervalMinutes = Math.round(minutes);
  if (!Number.isFinite(minutes) || intervalMinutes < 1 || Math.abs(minutes - intervalMinutes) > 1e-9) {
    throw new IntervalError(
      `Cannot schedule an interval of ${intervalHours} hours: expected a positive whole number of minutes`,
    );
  }
  const tickMinutes = intervalMinutes % MINUTES_PER_HOUR === 0
    ? MINUTES_PER_HOUR * gcd(intervalMinutes / MINUTES_PER_HOUR, 24)
    : gcd(intervalMinutes, MINUTES_PER_HOUR);
  return { intervalMinutes, tickMinutes, cron: cronEvery(tickMinutes) };
}

/**
 * The slot a moment falls in: runs are due once per slot.
 *
 * @param schedule The heartbeat schedule.
 * @param at The moment.
 * @returns The slot number (slot `n` starts `n × interval` after the epoch).
 */
export function slotOf(schedule: HeartbeatSchedule, at: Date): number {
  return Math.floor(at.getTime() / (schedule.intervalMinutes * MS_PER_MINUTE));
}

/**
 * When a slot starts.
 *
 * @param schedule The heartbeat schedule.
 * @param slot The slot number.
 * @returns The slot's first instant.
 */
export function slotStart(schedule: HeartbeatSchedule, slot: number): Date {
  return new Date(slot * schedule.intervalMinutes * MS_PER_MINUTE);
}

function cronEvery(tickMinutes: number): string {
  if (tickMinutes < MINUTES_PER_HOUR) {
    return tickMinutes === 1 ? "* * * * *" : `*/${tickMinutes} * * * *`;
  }
  const hours = tickMinutes / MINUTES_PER_HOUR;
  if (tickMinutes === MINUTES_PER_DAY) return "0 0 * * *";
  return hours === 1 ? "0 * * * *" : `0 */${hours} * * *`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
