/**
 * The master skill of a duplicate cluster: its frontmatter and body, built
 * from the members without losing anything of theirs.
 *
 * - **name:** the best-supported member name (`master_name.ts`); a master from
 *   an earlier run keeps its own;
 * - **version:** the highest member version, bumped (`master_version.ts`);
 * - **description:** the base's, then each other member's sentences that say
 *   something new, within the AgentSkills limit of 1,024 characters, cut to
 *   their new phrases when they do not fit, triggers first
 *   (`master_description.ts`): what an agent picks the skill by covers every
 *   member's job and triggers;
 * - **tags:** every member's, the richest member's first, no repeats;
 * - **metadata:** the base's and its near copies', merged key by key; where
 *   they disagree, the base's value stays and the disagreement is reported.
 *   Another implementation's requirements (`requires.bins`, `env`, install
 *   specs) stay with it, in its section;
 * - **other keys** (homepage, author, category, license…): the base's, else
 *   the first near copy that has one;
 * - **body:** the base's whole. A near copy (most of its text already in the
 *   base) adds what it has that the base lacks, block by block, and its own
 *   variables, parameters, flags, paths and commands, attributed to it
 *   (`merge_bodies.ts`); any other member (another version of the skill,
 *   another implementation of its job) is appended whole as one attributed
 *   section saying how it stands to the base: which version is current, and
 *   whether it uses the same tools (`alternative_section.ts`), never
 *   interleaved with the base's instructions. Members' references to their
 *   own old names are renamed to the master's (`self_references.ts`);
 * - **merged_from:** an earlier master's entries, then each new member's name,
 *   version, path, author and content hash.
 *
 * The base is the richest member, the one with the most body text (a master
 * from an earlier run always counts as richest, so it is updated rather than
 * replaced; ties go to the earlier path), or the newest member of its name
 * when one says it is newer, by version or date (`recency.ts`).
 *
 * @module
 */

