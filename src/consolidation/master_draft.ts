/**
 * The master skill of a duplicate cluster: its frontmatter and body, built
 * from the members without losing anything of theirs.
 *
 * - **name:** the best-supported member name (`master_name.ts`); a master from
 *   an earlier run keeps its own;
 * - **version:** the highest member version, bumped (`master_version.ts`);
 * - **description:** the richest member's, else the longest one there is;
 * - **tags:** every member's, the richest member's first, no repeats;
 * - **metadata:** merged key by key; where members disagree, the richest
 *   member's value stays and the disagreement is reported;
 * - **other keys** (homepage, author, category, license…): the richest
 *   member's, else the first member that has one;
 * - **body:** merged section by section (`merge_bodies.ts`);
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
import { mergeBodies } from "./merge_bodies.ts";
import { masterName } from "./master_name.ts";
import { masterVersion } from "./master_version.ts";

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
  const ranked = [...members].sort((a, b) =>
    Number(isMaster(b.skill)) - Number(isMaster(a.skill)) || b.body.length - a.body.length ||
    (a.skill.path < b.skill.path ? -1 : 1)
  );
  const base = ranked[0]!;
  const others = ranked.slice(1);
  const previous = readProvenance(base.skill.frontmatter) ?? [];
  const merged = isMaster(base.skill) ? others : ranked;
  const identical = new Set(members.map(({ skill }) => skill.features.bodyHash)).size === 1;
  const conflicts: string[] = [];

  // Keys are the skills' own, gathered in a Map: `constructor` or `__proto__` are plain keys, not Object.prototype's.
  const keys = new Map<string, unknown>();
  for (const { skill } of ranked) {
    for (const key of Object.keys(skill.frontmatter)) {
      if (!keys.has(key)) keys.set(key, ranked.map((member) => ownValue(member.skill.frontmatter, key)).find(isSet));
    }
  }
  const frontmatter: Record<string, unknown> = Object.fromEntries(keys);
  frontmatter.name = masterName(ranked.map(({ skill }) => ({
    name: skill.name,
    slug: skill.slug,
    size: skill.size,
    master: isMaster(skill),
  })));
  frontmatter.description = base.skill.description ||
    [...ranked].map(({ skill }) => skill.description).sort((a, b) => b.length - a.length)[0] || undefined;
  frontmatter.version = masterVersion(
    ranked.map(({ skill }) => skill.version?.text),
    identical ? "identical" : "combined",
  );
  const tags = [...new Set(ranked.flatMap(({ skill }) => skill.tags))];
  if (tags.length > 0) frontmatter.tags = tags;
  const metadata = mergeMetadata(ranked.map(({ skill }) => [skill.path, skill.metadata] as const), conflicts);
  if (Object.keys(metadata).length > 0) frontmatter.metadata = metadata;
  // A master merged into another brings its own members along: every original stays named.
  const entries: ProvenanceEntry[] = [
    ...previous,
    ...merged.flatMap(({ skill }) => [
      ...(readProvenance(skill.frontmatter) ?? []),
      {
        name: skill.name,
        ...(skill.version ? { version: skill.version.text } : {}),
        path: skill.path,
        ...(skill.author ? { author: skill.author } : {}),
        hash: skill.contentHash,
      },
    ]),
  ];
  frontmatter[PROVENANCE_KEY] = entries;
  for (const key of Object.keys(frontmatter)) if (frontmatter[key] === undefined) delete frontmatter[key];

  return {
    name: frontmatter.name as string,
    frontmatter,
    body: mergeBodies(ranked.map(({ body }) => body)),
    base: base.skill,
    merged: merged.map(({ skill }) => skill),
    conflicts,
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
