/**
 * A map keyed by unordered pairs of item indices, with no limit but memory:
 * one inner map per first item, so no single JavaScript Map holds more than a
 * library's number of skills (a Map holds at most 2^24 entries; a library
 * whose duplicate pairs, or whose pairs within one group, pass that number
 * failed with "Map maximum size exceeded").
 *
 * @module
 */

/** Values by unordered pair of indices. */
export class PairMap<V> {
  readonly #rows = new Map<number, Map<number, V>>();
  #size = 0;

  /** How many pairs have a value. */
  get size(): number {
    return this.#size;
  }

  /**
   * @param a An index.
   * @param b Another.
   * @returns The pair's value, if set.
   *
   * @example
   * ```ts
   * import { PairMap } from "./pair_map.ts";
   * const pairs = new PairMap<string>();
   * pairs.set(3, 1, "x");
   * console.assert(pairs.get(1, 3) === "x" && pairs.size === 1);
   * ```
   */
  get(a: number, b: number): V | undefined {
    return a < b ? this.#rows.get(a)?.get(b) : this.#rows.get(b)?.get(a);
  }

  /**
   * @param a An index.
   * @param b Another.
   * @returns Whether the pair has a value.
   */
  has(a: number, b: number): boolean {
    return a < b ? this.#rows.get(a)?.has(b) === true : this.#rows.get(b)?.has(a) === true;
  }

  /**
   * @param a An index.
   * @param b Another.
   * @param value The pair's value.
   */
  set(a: number, b: number, value: V): void {
    const [low, high] = a < b ? [a, b] : [b, a];
    let row = this.#rows.get(low);
    if (!row) this.#rows.set(low, row = new Map());
    if (!row.has(high)) this.#size++;
    row.set(high, value);
  }
}
