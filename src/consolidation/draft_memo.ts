/**
 * Masters drafted by earlier runs, reused while their members are unchanged.
 * Drafting compares every member's text with the others' and is most of
 * consolidation planning; a run over an unchanged library (or one where a few
 * skills changed) plans the same clusters again, and review proposals are
 * previewed at every run until the owner decides.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Skill } from "../discovery/skill.ts";
import { draftMaster, type MasterDraft, type Member, type Refusal } from "./master_draft.ts";

/** A draft as the state store keeps it (its skills by path), or a master's diff against the file it replaces. */
export type StoredDraft =
  | (Omit<MasterDraft, "base" | "merged"> & { base: string; merged: string[] })
  | Refusal
  | { diff: string };

/**
 * Bumped whenever drafting gives another master for the same members, so that no draft of an earlier program is
 * reused.
 */
export const DRAFT_FORMAT = 2;

/**
 * Drafts masters through the drafts of the last run.
 *
 * @example A second run drafts nothing again
 * ```ts ignore
 * const memo = new DraftMemo(await store.loadDrafts());
 * const draft = memo.draft(skills, () => members); // drafted, or taken from the last run
 * await store.saveDrafts(memo.used);
 * ```
 */
export class DraftMemo {
  readonly #previous: ReadonlyMap<string, StoredDraft>;
  /** The drafts this run used (drafted or reused): what the next run may reuse. */
  readonly used: Map<string, StoredDraft> = new Map();
  /** How many drafts were taken from the last run. */
  reused = 0;

  /** Whether the drafts to keep differ from the last run's: when they do not, there is nothing to save. */
  get changed(): boolean {
    return this.used.size !== this.#previous.size || [...this.used.keys()].some((key) => !this.#previous.has(key));
  }

  /** @param previous The drafts the last run used, by key. */
  constructor(previous: ReadonlyMap<string, StoredDraft> = new Map()) {
    this.#previous = previous;
  }

  /**
   * The master of these skills: drafted, or the last run's draft of the same skills.
   *
   * @param skills The cluster's members, in cluster order.
   * @param members The members with their bodies, in the same order: read only when the master is drafted.
   * @returns What {@linkcode draftMaster} returns for them.
   */
  draft(skills: readonly Skill[], members: () => readonly Member[]): MasterDraft | Refusal {
    const key = draftKey(skills);
    const bySkill = new Map(skills.map((skill) => [skill.path, skill]));
    const stored = this.#previous.get(key);
    const reused = stored && !("diff" in stored) ? restore(stored, bySkill) : undefined;
    if (stored && reused) {
      this.reused++;
      this.used.set(key, stored);
      return reused;
    }
    const drafted = draftMaster(members());
    const storable = store(drafted);
    if (storable) this.used.set(key, storable);
    return drafted;
  }

  /**
   * A diff of a master, computed or the last run's of the same texts (a master hundreds of lines long takes a
   * line-by-line alignment).
   *
   * @param texts The file's path, its text before and the master's.
   * @param compute Computes the diff.
   * @returns The diff.
   */
  diff(texts: { path: string; before: string; after: string }, compute: () => string): string {
    const key = `diff ${
      createHash("sha256").update(texts.path).update("\0").update(texts.before).update("\0").update(texts.after)
        .digest("hex")
    }`;
    const stored = this.#previous.get(key);
    const diff = stored && "diff" in stored ? stored.diff : compute();
    this.used.set(key, stored ?? { diff });
    return diff;
  }
}

/**
 * What a draft depends on: each member's path, layout, content and what `_meta.json` adds (version, owner).
 *
 * @param skills The members, in cluster order.
 * @returns A SHA-256, hex.
 */
export function draftKey(skills: readonly Skill[]): string {
  const hash = createHash("sha256").update(`draft ${DRAFT_FORMAT}\n`);
  for (const skill of skills) {
    hash.update(
      JSON.stringify([skill.path, skill.layout, skill.slug, skill.contentHash, skill.version ?? null, skill.author]),
    ).update("\n");
  }
  return hash.digest("hex");
}

/** The draft as JSON keeps it, or nothing when JSON would change its frontmatter (a YAML `.inf`, say). */
function store(draft: MasterDraft | Refusal): StoredDraft | undefined {
  if ("refused" in draft) return draft;
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(draft.frontmatter)), draft.frontmatter)) return undefined;
  return { ...draft, base: draft.base.path, merged: draft.merged.map((skill) => skill.path) };
}

function restore(
  stored: Exclude<StoredDraft, { diff: string }>,
  skills: ReadonlyMap<string, Skill>,
): MasterDraft | Refusal | undefined {
  if ("refused" in stored) return stored;
  const base = skills.get(stored.base);
  const merged = stored.merged.map((path) => skills.get(path));
  if (!base || merged.some((skill) => skill === undefined)) return undefined;
  return { ...stored, frontmatter: structuredClone(stored.frontmatter), base, merged: merged as Skill[] };
}
