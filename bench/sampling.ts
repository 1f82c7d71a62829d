/**
 * What the audit scripts share: a seeded random sequence, so a sample can be drawn again, and reading their
 * tab-separated files.
 *
 * @module
 */

/**
 * A deterministic sequence of numbers in [0, 1) (mulberry32).
 *
 * @param seed Any integer.
 * @returns The next number, each call.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./sampling.ts";
 * console.assert(seededRandom(1)() === seededRandom(1)());
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The rows of a tab-separated file, its header line left out.
 *
 * @param file The file.
 * @returns Each row's cells.
 */
export function tsvRows(file: string): string[][] {
  return Deno.readTextFileSync(file).trim().split("\n").slice(1).map((line) => line.split("\t"));
}
