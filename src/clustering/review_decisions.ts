/**
 * The owner's review decisions: which proposed merges were approved and which
 * rejected. They live in the repository (`<archive>/decisions.json`, committed
 * with the next run's changes), so they survive the loss of the state
 * directory and travel with the library.
 *
 * A decision is kept as the proposal's parts, and it applies to every pair of
 * skills across two parts: a rejected pair is never proposed again, an
 * approved pair is merged by the next run. Skills are named by path; a master
 * answers for the skills it was made from (its `merged_from` paths), so a
 * decision still holds after the parts were merged on their own.
 *
 * ```json
 * { "decisions": [{ "id": "r3f9a2c1b", "decision": "rejected", "at": "2026-11-30T21:00:00.000Z",
 *   "parts": [["skills/a/SKILL.md", "skills/b/SKILL.md"], ["skills/c/SKILL.md"]] }] }
 * ```
 *
 * The file is committed, so a contributor's merged pull request can plant
 * anything in it: it is read within bounds, named below, that what the owner
 * and the program write stay far inside (a review proposal holds tens of
 * skills; a restore of a whole master rejects each of its members against
 * every other, one part each). A decision over a bound is skipped with a
 * warning, and the run goes on. Decisions are looked up by path, never
 * expanded into their pairs of skills: a decision costs memory in proportion
 * to the paths it names (a 6,000-part decision would be 18 million pairs).
 * Time is bounded too: the decision on two skills (each named by its own
 * path and its members') takes at most {@linkcode MAX_DECIDE_STEPS} steps,
 * past which the pair is held apart, as rejected.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { createHash } from "node:crypto";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import { FileTooLargeError } from "../fs/regular_file.ts";
import { untrustedPathProblem } from "../fs/untrusted_path.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { printable } from "../printable.ts";

const logger = getLogger([ROOT_CATEGORY, "clustering"]);

/** The decisions file's name, in the archive directory. */
export const DECISIONS_FILE = "decisions.json";

/**
 * The largest decisions file read: 8 MiB, some 20,000 decisions as the program
 * writes them (a few hundred bytes each). A larger one is not read (with a
 * warning), and nothing is added to it.
 */
export const MAX_DECISIONS_BYTES = 8 * 1024 * 1024;

/** The most decisions kept: the newest 20,000, years of an owner's reviews and restores. */
export const MAX_DECISIONS = 20_000;

/**
 * The most parts of one decision, and the most skills in one part: 5,000. A
 * restore of a whole master writes one part per member, and the largest
 * duplicate cluster known is a template copied 1,800 times in a public
 * registry.
 */
export const MAX_PARTS = 5_000;

/** The most skills in one part of a decision (see {@linkcode MAX_PARTS}). */
export const MAX_PART_PATHS = 5_000;

/**
 * The most paths all decisions kept name together: 250,000, some 25 MB of
 * index at most; 20,000 decisions of a dozen skills each stay inside.
 */
export const MAX_DECISION_PATHS = 250_000;

/**
 * The most steps the decision on two skills takes: pairs of their paths looked at, and decisions compared for each.
 * Skills the owner decided on name a few paths each; only masters whose `merged_from` lists thousands of paths, all
 * named in decisions, come near it: two planted ones of 20,000 would take 400 million steps (some 20 s) for every
 * pair of them the clustering judges. Past the bound the pair is held apart, as rejected: it is never merged, which
 * a contributor could have had anyway by planting a rejection.
 */
export const MAX_DECIDE_STEPS = 2_000_000;

/** Warnings logged one by one; the rest are counted in one line, so a planted file cannot flood the log. */
const WARNED_DECISIONS = 5;

/** What the owner decided. */
export type Decision = "approved" | "rejected";

/** One decision on one proposal. */
export interface ReviewDecision {
  /** The proposal's id. */
  id: string;
  /** Approved (merge it) or rejected (never propose it again). */
  decision: Decision;
  /** When, ISO 8601. */
  at: string;
  /** The proposal's parts: skills merged anyway, or single skills, by path. */
  parts: string[][];
}

/** The decisions file cannot be read as decisions: nothing is merged until it is mended. */
export class DecisionsError extends Error {
  override name = "DecisionsError";
}

