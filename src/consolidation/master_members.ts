/**
 * The skills each master was made from, read back from the archive: the
 * clustering phase judges a master by its members, not by its accumulated
 * text, so a master never attracts what its members would not.
 *
 * @module
 */

import { posix } from "node:path";
import type { Skill } from "../discovery/skill.ts";
import { readSkill } from "../discovery/skill.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import { readProvenance } from "../clustering/provenance.ts";
import { ARCHIVE_INDEX, type ArchiveEntry, parseArchiveIndex } from "./archive_index.ts";

/**
 * Reads the archived members of every master among the skills.
 *
 * A master whose members cannot all be read back (an archive pruned by hand,
 * an index from before hashes were kept) is left out: it is judged by its own
 * text, as before.
 *
 * @param repository Reads the archive.
 * @param archiveDir The archive directory, relative to the repository.
 * @param skills The library's skills.
 * @returns Each master's members by the master's path; each member carries its original path.
 * @throws {import("./archive_index.ts").ArchiveIndexError} When the archive's index cannot be read.
 */
export function masterMembers(
  repository: RepositoryWriter,
  archiveDir: string,
  skills: readonly Skill[],
): Map<string, Skill[]> {
  const masters = skills.flatMap((skill) => {
    const provenance = readProvenance(skill.frontmatter);
    return provenance && provenance.length > 0 ? [{ skill, provenance }] : [];
  });
  const result = new Map<string, Skill[]>();
  if (masters.length === 0) return result;
  const indexPath = posix.join(archiveDir, ARCHIVE_INDEX);
  const archived = new Map<string, ArchiveEntry>();
  for (const entry of parseArchiveIndex(repository.read(indexPath), indexPath)) {
    if (entry.hash !== undefined && !entry.previousMaster && entry.restored === undefined) {
      archived.set(`${entry.original}\n${entry.hash}`, entry);
    }
  }
  for (const { skill, provenance } of masters) {
    const members: Skill[] = [];
    for (const member of provenance) {
      const entry = archived.get(`${member.path}\n${member.hash}`);
      const read = entry && readArchivedMember(repository, entry, member.author);
      if (!read) break;
      members.push(read.skill);
    }
    if (members.length === provenance.length) result.set(skill.path, members);
  }
  return result;
}

/**
 * A member read back from the archive as the skill it was, under its original path.
 *
 * @param repository Reads the archive.
 * @param entry The member's archive entry: where it was and where it is.
 * @param author Its author as the provenance names it, when the archived file does not say.
 * @returns The skill and its body, or `undefined` when the file is gone or no longer reads as a skill.
 */
export function readArchivedMember(
  repository: RepositoryWriter,
  entry: Pick<ArchiveEntry, "original" | "archived">,
  author?: string,
): { skill: Skill; body: string } | undefined {
  const bytes = repository.read(entry.archived);
  if (!bytes) return undefined;
  const { skill, body } = readSkill({
    path: entry.original,
    layout: /\/SKILL\.md$/i.test(entry.original) ? "folder" : "flat",
    slug: posix.basename(entry.original.replace(/\/SKILL\.md$/i, "")).replace(/\.md$/i, ""),
    bytes,
    meta: author === undefined ? undefined : { owner: author },
  });
  return skill && body !== undefined ? { skill, body } : undefined;
}
