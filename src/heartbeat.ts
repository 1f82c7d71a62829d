/**
 * The heartbeat loop: runs the pipeline once per slot of the schedule, never
 * two runs at once, until told to stop.
 *
 * @module
 */

import type { Logger } from "@logtape/logtape";
import type { Clock } from "./clock.ts";
import { type HeartbeatSchedule, slotOf, slotStart } from "./schedule.ts";
import type { Scheduler } from "./scheduler.ts";
import type { StateStore } from "./store/state_store.ts";
import { PROGRAM_NAME } from "./program_name.ts";

/** How one run ended, as far as the loop cares. */
export type RunStatus = "ok" | "failed" | "interrupted";

/** What starts a run. */
export type RunTrigger = "start" | "tick";

/** What the heartbeat loop needs. */
export interface HeartbeatLoopOptions {
  /** When runs are due. */
  schedule: HeartbeatSchedule;
  /** Calls the loop back on the schedule's cron. */
  scheduler: Scheduler;
  /** Tells the time at each tick. */
  clock: Clock;
  /**
   * Runs the pipeline once. It should stop at a safe point when `signal`
   * aborts and then report `"interrupted"`.
   */
  run: (signal: AbortSignal, trigger: RunTrigger) => Promise<RunStatus>;
  /** When the last successful run started, if ever (from the state store). */
  lastSuccessAt?: Date | undefined;
  /**
   * Whether work waits from an earlier process (events in the outbox): then a
   * run starts at once even when the current slot already had a successful one.
   */
  workWaiting?: boolean;
  /** Stops the loop: no new run starts, the current one is told to stop. */
  signal: AbortSignal;
  /** Where the loop reports what it does. */
  logger: Logger;
  /** The cron job's name: one per loop in a process (the program's name by default). */
  name?: string;
}

/**
 * Runs the heartbeat until `signal` aborts.
 *
 * A run starts at once when the current slot has had no successful run or
 * work waits, then at each cron tick whose slot has had none. A tick that comes while a run is
 * still going is skipped and logged, never overlapped. A failed run is
 * retried at the next tick.
 *
 * @param options The schedule, adapters and run function.
 * @returns When the loop has stopped and the last run has finished.
 */
export async function runHeartbeatLoop(options: HeartbeatLoopOptions): Promise<void> {
  const { schedule, clock, logger, signal } = options;
  let lastSuccessSlot = doneSlot(schedule, options);
  let current: Promise<void> | undefined;

  const trigger = (kind: RunTrigger) => {
    if (signal.aborted) return;
    const now = clock.now();
    const slot = slotOf(schedule, now);
    if (current) {
      logger.warn("Skipped the tick at {at}: the previous run is still going", { at: now.toISOString() });
      return;
    }
    if (slot <= lastSuccessSlot) {
      logger.debug("No run due at {at}; next at {next}", {
        at: now.toISOString(),
        next: slotStart(schedule, slot + 1).toISOString(),
      });
      return;
    }
    current = (async () => {
      try {
        const status = await options.run(signal, kind);
        if (status === "ok") lastSuccessSlot = slot;
      } catch (error) {
        logger.error("The run failed: {error}", { error });
      } finally {
        current = undefined;
        if (!signal.aborted) {
          logger.info("Next run due at {next}", { next: slotStart(schedule, slot + 1).toISOString() });
        }
      }
    })();
  };

  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.info("Heartbeat every {minutes} min (cron {cron}, UTC)", {
    minutes: schedule.intervalMinutes,
    cron: schedule.cron,
  });
  if (options.workWaiting) logger.info("Work waits from an earlier run (events in the outbox): running at once");
  trigger("start");
  options.scheduler.schedule(options.name ?? PROGRAM_NAME, schedule.cron, () => trigger("tick"), signal);
  await stopped;
  // Read `current` after the abort: a run may have started since the last look.
  await (current as Promise<void> | undefined);
  logger.info("Heartbeat stopped");
}

/**
 * The last slot whose run is done: the last successful run's, or none (−∞) before any run, or while work waits
 * (waiting work makes that slot count as not yet run). A run is due in any later slot.
 *
 * @param schedule The schedule.
 * @param resumed What {@linkcode resumption} read.
 * @returns The slot's number.
 */
export function doneSlot(
  schedule: HeartbeatSchedule,
  resumed: { lastSuccessAt?: Date | undefined; workWaiting?: boolean | undefined },
): number {
  return resumed.lastSuccessAt && !resumed.workWaiting ? slotOf(schedule, resumed.lastSuccessAt) : -Infinity;
}

/**
 * Where a loop takes up from its state store: when the last successful run started, and whether work waits (events
 * in the outbox, which a dry run never sends).
 *
 * @param store The repository's state store.
 * @param dryRun Whether the loop's runs are dry.
 * @returns The loop's `lastSuccessAt` and `workWaiting`.
 */
export async function resumption(
  store: Pick<StateStore, "lastSuccessfulRun" | "loadOutbox">,
  dryRun: boolean,
): Promise<{ lastSuccessAt: Date | undefined; workWaiting: boolean }> {
  const lastSuccess = (await store.lastSuccessfulRun(dryRun))?.startedAt;
  return {
    lastSuccessAt: lastSuccess === undefined ? undefined : new Date(lastSuccess),
    workWaiting: !dryRun && (await store.loadOutbox()).length > 0,
  };
}
