/**
 * The master skill of a duplicate cluster: its frontmatter and body, built
 * from the members without losing anything of theirs.
 *
 * - **name:** the best-supported member name (`master_name.ts`); a master from
 *   an earlier run keeps its own;
 * - **version:** the highest member version, bumped (`master_version.ts`);
 * - **description:** the base's, then each other member's that says something
 *   the ones before do not, within the AgentSkills limit of 1,024 characters:
 *   what an agent picks the skill by covers every member's job;
 * - **tags:** every member's, the richest member's first, no repeats;
 * - **metadata:** the base's and its near copies', merged key by key; where
 *   they disagree, the base's value stays and the disagreement is reported.
 *   Another implementation's requirements (`requires.bins`, `env`, install
 *   specs) stay with it, in its section;
 * - **other keys** (homepage, author, category, license…): the base's, else
 *   the first near copy that has one;
 * - **body:** the base's whole. A near copy (most of its text already in the
 *   base) adds what it has that the base lacks, block by block
 *   (`merge_bodies.ts`); another implementation (the same service through
 *   another CLI, another author's own write-up) is appended whole as one
 *   attributed section, never interleaved with the base's instructions;
 * - **merged_from:** an earlier master's entries, then each new member's name,
 *   version, path, author and content hash.
 *
 * The richest member is the one with the most body text (a master from an
 * earlier run always counts as richest, so it is updated rather than
 * replaced); ties go to the earlier path.
 *
 * @module
 */

import { PROVENANCE_KEY, type ProvenanceEntry, readProvenance } from "../clustering/provenance.ts";
import type { Skill } from "../discovery/skill.ts";
import { licenceConflict } from "./licence.ts";
import { posix } from "node:path";
import { type Alternative, BlockReader, BodyIndex, mergeBodies, withAlternatives } from "./merge_bodies.ts";
import { masterName } from "./master_name.ts";
import { masterVersion } from "./master_version.ts";
import { compareSemver } from "../semver.ts";

/** A member with its body, read again for merging. */
export interface Member {
  skill: Skill;
  body: string;
}

/** A master ready to be written. */
export interface MasterDraft {
  /** The master's name (a valid slug). */
  name: string;
  /** Its frontmatter, in key order. */
  frontmatter: Record<string, unknown>;
  /** Its body. */
  body: string;
  /** The member it is based on (an earlier master, or the richest member). */
  base: Skill;
  /** The members merged in now (without an earlier master). */
  merged: Skill[];
  /** Disagreements settled in favour of the base, for the report. */
  conflicts: string[];
}

/** The cluster cannot be merged; the reason goes into the report. */
export interface Refusal {
  refused: string;
}

/**
 * Drafts the master of a cluster.
 *
 * @param members The cluster's members with their bodies.
 * @returns The draft, or why the members cannot merge.
 */
export function draftMaster(members: readonly Member[]): MasterDraft | Refusal {
  const licence = licenceConflict(
    members.map(({ skill, body }) => ({ path: skill.path, license: skill.license, body })),
  );
  if (licence) return { refused: licence };
  const bySize = [...members].sort((a, b) =>
    Number(isMaster(b.skill)) - Number(isMaster(a.skill)) || b.body.length - a.body.length ||
    (a.skill.path < b.skill.path ? -1 : 1)
  );
  // The newest version of the richest member's skill is the base: a later release supersedes an earlier one.
  const newest = isMaster(bySize[0]!.skill)
    ? bySize[0]!
    : bySize.filter((member) => member === bySize[0] || sameSkill(member, bySize[0]!))
      .reduce((best, member) => newer(member, best) ? member : best);
  const ranked = [newest, ...bySize.filter((member) => member !== newest)];
  const base = newest;
  const others = ranked.slice(1);
  // One reader for the draft: its members' blocks are read once, whichever comparison asks first.
  const reader = new BlockReader();
  const baseIndex = new BodyIndex(base.body, reader);
  const isNearCopy = (member: Member) =>
    member === base || member.skill.features.bodyHash === base.skill.features.bodyHash ||
    baseIndex.coveredShare(member.body) >= NEAR_COPY_SHARE;
  // An earlier version of the base's own skill adds nothing to its text: what it said differently was changed on
  // purpose (it stays in the archive and in the provenance).
  const earlier = (member: Member) => member !== base && sameSkill(member, base) && newer(base, member);
  const copies = ranked.filter((member) => isNearCopy(member) || earlier(member));
  const alternatives = ranked.filter((member) => !isNearCopy(member) && !earlier(member));
  const contributing = copies.filter((member) => !earlier(member));
  const previous = readProvenance(base.skill.frontmatter) ?? [];
  const merged = isMaster(base.skill) ? others : ranked;
  const identical = new Set(members.map(({ skill }) => skill.features.bodyHash)).size === 1;
  const conflicts: string[] = [];

  const frontmatter = firstValues(copies.map(({ skill }) => skill.frontmatter));
  // The name is the main body's: when other implementations sit in sections of their own, theirs do not count.
  frontmatter.name = masterName(copies.map(({ skill }) => ({
    name: skill.name,
    slug: skill.slug,
    size: skill.size,
    master: isMaster(skill),
  })));
  frontmatter.description = masterDescription(ranked.map(({ skill }) => skill.description)) || undefined;
  frontmatter.version = masterVersion(
    ranked.map(({ skill }) => skill.version?.text),
    identical ? "identical" : "combined",
  );
  const tags = [...new Set(ranked.flatMap(({ skill }) => skill.tags))];
  if (tags.length > 0) frontmatter.tags = tags;
  const metadata = mergeMetadata(copies.map(({ skill }) => [skill.path, skill.metadata] as const), conflicts);
  if (Object.keys(metadata).length > 0) frontmatter.metadata = metadata;
  frontmatter[PROVENANCE_KEY] = [...previous, ...merged.flatMap(({ skill }) => provenanceOf(skill))];
  for (const key of Object.keys(frontmatter)) if (frontmatter[key] === undefined) delete frontmatter[key];

  return {
    name: frontmatter.name as string,
    frontmatter,
    body: withAlternatives(
      mergeBodies(contributing.map(({ body }) => body), reader),
      distinctImplementations(alternatives, reader).map(alternativeSection),
    ),
    base: base.skill,
    merged: merged.map(({ skill }) => skill),
    conflicts,
  };
}

