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
 * @module
 */

import { createHash } from "node:crypto";

/** The decisions file's name, in the archive directory. */
export const DECISIONS_FILE = "decisions.json";

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
 * Reads the decisions file.
 *
 * @param bytes The file's bytes; `undefined` when there is none.
 * @param path Its path, for the error.
 * @returns The decisions, oldest first.
 * @throws {DecisionsError} When the file is not JSON or not a list of decisions.
 */
export function parseDecisions(bytes: Uint8Array | undefined, path: string): ReviewDecision[] {
  if (bytes === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new DecisionsError(`The review decisions ${path} are not valid JSON`, { cause: error });
  }
  const list = (value as { decisions?: unknown } | null)?.decisions;
  if (!Array.isArray(list)) throw new DecisionsError(`The review decisions ${path} hold no "decisions" list`);
  return list.map((item, index) => {
    const entry = item as Partial<ReviewDecision> | null;
    const valid = entry !== null && typeof entry === "object" && typeof entry.id === "string" &&
      (entry.decision === "approved" || entry.decision === "rejected") && typeof entry.at === "string" &&
      Array.isArray(entry.parts) && entry.parts.length >= 2 &&
      entry.parts.every((part) => Array.isArray(part) && part.length > 0 && part.every((p) => typeof p === "string"));
    if (!valid) throw new DecisionsError(`The review decisions ${path}: entry ${index + 1} is not a decision`);
    return { id: entry.id!, decision: entry.decision!, at: entry.at!, parts: entry.parts! };
  });
}

/**
 * The decisions file's text with one more decision.
 *
 * @param decisions The decisions so far.
 * @param decision The new one.
 * @returns JSON, one decision per line block, ending in a newline.
 */
export function serializeDecisions(decisions: readonly ReviewDecision[], decision: ReviewDecision): string {
  return `${JSON.stringify({ decisions: [...decisions, decision] }, null, 2)}\n`;
}

/** The decision on each pair of skills, by path; later decisions win. */
export class PairDecisions {
  readonly #pairs = new Map<string, Decision>();
  /** What the decisions are, as a hash: a clustering result depends on it. */
  readonly digest: string;

  /** @param decisions The decisions, oldest first. */
  constructor(decisions: readonly ReviewDecision[] = []) {
    this.digest = createHash("sha256").update(JSON.stringify(decisions)).digest("hex");
    for (const { decision, parts } of decisions) {
      parts.forEach((part, i) => {
        for (const other of parts.slice(i + 1)) {
          for (const a of part) for (const b of other) this.#pairs.set(pairKey(a, b), decision);
        }
      });
    }
  }

  /** Whether no decision was ever made. */
  get empty(): boolean {
    return this.#pairs.size === 0;
  }

  /**
   * The decision on two skills, each named by all its paths (a master's own and its members').
   *
   * @param a The first skill's paths.
   * @param b The second's.
   * @returns `rejected` when any pair across them was rejected, else `approved` when one was approved.
   */
  decide(a: readonly string[], b: readonly string[]): Decision | undefined {
    let approved = false;
    for (const x of a) {
      for (const y of b) {
        const decision = this.#pairs.get(pairKey(x, y));
        if (decision === "rejected") return "rejected";
        if (decision === "approved") approved = true;
      }
    }
    return approved ? "approved" : undefined;
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}
