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
      const bytes = entry && repository.read(entry.archived);
      const read = bytes && readSkill({
        path: member.path,
        layout: /\/SKILL\.md$/i.test(member.path) ? "folder" : "flat",
        slug: posix.basename(member.path.replace(/\/SKILL\.md$/i, "")).replace(/\.md$/i, ""),
        bytes,
        meta: member.author === undefined ? undefined : { owner: member.author },
      }).skill;
      if (!read) break;
      members.push(read);
    }
    if (members.length === provenance.length) result.set(skill.path, members);
  }
  return result;
}
