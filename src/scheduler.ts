/**
 * The seam between the heartbeat and `Deno.cron`, so tests tick by hand.
 *
 * @module
 */

/** Calls a handler on a cron schedule. */
export interface Scheduler {
  /**
   * Calls `onTick` at every time the cron expression names until `signal`
   * aborts.
   *
   * @param name A name for the job, unique in the process.
   * @param cron A 5-field cron expression, in UTC.
   * @param onTick Called at each tick.
   * @param signal Stops the schedule.
   */
  schedule(name: string, cron: string, onTick: () => void, signal: AbortSignal): void;
}

/**
 * Schedules with `Deno.cron` (needs the `cron` unstable feature, enabled in
 * deno.json). Deno's own retries are turned off: a failed run is retried in
 * the next slot, and transient failures are retried inside the phases.
 */
export const denoCronScheduler: Scheduler = {
  schedule(name, cron, onTick, signal) {
    void Deno.cron(name, cron, { backoffSchedule: [], signal }, onTick);
  },
};