/**
 * A review proposal's id: a hash of its parts, so the same proposal has the
 * same id in every run.
 *
 * @param parts The proposal's parts, by path.
 * @returns `r` and 8 hex digits.
 *
 * @example
 * ```ts
 * import { proposalId } from "./review_decisions.ts";
 * console.assert(proposalId([["skills/b.md"], ["skills/a.md"]]) === proposalId([["skills/a.md"], ["skills/b.md"]]));
 * ```
 */
export function proposalId(parts: readonly (readonly string[])[]): string {
  const canonical = parts.map((part) => [...part].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return `r${createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 8)}`;
}

/**
 * Reads the decisions file of a repository, for a run: a file over
 * {@linkcode MAX_DECISIONS_BYTES} is not read, with a warning, so that no
 * planted file stops the run (see {@linkcode parseDecisions} for the rest).
 *
 * @param repository Reads the repository.
 * @param path The file, repository-relative.
 * @returns The decisions within the bounds, oldest first.
 * @throws {DecisionsError} When the file is not JSON or not a list of decisions.
 *
 * @example
 * ```ts ignore
 * import { readDecisions } from "./review_decisions.ts";
 * const decisions = readDecisions(writer, ".archive/decisions.json");
 * ```
 */
export function readDecisions(repository: Pick<RepositoryWriter, "read">, path: string): ReviewDecision[] {
  let bytes: Uint8Array | undefined;
  try {
    bytes = repository.read(path);
  } catch (error) {
    if (!(error instanceof FileTooLargeError)) throw error;
    logger.warn("{problem}", { problem: tooLarge(path, error.size) });
    return [];
  }
  return parseDecisions(bytes, path);
}

/**
 * Reads the decisions file's text. A decision over a bound (its parts, the
 * skills of a part, a path that is not a repository-relative path in normal
 * form, the paths of all decisions together) is skipped with a warning naming
 * the file, the decision and the bound, as are the oldest beyond
 * {@linkcode MAX_DECISIONS}, and a file over {@linkcode MAX_DECISIONS_BYTES}
 * is not read: the run goes on.
 *
 * @param bytes The file's bytes; `undefined` when there is none.
 * @param path Its path, for the messages.
 * @returns The decisions within the bounds, oldest first.
 * @throws {DecisionsError} When the file is not JSON or not a list of decisions: a decision the owner made could be
 *   lost, so nothing is merged until it is mended.
 *
 * @example A 6,000-part decision is skipped
 * ```ts
 * import { parseDecisions } from "./review_decisions.ts";
 * const parts = Array.from({ length: 6000 }, (_, i) => [`skills/s${i}.md`]);
 * const file = JSON.stringify({ decisions: [{ id: "r1", decision: "rejected", at: "2026-12-01", parts }] });
 * console.assert(parseDecisions(new TextEncoder().encode(file), ".archive/decisions.json").length === 0);
 * ```
 */
export function parseDecisions(bytes: Uint8Array | undefined, path: string): ReviewDecision[] {
  if (bytes === undefined) return [];
  if (bytes.length > MAX_DECISIONS_BYTES) {
    logger.warn("{problem}", { problem: tooLarge(path, bytes.length) });
    return [];
  }
  const all = decisionsList(bytes, path).map((item, index) => {
    const entry = item as Partial<ReviewDecision> | null;
    const valid = entry !== null && typeof entry === "object" && typeof entry.id === "string" &&
      (entry.decision === "approved" || entry.decision === "rejected") && typeof entry.at === "string" &&
      Array.isArray(entry.parts) && entry.parts.length >= 2 &&
      entry.parts.every((part) => Array.isArray(part) && part.length > 0 && part.every((p) => typeof p === "string"));
    if (!valid) throw new DecisionsError(`The review decisions ${path}: entry ${index + 1} is not a decision`);
    return { id: entry.id!, decision: entry.decision!, at: entry.at!, parts: entry.parts! };
  });
  const dropped = Math.max(0, all.length - MAX_DECISIONS);
  if (dropped > 0) {
    logger.warn(
      "The review decisions {path} hold {count} decisions, over the bound of {bound}: the oldest {dropped} are skipped",
      { path, count: all.length, bound: MAX_DECISIONS, dropped },
    );
  }
  // The newest first, so that the bound on all paths is spent on what the owner decided last.
  const kept: ReviewDecision[] = [];
  const skipped: string[] = [];
  let paths = 0;
  for (const decision of all.slice(dropped).reverse()) {
    const own = decision.parts.reduce((sum, part) => sum + part.length, 0);
    const problem = boundProblem(decision) ??
      (paths + own > MAX_DECISION_PATHS
        ? `it would make the paths of all decisions more than ${MAX_DECISION_PATHS}`
        : undefined);
    if (problem) {
      skipped.push(`decision ${printable(JSON.stringify(decision.id.slice(0, 100)))} is skipped: ${problem}`);
      continue;
    }
    paths += own;
    kept.push(decision);
  }
  for (const skip of skipped.slice(0, WARNED_DECISIONS)) {
    logger.warn("The review decisions {path}: {skip}", { path, skip });
  }
  if (skipped.length > WARNED_DECISIONS) {
    logger.warn("The review decisions {path}: {count} more decisions are skipped for their bounds", {
      path,
      count: skipped.length - WARNED_DECISIONS,
    });
  }
  return kept.reverse();
}

/**
 * The decisions file's text with one more decision. Every decision already
 * in the file is kept as it is, even one that is skipped for its bounds.
 *
 * @param repository Reads the repository.
 * @param path The decisions file, repository-relative.
 * @param decision The new one.
 * @returns JSON, one decision per line block, ending in a newline.
 * @throws {DecisionsError} When the file is not JSON, not a list of decisions, or over
 *   {@linkcode MAX_DECISIONS_BYTES}: nothing can be added to it.
 *
 * @example
 * ```ts ignore
 * import { withDecision } from "./review_decisions.ts";
 * writer.write(path, new TextEncoder().encode(withDecision(writer, path, decision)));
 * ```
 */
export function withDecision(
  repository: Pick<RepositoryWriter, "read">,
  path: string,
  decision: ReviewDecision,
): string {
  let bytes: Uint8Array | undefined;
  try {
    bytes = repository.read(path);
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new DecisionsError(tooLarge(path, error.size), { cause: error });
    throw error;
  }
  if (bytes !== undefined && bytes.length > MAX_DECISIONS_BYTES) throw new DecisionsError(tooLarge(path, bytes.length));
  // Checked as a run reads it, so that a file a run would refuse is refused now, while the owner is there to mend it.
  parseDecisions(bytes, path);
  const decisions = bytes === undefined ? [] : decisionsList(bytes, path);
  return `${JSON.stringify({ decisions: [...decisions, decision] }, null, 2)}\n`;
}

/** The file's list of decisions, each as parsed. */
function decisionsList(bytes: Uint8Array, path: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new DecisionsError(`The review decisions ${path} are not valid JSON`, { cause: error });
  }
  const list = (value as { decisions?: unknown } | null)?.decisions;
  if (!Array.isArray(list)) throw new DecisionsError(`The review decisions ${path} hold no "decisions" list`);
  return list;
}

