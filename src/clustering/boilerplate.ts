/**
 * A library's boilerplate, and what each skill says beyond it.
 *
 * Text that many *differently named* skills share is a template's, not any
 * skill's content: a generator's stubs ("This skill provides automated
 * assistance for X tasks") or a house layout. Counting by name, not by file,
 * keeps a popular skill copied into twenty repositories under its one name
 * from counting as boilerplate: its copies are one skill. What remains of a
 * skill once the boilerplate is removed (its *content*) is what two skills
 * must share to be copies: two stubs of one template for different subjects
 * share the template and nothing else.
 *
 * @module
 */

/** Options of {@linkcode ContentShingles}. */
export interface ContentShinglesOptions {
  /** A shingle is boilerplate once this many differently named skills hold it. */
  boilerplateNames: number;
}

/** The default: a shingle five differently named skills share is a template's. */
export const DEFAULT_BOILERPLATE_NAMES = 5;

/** Each skill's content shingles: its body's shingles less the library's boilerplate. */
export class ContentShingles {
  readonly #content: Int32Array[];
  /** How many distinct shingles the library's boilerplate holds. */
  readonly boilerplate: number;

  /**
   * @param skills Each skill's name key (what tells differently named skills apart) and its sorted shingle hashes.
   * @param options From how many names a shingle is boilerplate.
   *
   * @example
   * ```ts
   * import { ContentShingles } from "./boilerplate.ts";
   * const template = [1, 2, 3];
   * const library = new ContentShingles(
   *   ["a", "b", "c"].map((name, i) => ({ name, shingles: [...template, 10 + i] })),
   *   { boilerplateNames: 3 },
   * );
   * console.assert(library.similarity(0, 1) === 0 && library.boilerplate === 3);
   * ```
   */
  constructor(skills: ReadonlyArray<{ name: string; shingles: readonly number[] }>, options: ContentShinglesOptions) {
    const byName = new Map<string, Set<number>>();
    for (const { name, shingles } of skills) {
      let held = byName.get(name);
      if (!held) byName.set(name, held = new Set());
      for (const shingle of shingles) held.add(shingle);
    }
    const names = new Map<number, number>();
    for (const held of byName.values()) for (const shingle of held) names.set(shingle, (names.get(shingle) ?? 0) + 1);
    let boilerplate = 0;
    for (const count of names.values()) if (count >= options.boilerplateNames) boilerplate++;
    this.boilerplate = boilerplate;
    this.#content = skills.map(({ shingles }) =>
      Int32Array.from(shingles.filter((shingle) => names.get(shingle)! < options.boilerplateNames))
    );
  }

  /**
   * How much two skills' contents agree: the Jaccard index of their content shingles.
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns 0–1; 0 when either says nothing beyond the boilerplate.
   */
  similarity(a: number, b: number): number {
    const x = this.#content[a]!;
    const y = this.#content[b]!;
    if (x.length === 0 || y.length === 0) return 0;
    let shared = 0;
    for (let i = 0, j = 0; i < x.length && j < y.length;) {
      if (x[i] === y[j]) {
        shared++;
        i++;
        j++;
      } else if (x[i]! < y[j]!) i++;
      else j++;
    }
    return shared / (x.length + y.length - shared);
  }

  /**
   * How many content shingles a skill has.
   *
   * @param index The skill's index.
   * @returns The count.
   */
  size(index: number): number {
    return this.#content[index]!.length;
  }
}
