/**
 * The library's own statistics, and the candidate pairs worth scoring.
 *
 * Words are weighted by how rare they are in this library, `ln(N / df)`:
 * text that every skill of a template shares weighs nothing, so skills
 * generated from one template for different tools do not look alike, while a
 * service's own name, host or variable, which few skills mention, weighs most.
 * Candidate pairs are the skills sharing at least one rare word or identity
 * clue, found through an inverted index: no pass over all n² pairs, and no
 * n×n matrix.
 *
 * @module
 */

import type { Skill } from "../discovery/skill.ts";
import { ContentShingles, DEFAULT_BOILERPLATE_NAMES } from "./boilerplate.ts";
import { isCommonWord, isEverydayWord } from "./common_words.ts";
import { words } from "./features.ts";
import { runAtOnce, type TimeSlice } from "../time_slice.ts";

/** A sparse, L2-normalised vector over the library's term ids. */
interface SparseVector {
  ids: Int32Array;
  weights: Float32Array;
}

/** Options of {@linkcode SkillLibrary}. */
export interface LibraryOptions {
  /**
   * A word or clue is *rare* when at most this share of the library has it
   * (and in any case when at most {@linkcode MIN_RARE_DF} skills have it).
   */
  rareShare?: number;
  /** Each skill's embedding, by index, when the model ran. */
  vectors?: ReadonlyArray<Float32Array | undefined>;
  /** The skills directory relative to the repository (`skills`, or `.`), for telling folders below it apart. */
  skillsDir?: string;
  /** A body shingle is boilerplate once this many differently named skills hold it. */
  boilerplateNames?: number;
  /** Only {@linkcode SkillLibrary.build} defers the indexing, to do it in slices. */
  deferIndexing?: typeof DEFER_INDEXING;
}

/** What {@linkcode SkillLibrary.build} passes its constructor so that it indexes in slices. */
const DEFER_INDEXING: unique symbol = Symbol("defer indexing");

/** How much each part of a skill's head says of what it is about: its name most, then its title, then its description. */
const HEAD_WEIGHTS = { name: 3, title: 2, description: 1 } as const;

/** Below this document frequency a term is always rare, however small the library. */
export const MIN_RARE_DF = 3;

/** How many of a skill's rarest words index it for candidate pairs. */
export const INDEXED_TERMS = 16;

const INDEXED_CLUE = /^(host|tool|env|namefull|titlefull):/;

/** A clue shared by more skills than this names a family of tools, not one: it does not index. */
const MAX_INDEXED_DF = 64;

/** Identity clue kinds, and the prefixes that keep their tokens apart from words. */
const CLUE_KINDS = [
  "host",
  "tool",
  "toolword",
  "env",
  "title",
  "titlefull",
  "description",
  "name",
  "namefull",
] as const;
type ClueKind = typeof CLUE_KINDS[number];

/** The library's statistics over a list of skills, by index. */
export class SkillLibrary {
  /** The skills, in the order given. */
  readonly skills: readonly Skill[];
  /** The skills directory relative to the repository. */
  readonly skillsDir: string;
  readonly #embeddings: ReadonlyArray<Float32Array | undefined>;
  readonly #authors: Array<string | undefined>;
  readonly #folders: Array<string | undefined>;
  #scratch!: Float32Array;
  #vectors!: SparseVector[];
  #termDf!: Int32Array;
  #postings!: Map<number, number[]>;
  #indexed!: number[][];
  readonly #cluePostings = new Map<string, number[]>();
  readonly #rareDf: number;
  #clues!: Array<Map<string, number>>;
  readonly #clueDf = new Map<string, number>();
  #ids!: Map<string, number>;
  #docs!: Int32Array[];
  #head!: SparseVector[];
  #identity!: Array<ReadonlyMap<string, boolean>>;
  #content!: ContentShingles;