/** Why a decision is over a bound of its own, if it is. */
function boundProblem(decision: ReviewDecision): string | undefined {
  const { parts } = decision;
  if (parts.length > MAX_PARTS) return `it has ${parts.length} parts, over the bound of ${MAX_PARTS}`;
  const widest = parts.reduce((most, part) => Math.max(most, part.length), 0);
  if (widest > MAX_PART_PATHS) return `a part names ${widest} skills, over the bound of ${MAX_PART_PATHS}`;
  for (const part of parts) {
    for (const path of part) {
      const problem = untrustedPathProblem(path);
      if (problem) return `the path ${printable(JSON.stringify(path.slice(0, 200)))} ${problem}`;
    }
  }
  return undefined;
}

function tooLarge(path: string, size: number): string {
  return `The review decisions ${path} are ${size} bytes, over the bound of ${MAX_DECISIONS_BYTES}: ` +
    `its decisions are not read and none can be added; trim it (git log -p -- ${path} shows who grew it)`;
}

/** A path named in several parts of one decision: it is apart from every path of that decision. */
const SEVERAL_PARTS = -1;

/**
 * The decision on each pair of skills, by path; later decisions win. Each
 * path is indexed with the decisions that name it and the part it is in, so a
 * decision costs memory in proportion to its paths, not to its pairs; the
 * decision on two skills takes at most {@linkcode MAX_DECIDE_STEPS} steps.
 *
 * @example
 * ```ts
 * import { PairDecisions } from "./review_decisions.ts";
 * const decisions = new PairDecisions([
 *   { id: "r1", decision: "approved", at: "2026-11-30", parts: [["skills/a.md"], ["skills/b.md"], ["skills/c.md"]] },
 *   { id: "r2", decision: "rejected", at: "2026-12-01", parts: [["skills/a.md", "skills/b.md"], ["skills/d.md"]] },
 * ]);
 * console.assert(decisions.decide(["skills/a.md"], ["skills/c.md"]) === "approved");
 * console.assert(decisions.decide(["skills/b.md"], ["skills/d.md"]) === "rejected");
 * console.assert(decisions.decide(["skills/a.md"], ["skills/b.md"]) === "approved");
 * ```
 */
