/**
 * Timing HTTP requests for the serving benchmarks: a quantile of timings, and
 * one request read whole by `curl` (a client outside Deno).
 *
 * @module
 */

/**
 * A quantile of some timings (the nearest rank).
 *
 * @param times The timings, in any order (not changed).
 * @param q The quantile, 0–1 (0.5: the median).
 * @returns The timing at that rank.
 *
 * @example
 * ```ts
 * import { quantile } from "./request_timing.ts";
 * console.assert(quantile([3, 1, 2], 0.5) === 2);
 * ```
 */
export function quantile(times: readonly number[], q: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * How long `curl` takes to fetch a URL and read its whole body, in ms.
 *
 * @param url The URL.
 * @param headers Request headers (`name: value`).
 * @returns curl's `time_total`, in ms.
 */
export async function curlMs(url: string, headers: readonly string[] = []): Promise<number> {
  const args = ["-s", "-o", "/dev/null", "-w", "%{time_total}", ...headers.flatMap((header) => ["-H", header]), url];
  const output = await new Deno.Command("curl", { args }).output();
  return Number(new TextDecoder().decode(output.stdout)) * 1000;
}