/**
 * From this share of its text already in the base, a member is a near copy and merges block by block. Below it, a
 * member that diverged (edited instructions, another toolchain) is kept whole in a section of its own: splicing two
 * divergent texts block by block yields contradictions (blind audit of 30 masters, 2026-11-30).
 */
export const NEAR_COPY_SHARE = 0.95;

/**
 * Two members that are one skill in different releases: the same name from the same author. Version numbers of
 * different authors' skills say nothing of which is newer.
 */
function sameSkill(a: Member, b: Member): boolean {
  const [x, y] = [a.skill.author?.toLowerCase(), b.skill.author?.toLowerCase()];
  return a.skill.name.toLowerCase() === b.skill.name.toLowerCase() && x !== undefined && x === y;
}

/** Whether `a` is a later version than `b` (both known). */
function newer(a: Member, b: Member): boolean {
  const [x, y] = [a.skill.version?.semver, b.skill.version?.semver];
  return x !== undefined && y !== undefined && compareSemver(x, y) > 0;
}

/** The AgentSkills limit of a description. */
export const MAX_DESCRIPTION = 1024;

/**
 * A master's description: the first, then each sentence of the others that says something the text so far does not
 * (less than {@linkcode NEAR_COPY_SHARE} of its words already there), while it fits in {@linkcode MAX_DESCRIPTION}
 * characters (the first is cut at a word, with "…", when even it does not).
 */
function masterDescription(descriptions: readonly string[]): string {
  const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const [first = "", ...rest] = descriptions.map((d) => d.trim()).filter((d) => d !== "");
  let text = first.length <= MAX_DESCRIPTION ? first : `${first.slice(0, MAX_DESCRIPTION - 1).replace(/\s+\S*$/, "")}…`;
  for (const sentence of rest.flatMap((description) => description.split(/(?<=[.!?])\s+/))) {
    const known = wordsOf(text);
    const words = [...wordsOf(sentence)];
    if (words.length === 0 || words.filter((word) => known.has(word)).length >= NEAR_COPY_SHARE * words.length) {
      continue;
    }
    const joined = `${/[.!?…]$/.test(text) ? text : `${text}.`} ${sentence}`;
    if (joined.length <= MAX_DESCRIPTION) text = joined;
  }
  return text;
}

/**
 * Every key of the frontmatters, in order of first appearance, with the first value set for it.
 *
 * @param frontmatters The copies' frontmatters, base first.
 * @returns The merged frontmatter.
 */
function firstValues(frontmatters: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  // Keys are the skills' own, gathered in a Map: `constructor` or `__proto__` are plain keys, not Object.prototype's.
  const keys = new Map<string, unknown>();
  for (const frontmatter of frontmatters) {
    for (const key of Object.keys(frontmatter)) {
      if (!keys.has(key)) keys.set(key, frontmatters.map((other) => ownValue(other, key)).find(isSet));
    }
  }
  return Object.fromEntries(keys);
}