export class PairDecisions {
  /** Each path's decisions: the decision's index (oldest first) → the part the path is in. */
  readonly #byPath = new Map<string, Map<number, number>>();
  readonly #decisions: Decision[] = [];
  /** Whether a pair too costly to decide was reported: once is enough, the rest are like it. */
  #warnedCostly = false;
  /** What the decisions are, as a hash: a clustering result depends on it. */
  readonly digest: string;

  /** @param decisions The decisions, oldest first. */
  constructor(decisions: readonly ReviewDecision[] = []) {
    this.digest = createHash("sha256").update(JSON.stringify(decisions)).digest("hex");
    decisions.forEach(({ decision, parts }, index) => {
      this.#decisions.push(decision);
      parts.forEach((part, partIndex) => {
        for (const path of part) {
          const named = this.#byPath.get(path) ?? new Map<number, number>();
          const before = named.get(index);
          named.set(index, before === undefined || before === partIndex ? partIndex : SEVERAL_PARTS);
          this.#byPath.set(path, named);
        }
      });
    });
  }

  /** Whether no decision was ever made. */
  get empty(): boolean {
    return this.#byPath.size === 0;
  }

  /**
   * The decision on two skills, each named by all its paths (a master's own and its members').
   *
   * @param a The first skill's paths.
   * @param b The second's.
   * @returns `rejected` when any pair across them was rejected, or when deciding would take more than
   *   {@linkcode MAX_DECIDE_STEPS} steps; else `approved` when one was approved.
   */
  decide(a: readonly string[], b: readonly string[]): Decision | undefined {
    let approved = false;
    let steps = 0;
    for (const x of a) {
      const ofX = this.#byPath.get(x);
      if (!ofX) continue;
      for (const y of b) {
        const ofY = this.#byPath.get(y);
        steps += 1 + (ofY ? Math.min(ofX.size, ofY.size) : 0);
        if (steps > MAX_DECIDE_STEPS) return this.#tooCostly(a[0], b[0]);
        const latest = ofY && latestApart(ofX, ofY);
        if (latest === undefined) continue;
        if (this.#decisions[latest] === "rejected") return "rejected";
        approved = true;
      }
    }
    return approved ? "approved" : undefined;
  }

  /** A pair whose decisions name too many of their paths to be decided: held apart, and reported once. */
  #tooCostly(a: string | undefined, b: string | undefined): Decision {
    if (!this.#warnedCostly) {
      this.#warnedCostly = true;
      logger.warn(
        "The review decisions name so many paths of {a} and {b} (and their members) that deciding on them would take " +
          "over {bound} steps: they are held apart, as rejected, as is any other such pair",
        { a, b, bound: MAX_DECIDE_STEPS },
      );
    }
    return "rejected";
  }
}

/** The latest decision that puts two paths in different parts, by their decisions; none when none does. */
function latestApart(x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>): number | undefined {
  const [fewer, more] = x.size <= y.size ? [x, y] : [y, x];
  let latest: number | undefined;
  for (const [index, part] of fewer) {
    const other = more.get(index);
    const apart = other !== undefined && (other !== part || part === SEVERAL_PARTS);
    if (apart && (latest === undefined || index > latest)) latest = index;
  }
  return latest;
}