  /**
   * Indexes a library at once (tests, tools); a run builds it with {@linkcode SkillLibrary.build}.
   *
   * @param skills The skills, sorted the same way whatever order they came in.
   * @param options How rare "rare" is.
   */
  constructor(skills: readonly Skill[], options: LibraryOptions = {}) {
    this.skills = skills;
    this.skillsDir = options.skillsDir ?? "skills";
    this.#embeddings = options.vectors ?? [];
    this.#authors = skills.map((skill) => skill.author?.toLowerCase());
    // A skill's publisher folder: the first directory below the skills directory that holds
    // the skill's own folder (an owner's folder, a pack); none for skills right in it.
    const rootDepth = this.skillsDir === "." || this.skillsDir === "" ? 0 : this.skillsDir.split("/").length;
    // Aggregate registries flatten `owner/repo/skill` into one folder name, `owner--repo--skill`: what comes before
    // the last `--` is the publisher, as a folder above the skill would be.
    this.#folders = skills.map((skill) => {
      const container = skill.path.split("/").slice(0, skill.layout === "folder" ? -2 : -1);
      if (container.length > rootDepth) return container.slice(0, rootDepth + 1).join("/");
      const flattened = skill.slug.lastIndexOf("--");
      return flattened > 0 ? `${container.join("/")}/${skill.slug.slice(0, flattened)}` : undefined;
    });
    this.#rareDf = Math.max(MIN_RARE_DF, Math.floor((options.rareShare ?? 0.01) * skills.length));
    if (options.deferIndexing !== DEFER_INDEXING) runAtOnce(this.#indexing(options));
  }

  /**
   * Indexes a library a slice at a time, so that a run of 60,000 skills still answers signals and requests.
   *
   * @param skills The skills, sorted the same way whatever order they came in.
   * @param options How rare "rare" is.
   * @param slice Where the indexing gives the event loop a turn.
   * @returns The library.
   * @throws {import("../time_slice.ts").RunStoppedError} When the run was asked to stop.
   */
  static async build(skills: readonly Skill[], options: LibraryOptions, slice: TimeSlice): Promise<SkillLibrary> {
    const library = new SkillLibrary(skills, { ...options, deferIndexing: DEFER_INDEXING });
    await slice.run(library.#indexing(options));
    return library;
  }

  /** The library's statistics and indexes, built in steps (one per skill and pass). */
  *#indexing(options: LibraryOptions): Generator<void> {
    const skills = this.skills;
    const n = skills.length;
    const ids = new Map<string, number>();
    // Ids follow the order terms are met in, so ties between terms are broken by a hash of the
    // term itself: which terms are indexed must not depend on the order of words in a file.
    const termRank: number[] = [];
    const docs: Int32Array[] = [];
    for (const skill of skills) {
      docs.push(
        Int32Array.from(skill.features.terms, (term) => {
          let id = ids.get(term);
          if (id === undefined) {
            ids.set(term, id = ids.size);
            termRank.push(fnv1a(term));
          }
          return id;
        }).sort(),
      );
      yield;
    }
    this.#ids = ids;
    this.#docs = docs;
    this.#termDf = new Int32Array(ids.size);
    this.#scratch = new Float32Array(ids.size);
    for (const doc of docs) for (const id of doc) this.#termDf[id]!++;
    this.#vectors = [];
    for (const doc of docs) {
      this.#vectors.push({
        ids: doc,
        weights: toUnitLength(Float32Array.from(doc, (id) => Math.log(n / this.#termDf[id]!))),
      });
      yield;
    }
    // The candidates' index: each skill under its rarest terms only (prefix filtering). Copies
    // share their rarest words, and two skills for one service share its name, which is rare.
    this.#indexed = [];
    for (const doc of docs) {
      this.#indexed.push(
        [...doc].filter((id) => this.#termDf[id]! >= 2 && this.#termDf[id]! <= this.#rareDf)
          .sort((x, y) => this.#termDf[x]! - this.#termDf[y]! || termRank[x]! - termRank[y]! || x - y)
          .slice(0, INDEXED_TERMS),
      );
      yield;
    }
    this.#postings = invertedIndex(this.#indexed);

    const clueTokens: Array<Set<string>> = [];
    for (const skill of skills) {
      const tokens = clueTokensOf(skill);
      for (const token of tokens) this.#clueDf.set(token, (this.#clueDf.get(token) ?? 0) + 1);
      clueTokens.push(tokens);
      yield;
    }
    // A skill's clues: its rare identity tokens with their weight. Title, description and name
    // words count only when the word itself is rare in the library's text too.
    this.#clues = [];
    for (const tokens of clueTokens) {
      const clues = new Map<string, number>();
      for (const token of tokens) {
        const df = this.#clueDf.get(token)!;
        if (df > this.#rareDf) continue;
        const kind = token.slice(0, token.indexOf(":")) as ClueKind;
        if (kind === "title" || kind === "description" || kind === "name") {
          const id = ids.get(token.slice(kind.length + 1));
          if (id === undefined || this.#termDf[id]! > this.#rareDf) continue;
        }
        clues.set(token, Math.log(n / df));
      }
      this.#clues.push(clues);
      yield;
    }
    this.#head = [];
    this.#identity = [];
    for (const skill of skills) {
      this.#head.push(this.#headVector(skill));
      this.#identity.push(this.#identityOf(skill));
      yield;
    }
    this.#content = yield* ContentShingles.stepwise(
      skills.map((skill) => ({ name: nameKey(skill), shingles: skill.features.shingles })),
      { boilerplateNames: options.boilerplateNames ?? DEFAULT_BOILERPLATE_NAMES },
    );
    this.#clues.forEach((clues, index) => {
      // Clues that name the tool index the skill; rare words of its title, description and name
      // are among its rarest words, which index it already.
      for (const clue of clues.keys()) {
        if (!INDEXED_CLUE.test(clue) || this.#clueDf.get(clue)! > MAX_INDEXED_DF) continue;
        const list = this.#cluePostings.get(clue);
        if (list) list.push(index);
        else this.#cluePostings.set(clue, [index]);
      }
    });
  }

  /** A skill's head as a vector: its name, title and description words, weighted by part and rarity. */
  #headVector(skill: Skill): SparseVector {
    const weight = new Map<number, number>();
    const f = skill.features;
    for (const [part, list] of [["name", f.name], ["title", f.title], ["description", f.description]] as const) {
      for (const word of list) {
        const id = this.#ids.get(word);
        // A label says nothing of what a skill is about: a renamed copy is still a copy.
        if (id === undefined || this.#isLabel(skill, word)) continue;
        // Rarity counted against one skill more than the library, so that in a library of two skills the words both
        // use still say what each is about.
        const rarity = Math.log((this.skills.length + 1) / this.#termDf[id]!);
        weight.set(id, (weight.get(id) ?? 0) + HEAD_WEIGHTS[part] * rarity);
      }
    }
    const ids = Int32Array.from([...weight.keys()].sort((x, y) => x - y));
    return { ids, weights: toUnitLength(Float32Array.from(ids, (id) => weight.get(id)!)) };
  }

  /**
   * A skill's identity tokens, each once whatever the fields it is found in, and whether something concrete backs it
   * (a host, a variable or a tool it uses, not only a word it says). A token counts when it is distinctive: a host,
   * variable or tool rare in the library gives its name's words; a word of the name, title or description counts when
   * it is rare in the library and not ordinary English.
   */
  #identityOf(skill: Skill): Map<string, boolean> {
    const tokens = new Map<string, boolean>();
    const f = skill.features;
    // A host, variable or tool rare in the library backs a token, unless its name is an everyday word
    // (`YOUR_CLIENT_ID`) or a word a twentieth of the library uses (a skills directory's `skills.sh`).
    const rareClue = (kind: string, value: string) => (this.#clueDf.get(`${kind}:${value}`) ?? 0) <= this.#rareDf;
    const broadDf = Math.max(MIN_RARE_DF, this.skills.length / 20);
    const backing = (word: string) => word.length >= 2 && !isEverydayWord(word) && this.#df(word) <= broadDf;
    // Only a word of Latin letters can be weighed against the language's word lists: a word of another script is
    // never an identity on its own (a product's name is written in Latin letters anyway).
    const distinctive = (word: string) =>
      /^[a-z0-9]{3,}$/.test(word) && !/^\d+$/.test(word) && this.termRare(word) && !isCommonWord(word);
    // A host is the skill's service only when the skill says its name (in its head, or often in its body): a
    // publisher's or a template's site, linked from skills about other things, names none of them.
    const said = new Set([...f.name, ...f.title, ...f.description, ...f.prominent, f.name.join("")]);
    for (const host of f.hosts) {
      if (rareClue("host", host) && backing(hostWord(host)) && said.has(hostWord(host))) {
        tokens.set(hostWord(host), true);
      }
    }
    for (const name of f.env) {
      const word = name.split("_")[0]!.toLowerCase();
      if (rareClue("env", name) && backing(word)) tokens.set(word, true);
    }
    for (const tool of f.tools) {
      if (!rareClue("tool", tool)) continue;
      for (const word of words(tool.split("/").pop()!)) if (distinctive(word)) tokens.set(word, true);
    }
    for (const word of [...f.name, ...f.title, ...f.description]) {
      if (distinctive(word) && !this.#isLabel(skill, word) && !tokens.has(word)) tokens.set(word, false);
    }
    return tokens;
  }

  /** How many skills use a word. */
  #df(word: string): number {
    const id = this.#ids.get(word);
    return id === undefined ? 0 : this.#termDf[id]!;
  }

  /**
   * Whether a word of a skill's head is a label: no other skill uses it and the skill says it once (a generated name,
   * a typo). A word the skill repeats (Loki in its name, title and description) is its subject, however rare.
   */
  #isLabel(skill: Skill, word: string): boolean {
    const { name, title, description } = skill.features;
    return this.#df(word) < 2 && [name, title, description].filter((part) => part.includes(word)).length < 2;
  }

  /**
   * Whether a word is rare in this library (few skills use it).
   *
   * @param word A lower-cased word.
   * @returns `true` when at most {@linkcode SkillLibrary.prototype.rareDf} skills use it.
   */
  termRare(word: string): boolean {
    return this.#df(word) <= this.#rareDf;
  }

  /**
   * Whether a skill's file uses a word anywhere.
   *
   * @param index The skill's index.
   * @param word A lower-cased word.
   * @returns `true` when it does.
   */
  mentions(index: number, word: string): boolean {
    const id = this.#ids.get(word);
    if (id === undefined) return false;
    const doc = this.#docs[index]!;
    let [low, high] = [0, doc.length - 1];
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (doc[middle] === id) return true;
      if (doc[middle]! < id) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /**
   * A skill's identity tokens (see the class's notes): token → whether a host, variable or tool backs it.
   *
   * @param index The skill's index.
   * @returns The tokens.
   */
  identity(index: number): ReadonlyMap<string, boolean> {
    return this.#identity[index]!;
  }

  /**
   * How much two skills' heads agree: the cosine of their name, title and description words, weighted by part and
   * rarity. Two stubs of one template for different subjects disagree here, whatever their bodies share.
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns 0–1.
   */
  headSimilarity(a: number, b: number): number {
    return sparseCosine(this.#head[a]!, this.#head[b]!);
  }

  /**
   * How much two skills' contents agree once the library's boilerplate is removed (see `boilerplate.ts`).
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns 0–1.
   */
  contentSimilarity(a: number, b: number): number {
    return this.#content.similarity(a, b);
  }

  /** How many skills share a word before it stops being rare. */
  get rareDf(): number {
    return this.#rareDf;
  }

  /**
   * Cosine similarity of two skills' whole texts, words weighted by rarity.
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns 0–1.
   */
  textSimilarity(a: number, b: number): number {
    return sparseCosine(this.#vectors[a]!, this.#vectors[b]!);
  }

  /**
   * Text similarities of one skill to several others at once: its weights are
   * scattered into a dense array once, and each other skill is a single pass
   * over its own terms (faster than merging two term lists per pair).
   *
   * @param a A skill's index.
   * @param others Other skills' indices.
   * @returns The similarity to each, in order.
   */
  textSimilarities(a: number, others: readonly number[]): Float64Array {
    const x = this.#vectors[a]!;
    const dense = this.#scratch;
    for (let i = 0; i < x.ids.length; i++) dense[x.ids[i]!] = x.weights[i]!;
    const result = new Float64Array(others.length);
    others.forEach((b, k) => {
      const y = this.#vectors[b]!;
      let sum = 0;
      for (let j = 0; j < y.ids.length; j++) sum += dense[y.ids[j]!]! * y.weights[j]!;
      result[k] = sum;
    });
    for (let i = 0; i < x.ids.length; i++) dense[x.ids[i]!] = 0;
    return result;
  }

  /**
   * Whether two skills come from one publisher: the same author, or kept in
   * one folder below the skills directory (an owner's folder, a skill pack's
   * sub-skills). One publisher's skills about one service are the parts of a
   * pack, not the same tool twice.
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns What they share, or `undefined`.
   */
  samePublisher(a: number, b: number): string | undefined {
    const author = this.#authors[a];
    if (author !== undefined && author === this.#authors[b]) return `one author's skills (${author})`;
    const folder = this.#folders[a];
    return folder !== undefined && folder === this.#folders[b] ? `one folder's skills (${folder})` : undefined;
  }

  /**
   * Cosine similarity of two skills' embeddings: "the same kind of tool".
   *
   * @param a A skill's index.
   * @param b Another's.
   * @returns -1–1, or `undefined` without embeddings.
   */
  meaningSimilarity(a: number, b: number): number | undefined {
    const x = this.#embeddings[a];
    const y = this.#embeddings[b];
    if (!x || !y) return undefined;
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
    return sum;
  }

  /**
   * A skill's rare identity clues (`host:todoist.com`, `tool:todoist`, `env:TODOIST_API_TOKEN`,
   * `description:todoist`, …) with their weights.
   *
   * @param index The skill's index.
   * @returns Clue → weight.
   */
  clues(index: number): ReadonlyMap<string, number> {
    return this.#clues[index]!;
  }

  /**
   * The pairs worth scoring: skills that share a rare identity clue (what the
   * same tool written twice always shares) or one of their rarest words (what
   * copies share), or whose bodies are identical (a template's body: under one name). Generated lazily, grouped by
   * the first skill: each skill with the later skills it meets, in order.
   *
   * @returns `[a, others]`, every `b` in `others` after `a`.
   */
  *candidatePairs(): Generator<[number, number[]]> {
    const n = this.skills.length;
    const seen = new Uint8Array(n);
    const byBody = new Map<string, number[]>();
    this.skills.forEach((skill, index) => {
      const list = byBody.get(skill.features.bodyHash);
      if (list) list.push(index);
      else byBody.set(skill.features.bodyHash, [index]);
    });
    // A body that more than MAX_INDEXED_DF differently named skills hold is a template's (a family, as such a clue
    // names one): its skills meet by body only under one name. Pairing them all was n² pairs, and 20,000 stubs of one
    // template ran a library out of memory.
    for (const [body, members] of byBody) {
      const names = new Set(members.map((index) => nameKey(this.skills[index]!)));
      if (names.size <= MAX_INDEXED_DF) continue;
      byBody.delete(body);
      for (const index of members) {
        const key = `${body}\0${nameKey(this.skills[index]!)}`;
        const list = byBody.get(key);
        if (list) list.push(index);
        else byBody.set(key, [index]);
      }
    }
    const bodyKey = (index: number) =>
      byBody.has(this.skills[index]!.features.bodyHash)
        ? this.skills[index]!.features.bodyHash
        : `${this.skills[index]!.features.bodyHash}\0${nameKey(this.skills[index]!)}`;
    for (let a = 0; a < n; a++) {
      const touched: number[] = [];
      const touch = (b: number) => {
        if (b > a && !seen[b]) {
          seen[b] = 1;
          touched.push(b);
        }
      };
      for (const id of this.#indexed[a]!) for (const b of this.#postings.get(id)!) touch(b);
      for (const clue of this.#clues[a]!.keys()) for (const b of this.#cluePostings.get(clue) ?? []) touch(b);
      for (const b of byBody.get(bodyKey(a))!) touch(b);
      for (const b of touched) seen[b] = 0;
      if (touched.length > 0) yield [a, touched.sort((x, y) => x - y)];
    }
  }
}

/** The dot product of two sparse vectors (their cosine, both being normalised). */
function sparseCosine(x: SparseVector, y: SparseVector): number {
  let sum = 0;
  for (let i = 0, j = 0; i < x.ids.length && j < y.ids.length;) {
    const u = x.ids[i]!;
    const v = y.ids[j]!;
    if (u === v) sum += x.weights[i++]! * y.weights[j++]!;
    else if (u < v) i++;
    else j++;
  }
  return sum;
}

/** What tells differently named skills apart: the name's letters and digits, lower-cased. */
function nameKey(skill: Skill): string {
  return skill.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") || skill.slug;
}

/** A host's name as a word: `browser-use.com` → `browseruse`. */
export function hostWord(host: string): string {
  return host.split(".")[0]!.replace(/-/g, "");
}

/** The 32-bit FNV-1a hash of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A skill's identity tokens, `kind:token`: its hosts, tools, variables, and the words of its title, description and name. */
function clueTokensOf(skill: Skill): Set<string> {
  const tokens = new Set<string>();
  const f = skill.features;
  const lists: Record<ClueKind, readonly string[]> = {
    host: f.hosts,
    tool: f.tools,
    toolword: f.tools.flatMap((tool) => words(tool.split("/").pop()!)),
    env: f.env,
    title: f.title,
    titlefull: f.title.length > 0 ? [f.title.join(" ")] : [],
    description: f.description,
    name: f.name,
    namefull: f.name.length > 0 ? [f.name.join(" ")] : [],
  };
  for (const kind of CLUE_KINDS) for (const token of lists[kind]) tokens.add(`${kind}:${token}`);
  return tokens;
}

/** The skills under each term: for each term id, the indices of the skills indexed under it, in order. */
function invertedIndex(indexed: readonly number[][]): Map<number, number[]> {
  const postings = new Map<number, number[]>();
  indexed.forEach((terms, index) => {
    for (const id of terms) {
      const list = postings.get(id);
      if (list) list.push(index);
      else postings.set(id, [index]);
    }
  });
  return postings;
}

/** Scales weights to unit length in place (all zeros stay zeros). */
function toUnitLength(weights: Float32Array): Float32Array {
  let norm = 0;
  for (const weight of weights) norm += weight * weight;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < weights.length; i++) weights[i]! /= norm;
  return weights;
}