/**
 * A merged skill's lines in its master's provenance: itself, after its own members when it was a master (a master
 * merged into another brings its members along: every original stays named).
 *
 * @param skill The merged skill.
 * @returns Its provenance entries.
 */
function provenanceOf(skill: Skill): ProvenanceEntry[] {
  return [
    ...(readProvenance(skill.frontmatter) ?? []),
    {
      name: skill.name,
      ...(skill.version ? { version: skill.version.text } : {}),
      path: skill.path,
      ...(skill.author ? { author: skill.author } : {}),
      hash: skill.contentHash,
    },
  ];
}

/** Other implementations, copies of one another kept once: each with the paths of all its copies. */
function distinctImplementations(
  alternatives: readonly Member[],
  reader: BlockReader,
): Array<Member & { copies: string[] }> {
  const distinct: Array<Member & { copies: string[]; index: BodyIndex }> = [];
  for (const member of alternatives) {
    const index = new BodyIndex(member.body, reader);
    const same = distinct.find((kept) =>
      kept.skill.features.bodyHash === member.skill.features.bodyHash ||
      (kept.index.coveredShare(member.body) >= NEAR_COPY_SHARE && index.coveredShare(kept.body) >= NEAR_COPY_SHARE)
    );
    if (same) same.copies.push(member.skill.path);
    else distinct.push({ ...member, copies: [member.skill.path], index });
  }
  return distinct;
}

/** Another implementation's section: where it comes from, what it needs, and its body whole. */
function alternativeSection({ skill, body, copies }: Member & { copies: string[] }): Alternative {
  const requires = (skill.openclaw?.requires ?? {}) as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value : []).filter((item) => typeof item === "string");
  const needs = [
    ...list(requires.bins).map((bin) => `\`${bin}\``),
    ...list(requires.env).map((name) => `\`${name}\``),
  ];
  const installs = (Array.isArray(skill.openclaw?.install) ? skill.openclaw.install : []).flatMap((step) => {
    const record = (step ?? {}) as Record<string, unknown>;
    const what = [record.formula, record.package, record.module].find((value) => typeof value === "string");
    return typeof what === "string" ? [`${typeof record.kind === "string" ? `${record.kind} ` : ""}\`${what}\``] : [];
  });
  return {
    title: `Alternative: ${/^#\s+(.+)$/m.exec(body)?.[1]?.trim() ?? skill.name} (${posix.dirname(skill.path)}${
      skill.author ? `, by ${skill.author}` : ""
    })`,
    notes: [
      `Another implementation, merged from ${
        copies.map((path) => `\`${path}\``).join(" and ")
      }. Follow it on its own: its commands and requirements are not those of the instructions above.`,
      ...(needs.length > 0 || installs.length > 0
        ? [
          [
            needs.length > 0 ? `Requires ${needs.join(", ")}.` : "",
            installs.length > 0 ? `Install: ${installs.join(", ")}.` : "",
          ]
            .filter((part) => part !== "").join(" "),
        ]
        : []),
    ],
    body,
  };
}

function isMaster(skill: Skill): boolean {
  return readProvenance(skill.frontmatter) !== undefined;
}

/** Deep-merges metadata mappings; the first (richest) member wins each disagreement, which is recorded. */
function mergeMetadata(
  sources: ReadonlyArray<readonly [string, Record<string, unknown>]>,
  conflicts: string[],
  prefix = "metadata",
): Record<string, unknown> {
  const merged = new Map<string, unknown>();
  for (const [path, source] of sources) {
    for (const [key, value] of Object.entries(source)) {
      const here = merged.get(key);
      if (here === undefined) {
        merged.set(key, value);
      } else if (isMapping(here) && isMapping(value)) {
        merged.set(key, mergeMetadata([["", here], [path, value]], conflicts, `${prefix}.${key}`));
      } else if (Array.isArray(here) && Array.isArray(value)) {
        merged.set(key, [
          ...here,
          ...value.filter((item) => !here.some((known) => JSON.stringify(known) === JSON.stringify(item))),
        ]);
      } else if (JSON.stringify(here) !== JSON.stringify(value)) {
        conflicts.push(`${prefix}.${key}: kept ${JSON.stringify(here)}, not ${JSON.stringify(value)} from ${path}`);
      }
    }
  }
  // Object.fromEntries defines each key as the object's own, `__proto__` included.
  return Object.fromEntries(merged);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A mapping's own value for a key: never one inherited from Object.prototype. */
function ownValue(mapping: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

function isSet(value: unknown): boolean {
  return value !== undefined;
}
