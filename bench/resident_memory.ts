/**
 * A process's resident memory, read from `/proc/PID/status`: what the
 * benchmarks report as RSS and peak RSS.
 *
 * @module
 */

/**
 * The resident set of a process, in MiB.
 *
 * @param pid The process, or `"self"`.
 * @returns `VmRSS` (now) and `VmHWM` (the peak); `NaN` each where `/proc` cannot be read.
 *
 * @example
 * ```ts ignore
 * import { residentMemory } from "./resident_memory.ts";
 * console.log(residentMemory("self").peak);
 * ```
 */
export function residentMemory(pid: number | "self"): { rss: number; peak: number } {
  let status = "";
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    // No /proc (not Linux): NaN.
  }
  const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) / 1024;
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}