import { PROVENANCE_KEY, type ProvenanceEntry, readProvenance } from "../clustering/provenance.ts";
import type { Skill } from "../discovery/skill.ts";
import { licenceConflict } from "./licence.ts";
import { alternativeSection, type Relation, toolsOf } from "./alternative_section.ts";
import { BlockReader, BodyIndex, mergeBodies, withAlternatives } from "./merge_bodies.ts";
import { masterDescription } from "./master_description.ts";
import { masterName } from "./master_name.ts";
import { masterVersion } from "./master_version.ts";
import { compareRecency, describeRecency, type Recency, recencyOf } from "./recency.ts";
import { renameSelfReferences } from "./self_references.ts";

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
  const recency = new Map<Member, Recency>(members.map((member) => [member, recencyOf(member.skill, member.body)]));
  const newer = (a: Member, b: Member) => (compareRecency(recency.get(a)!, recency.get(b)!) ?? 0) > 0;
  // One reader for the draft: its members' blocks are read once, whichever comparison asks first.
  const reader = new BlockReader();
  const richest = bySize[0]!;
  const richestIndex = new BodyIndex(richest.body, reader);
  // Versions of one skill: its author's releases, or copies of one guide that went their own ways (the same name and
  // description, or much of the same text). Another author's skill of the same name and its own text is none.
  const versionOf = (member: Member, of: Member, index: BodyIndex) =>
    member === of || sameSkill(member, of) ||
    (sameName(member, of) && member.skill.description.trim() === of.skill.description.trim()) ||
    index.coveredShare(member.body) >= SAME_SKILL_SHARE;
  // The newest version of the richest member's skill, of its name, is the base: a later release supersedes an
  // earlier one, and of two versions of one guide the one that says it is newer is the current one, whoever
  // published it.
  const newest = isMaster(richest.skill) ? richest : bySize
    .filter((member) => sameName(member, richest) && versionOf(member, richest, richestIndex))
    .reduce((best, member) => newer(member, best) ? member : best);
  const ranked = [newest, ...bySize.filter((member) => member !== newest)];
  const base = newest;
  const others = ranked.slice(1);
  const baseIndex = newest === richest ? richestIndex : new BodyIndex(base.body, reader);
  const isNearCopy = (member: Member) =>
    member === base || member.skill.features.bodyHash === base.skill.features.bodyHash ||
    baseIndex.coveredShare(member.body) >= NEAR_COPY_SHARE;
  // An earlier release of the base's own skill (its author's) adds nothing to its text: what it said differently was
  // changed on purpose (it stays in the archive and in the provenance).
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
  const name = frontmatter.name as string;
  // A description that names its own skill ("use the foo-helper skill when…") names the master too.
  frontmatter.description = masterDescription(
    ranked.map((member) => renameSelfReferences(member.skill.description, namesOf(member), name)),
  ) || undefined;
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

  // A member's references to its own name point at the master: the near copies are one skill with the base, so
  // their names are the main body's; an alternative's are its section's only. Bodies are renamed before they are
  // merged, so that the paths that attribute a member's variants stay as they are.
  const renamed = (group: readonly Member[]) =>
    group.map((member) => renameSelfReferences(member.body, group.flatMap(namesOf), name));
  // A copy's own variant of a block says whether it is older or newer than the text it sits below, when they say.
  const sourcesOf = (group: readonly Member[]) =>
    group.map((member) =>
      sourceOf(member, compareRecency(recency.get(member)!, recency.get(group[0]!)!), recency.get(member)!)
    );
  const main = mergeBodies(renamed(contributing), { reader, sources: sourcesOf(contributing) });
  const baseTools = new Set(contributing.flatMap((member) => [...toolsOf(member.skill, member.body)]));
  const relationOf = (member: Member): Relation => ({
    kind: versionOf(member, base, baseIndex) ? "version" : "implementation",
    order: compareRecency(recency.get(member)!, recency.get(base)!),
    recency: recency.get(member)!,
    baseRecency: recency.get(base)!,
  });
  const sections = distinctImplementations(alternatives, reader).map(({ copies }) =>
    alternativeSection({
      skill: copies[0]!.skill,
      body: mergeBodies(renamed(copies), { reader, sources: sourcesOf(copies) }),
      copies: copies.map(({ skill }) => skill.path),
      relation: relationOf(copies[0]!),
    }, baseTools)
  );
  return {
    name,
    frontmatter,
    body: withAlternatives(main, sections),
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
 * From this share of its text already in the base, a member that is no near copy is another version of the base's
 * skill (edited, forked, older or newer) rather than another implementation of its job.
 */
const SAME_SKILL_SHARE = 0.5;

/**
 * Two members that are one skill in different releases: the same name from the same author. Version numbers of
 * different authors' skills say nothing of which release supersedes which.
 */
function sameSkill(a: Member, b: Member): boolean {
  const [x, y] = [a.skill.author?.toLowerCase(), b.skill.author?.toLowerCase()];
  return sameName(a, b) && x !== undefined && x === y;
}

/** Two members of the same name: copies or versions of one skill, whoever published them. */
function sameName(a: Member, b: Member): boolean {
  return a.skill.name.toLowerCase() === b.skill.name.toLowerCase();
}

/** The names a member's text may call itself by: its name and its folder's. */
function namesOf({ skill }: Member): string[] {
  return [skill.name, skill.slug];
}

/**
 * How a member's own variant of a block is attributed: its path and author, and whether it is older or newer than the
 * text above it (then the newer is current where the two differ).
 */
function sourceOf({ skill }: Member, order: number | undefined, recency: Recency): string {
  const path = `\`${skill.path}\`${skill.author ? ` (by ${skill.author})` : ""}`;
  if (order === undefined || order === 0) return path;
  return order < 0
    ? `${path}, an older version (${describeRecency(recency)}; the text above is current),`
    : `${path}, a newer version (${describeRecency(recency)}; it is current where the two differ),`;
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

/** Other implementations, copies of one another kept once: each with all its copies, itself first. */
function distinctImplementations(
  alternatives: readonly Member[],
  reader: BlockReader,
): Array<Member & { copies: Member[] }> {
  const distinct: Array<Member & { copies: Member[]; index: BodyIndex }> = [];
  for (const member of alternatives) {
    const index = new BodyIndex(member.body, reader);
    const same = distinct.find((kept) =>
      kept.skill.features.bodyHash === member.skill.features.bodyHash ||
      (kept.index.coveredShare(member.body) >= NEAR_COPY_SHARE && index.coveredShare(kept.body) >= NEAR_COPY_SHARE)
    );
    if (same) same.copies.push(member);
    else distinct.push({ ...member, copies: [member], index });
  }
  return distinct;
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
