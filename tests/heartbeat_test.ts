import { getLogger } from "@logtape/logtape";
import { assertEquals } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import { runHeartbeatLoop, type RunStatus } from "../src/heartbeat.ts";
import { heartbeatSchedule, slotOf, slotStart } from "../src/schedule.ts";
import type { Scheduler } from "../src/scheduler.ts";

/** A clock the test moves, and a scheduler the test ticks. */
class FakeTime implements Clock, Scheduler {
  #now: Date;
  #onTick: (() => void) | undefined;
  scheduled: string[] = [];

  constructor(start: string) {
    this.#now = new Date(start);
  }

  now(): Date {
    return new Date(this.#now);
  }

  schedule(name: string, cron: string, onTick: () => void, signal: AbortSignal): void {
    this.scheduled.push(`${name} ${cron}`);
    this.#onTick = onTick;
    signal.addEventListener("abort", () => this.#onTick = undefined);
  }

  /** Moves the clock to `at` and fires a tick there. */
  tick(at: string): void {
    this.#now = new Date(at);
    this.#onTick?.();
  }
}

/** A run function whose runs the test finishes by hand. */
class ManualRuns {
  started: string[] = [];
  #finish: Array<(status: RunStatus) => void> = [];
  signals: AbortSignal[] = [];

  constructor(private readonly time: FakeTime) {}

  run = (signal: AbortSignal): Promise<RunStatus> => {
    this.started.push(this.time.now().toISOString());
    this.signals.push(signal);
    return new Promise((resolve) => this.#finish.push(resolve));
  };

  finish(status: RunStatus = "ok"): Promise<void> {
    this.#finish.shift()?.(status);
    return settle();
  }
}

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

const logger = getLogger(["clawstr-heartbeat", "test"]);

function startLoop(
  time: FakeTime,
  runs: ManualRuns,
  options: { hours?: number; lastSuccessAt?: Date; workWaiting?: boolean } = {},
) {
  const stop = new AbortController();
  const done = runHeartbeatLoop({
    schedule: heartbeatSchedule(options.hours ?? 6),
    scheduler: time,
    clock: time,
    run: runs.run,
    lastSuccessAt: options.lastSuccessAt,
    workWaiting: options.workWaiting ?? false,
    signal: stop.signal,
    logger,
  });
  return { stop, done };
}

Deno.test("the heartbeat runs at start, then once per slot on the cron", async () => {
  const time = new FakeTime("2026-11-25T01:00:00Z");
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs);
  assertEquals(time.scheduled, ["clawstr-heartbeat 0 */6 * * *"]);
  await runs.finish();
  time.tick("2026-11-25T06:00:00Z");
  await runs.finish();
  time.tick("2026-11-25T12:00:00Z");
  await runs.finish();
  stop.abort();
  await done;
  assertEquals(runs.started, ["2026-11-25T01:00:00.000Z", "2026-11-25T06:00:00.000Z", "2026-11-25T12:00:00.000Z"]);
});

Deno.test("a tick that comes while a slow run is going is skipped, never overlapped", async () => {
  const time = new FakeTime("2026-11-25T05:59:00Z");
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs);
  // The first run is still going when the next two ticks come.
  time.tick("2026-11-25T06:00:00Z");
  time.tick("2026-11-25T12:00:00Z");
  assertEquals(runs.started.length, 1);
  await runs.finish();
  time.tick("2026-11-25T18:00:00Z");
  assertEquals(runs.started, ["2026-11-25T05:59:00.000Z", "2026-11-25T18:00:00.000Z"]);
  await runs.finish();
  stop.abort();
  await done;
});

Deno.test("no run starts at start when the current slot already had a successful one", async () => {
  const time = new FakeTime("2026-11-25T07:00:00Z");
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs, { lastSuccessAt: new Date("2026-11-25T06:30:00Z") });
  await settle();
  assertEquals(runs.started, []);
  time.tick("2026-11-25T12:00:00Z");
  assertEquals(runs.started, ["2026-11-25T12:00:00.000Z"]);
  await runs.finish();
  stop.abort();
  await done;
});

Deno.test("events waiting in the outbox start a run at start even when the slot already had one", async () => {
  const time = new FakeTime("2026-11-25T07:00:00Z");
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs, { lastSuccessAt: new Date("2026-11-25T06:30:00Z"), workWaiting: true });
  await settle();
  assertEquals(runs.started, ["2026-11-25T07:00:00.000Z"]);
  await runs.finish();
  // The slot is done now: the next run waits for the next slot.
  time.tick("2026-11-25T08:00:00Z");
  assertEquals(runs.started.length, 1);
  stop.abort();
  await done;
});

Deno.test("a failed run is tried again at the next tick of a finer cron", async () => {
  const schedule = heartbeatSchedule(5);
  const boundary = slotStart(schedule, slotOf(schedule, new Date("2026-11-25T00:00:00Z")) + 1).getTime();
  const at = (hours: number) => new Date(boundary + hours * 3_600_000).toISOString();
  const time = new FakeTime(at(0));
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs, { hours: 5 });
  await runs.finish("failed");
  time.tick(at(1)); // same 5-hour slot, but the last run failed
  await runs.finish("ok");
  time.tick(at(2)); // same slot, already done
  time.tick(at(5)); // next slot
  await runs.finish("ok");
  stop.abort();
  await done;
  assertEquals(runs.started, [at(0), at(1), at(5)]);
});

Deno.test("stopping the heartbeat during a run tells the run and waits for it to end", async () => {
  const time = new FakeTime("2026-11-25T01:00:00Z");
  const runs = new ManualRuns(time);
  const { stop, done } = startLoop(time, runs);
  let stopped = false;
  done.then(() => stopped = true);
  stop.abort();
  await settle();
  assertEquals(runs.signals[0]?.aborted, true);
  assertEquals(stopped, false, "the loop must wait for the run to reach a safe point");
  await runs.finish("interrupted");
  await done;
  time.tick("2026-11-25T06:00:00Z");
  assertEquals(runs.started.length, 1, "no run starts after the stop");
});
