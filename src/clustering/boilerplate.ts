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

import { runAtOnce } from "../time_slice.ts";

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
   * @param content Each skill's content shingles, sorted.
   * @param boilerplate How many distinct shingles the library's boilerplate holds.
   */
  private constructor(content: Int32Array[], boilerplate: number) {
    this.#content = content;
    this.boilerplate = boilerplate;
  }

  /**
   * Each skill's content, at once.
   *
   * @param skills Each skill's name key (what tells differently named skills apart) and its sorted shingle hashes.
   * @param options From how many names a shingle is boilerplate.
   * @returns The skills' contents.
   *
   * @example
   * ```ts
   * import { ContentShingles } from "./boilerplate.ts";
   * const template = [1, 2, 3];
   * const library = ContentShingles.of(
   *   ["a", "b", "c"].map((name, i) => ({ name, shingles: [...template, 10 + i] })),
   *   { boilerplateNames: 3 },
   * );
   * console.assert(library.similarity(0, 1) === 0 && library.boilerplate === 3);
   * ```
   */
  static of(skills: ReadonlyArray<SkillShingles>, options: ContentShinglesOptions): ContentShingles {
    return runAtOnce(ContentShingles.stepwise(skills, options));
  }

  /**
   * Each skill's content, in steps short enough for a caller to give the event loop turns between them.
   *
   * @param skills Each skill's name key and its sorted shingle hashes.
   * @param options From how many names a shingle is boilerplate.
   * @returns The steps, then the skills' contents.
   */
  static *stepwise(
    skills: ReadonlyArray<SkillShingles>,
    options: ContentShinglesOptions,
  ): Generator<void, ContentShingles> {
    const boilerplate = yield* boilerplateShingles(skills, options.boilerplateNames);
    const content: Int32Array[] = [];
    for (const { shingles } of skills) {
      content.push(Int32Array.from(shingles).filter((shingle) => !boilerplate.has(shingle)));
      yield;
    }
    return new ContentShingles(content, boilerplate.size);
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

/**
 * The shingles at least `names` differently named skills hold: each name's distinct shingles in one typed array,
 * spread by their top bits over buckets, each bucket sorted and counted in one pass (a Map of a Set per name held tens
 * of millions of entries at 60,000 skills: seconds, and gigabytes). The steps are short: a bucket, or a few names.
 */
function* boilerplateShingles(skills: ReadonlyArray<SkillShingles>, names: number): Generator<void, Set<number>> {
  const byName = new Map<string, Array<ArrayLike<number> & Iterable<number>>>();
  for (const { name, shingles } of skills) {
    const lists = byName.get(name);
    if (lists) lists.push(shingles);
    else byName.set(name, [shingles]);
  }
  // A name several skills share holds each of their shingles once; a skill's own are distinct already.
  const held: Array<Iterable<number>> = [];
  const bucketSizes = new Int32Array(BUCKETS);
  for (const lists of byName.values()) {
    const distinct = lists.length === 1 ? lists[0]! : new Set(lists.flatMap((list) => [...list]));
    for (const shingle of distinct) bucketSizes[shingle >>> BUCKET_SHIFT]!++;
    held.push(distinct);
    yield;
  }
  const starts = new Int32Array(BUCKETS + 1);
  for (let bucket = 0; bucket < BUCKETS; bucket++) starts[bucket + 1] = starts[bucket]! + bucketSizes[bucket]!;
  const spread = new Uint32Array(starts[BUCKETS]!);
  const next = starts.slice(0, BUCKETS);
  for (const distinct of held) {
    for (const shingle of distinct) spread[next[shingle >>> BUCKET_SHIFT]!++] = shingle;
    yield;
  }
  const found = new Set<number>();
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const sorted = spread.subarray(starts[bucket]!, starts[bucket + 1]!).sort();
    for (let i = 0; i < sorted.length;) {
      let end = i + 1;
      while (end < sorted.length && sorted[end] === sorted[i]) end++;
      if (end - i >= names) found.add(sorted[i]!);
      i = end;
    }
    yield;
  }
  return found;
}

/** A skill's name key and its body's shingle hashes (31-bit, distinct, sorted). */
interface SkillShingles {
  name: string;
  shingles: ArrayLike<number> & Iterable<number>;
}

/** Shingles are spread over this many buckets by their top bits, so that each sort is short. */
const BUCKETS = 256;
/** A 31-bit shingle's bucket is its top 8 bits. */
const BUCKET_SHIFT = 23;
