/**
 * Names for several repositories served by one process, each unique: a
 * repeated name gains `-2`, `-3`, ….
 *
 * @module
 */

/**
 * `base`, or `base-2`, `base-3`, … : the first that is not taken.
 *
 * @param base The name wanted.
 * @param taken The names already given.
 * @returns A name not in `taken`.
 *
 * @example
 * ```ts
 * import { uniqueName } from "./unique_name.ts";
 * console.assert(uniqueName("skills", new Set(["skills", "skills-2"])) === "skills-3");
 * ```
 */
export function uniqueName(base: string, taken: { has(name: string): boolean }): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
