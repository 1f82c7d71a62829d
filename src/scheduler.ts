/**
 * The seam between the heartbeat and `Deno.cron`, so tests tick by hand.
 *
 * @module
 */

import { uniqueName } from "./unique_name.ts";

/** Calls a handler on a cron schedule. */
export interface Scheduler {
  /**
   * Calls `onTick` at every time the cron expression names until `signal`
   * aborts.
   *
   * @param name A name for the job, unique in the process; any text.
   * @param cron A 5-field cron expression, in UTC.
   * @param onTick Called at each tick.
   * @param signal Stops the schedule.
   */
  schedule(name: string, cron: string, onTick: () => void, signal: AbortSignal): void;
}

/** The longest name `Deno.cron` takes. */
const MAX_CRON_NAME_LENGTH = 64;

/** The names this process gave `Deno.cron`, which refuses a second job of a name. */
const cronNames = new Set<string>();

/**
 * A name `Deno.cron` takes for `name`: only letters, digits, spaces, hyphens and underscores, at most 64 characters
 * (a repository's folder may be called `my.skills`), and none taken already (`my-skills` may be served beside it).
 *
 * @param name Any text.
 * @param taken The names given already.
 * @returns The job's name.
 *
 * @example
 * ```ts
 * import { cronJobName } from "./scheduler.ts";
 * console.assert(cronJobName("heartbeat-my.skills", new Set()) === "heartbeat-my-skills");
 * console.assert(cronJobName("heartbeat-my.skills", new Set(["heartbeat-my-skills"])) === "heartbeat-my-skills-2");
 * ```
 */
export function cronJobName(name: string, taken: { has(name: string): boolean }): string {
  // Room for uniqueName's "-999".
  const base = name.replace(/[^A-Za-z0-9 _-]/g, "-").slice(0, MAX_CRON_NAME_LENGTH - 4);
  return uniqueName(base, taken);
}

/**
 * Schedules with `Deno.cron` (needs the `cron` unstable feature, enabled in
 * deno.json). Deno's own retries are turned off: a failed run is retried in
 * the next slot, and transient failures are retried inside the phases.
 */
export const denoCronScheduler: Scheduler = {
  schedule(name, cron, onTick, signal) {
    const job = cronJobName(name, cronNames);
    cronNames.add(job);
    void Deno.cron(job, cron, { backoffSchedule: [], signal }, onTick);
  },
};
