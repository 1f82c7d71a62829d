/**
 * Appending a list to a list without spreading it into `push`'s arguments:
 * V8 puts each spread element on the stack and throws
 * `RangeError: Maximum call stack size exceeded` past about 100,000, and the
 * lists this program appends (diagnostics, clusters, files) grow with what a
 * repository holds. `tests/argument_spread_test.ts` keeps spreads out of calls.
 *
 * @module
 */

/**
 * Appends every item to `target`, in order.
 *
 * @param target The list to grow.
 * @param items What to append: any number of items.
 * @returns `target`.
 *
 * @example
 * ```ts
 * import { append } from "./append.ts";
 * const all = append([1], Array.from({ length: 200_000 }, (_, i) => i));
 * console.assert(all.length === 200_001);
 * ```
 */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
