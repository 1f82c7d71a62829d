import { assertEquals, assertThrows } from "./assert.ts";
import { heartbeatSchedule, IntervalError, slotOf, slotStart } from "../src/schedule.ts";

const CASES: Array<[number, number, string]> = [
  // hours, tick minutes, cron
  [6, 360, "0 */6 * * *"],
  [1, 60, "0 * * * *"],
  [24, 1440, "0 0 * * *"],
  [12, 720, "0 */12 * * *"],
  [0.5, 30, "*/30 * * * *"],
  [0.25, 15, "*/15 * * * *"],
  [1 / 60, 1, "* * * * *"],
  [5, 60, "0 * * * *"],
  [7, 60, "0 * * * *"],
  [9, 180, "0 */3 * * *"],
  [1.5, 30, "*/30 * * * *"],
  [1.6, 12, "*/12 * * * *"],
  [48, 1440, "0 0 * * *"],
  [36, 720, "0 */12 * * *"],
];

for (const [hours, tick, cron] of CASES) {
  Deno.test(`heartbeatSchedule(${hours}) fires "${cron}" every ${tick} min`, () => {
    const schedule = heartbeatSchedule(hours);
    assertEquals(schedule, { intervalMinutes: Math.round(hours * 60), tickMinutes: tick, cron });
    assertEquals(schedule.intervalMinutes % schedule.tickMinutes, 0);
  });
}

Deno.test("heartbeatSchedule() refuses intervals that are not whole positive minutes", () => {
  for (const hours of [0, -1, 0.001, Number.NaN, Number.POSITIVE_INFINITY]) {
    assertThrows(() => heartbeatSchedule(hours), IntervalError, `${hours} hours`);
  }
});

/** Every instant a tick fires during `days`, from the cron's own spacing. */
function ticks(tickMinutes: number, days: number, from: Date): Date[] {
  const result: Date[] = [];
  for (let minute = 0; minute < days * 1440; minute += tickMinutes) {
    result.push(new Date(from.getTime() + minute * 60_000));
  }
  return result;
}

for (const hours of [5, 7, 1.6, 6, 36]) {
  Deno.test(`runs due on a ${hours} h schedule fall exactly ${hours} h apart, across midnight`, () => {
    const schedule = heartbeatSchedule(hours);
    let lastSlot = Number.NEGATIVE_INFINITY;
    const runs: Date[] = [];
    for (const tick of ticks(schedule.tickMinutes, 10, new Date("2026-02-27T00:00:00Z"))) {
      const slot = slotOf(schedule, tick);
      if (slot > lastSlot) {
        runs.push(tick);
        lastSlot = slot;
      }
    }
    // The first run is at start; each later one starts its slot, one interval after the one before.
    const slotRuns = runs.slice(1);
    const gaps = new Set(slotRuns.slice(1).map((run, i) => run.getTime() - slotRuns[i]!.getTime()));
    assertEquals([...gaps], [schedule.intervalMinutes * 60_000]);
    for (const run of runs.slice(1)) assertEquals(slotStart(schedule, slotOf(schedule, run)), run);
  });
}
