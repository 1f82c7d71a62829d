/**
 * The skills each master was made from, read back from the archive: the
 * clustering phase judges a master by its members, not by its accumulated
 * text, so a master never attracts what its members would not.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { posix } from "node:path";
import type { Skill } from "../discovery/skill.ts";
import { readSkill } from "../discovery/skill.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { readProvenance } from "../clustering/provenance.ts";
import {
  ARCHIVE_INDEX,
  type ArchiveEntry,
  ArchiveIndexError,
  type ArchiveLayout,
  type CheckedEntry,
  describeRefused,
  parseArchiveIndex,
} from "./archive_index.ts";
import { ArchivedFiles } from "./archived_files.ts";

const logger = getLogger([ROOT_CATEGORY, "clustering"]);

/**
 * Reads the archived members of every master among the skills.
 *
 * A master whose members cannot all be read back (an archive pruned by hand,
 * an index from before hashes were kept, a copy changed after the merge, an
 * index that cannot be read) is left out, with a warning when something in
 * the archive is wrong: it is judged by its own text, as before. Entries the
 * index check refuses are never read.
 *
 * @param repository Reads the archive.
 * @param layout Where the archive and the skills are, repository-relative.
 * @param skills The library's skills.
 * @returns Each master's members by the master's path; each member carries its original path.
 *
 * @example
 * ```ts ignore
 * import { masterMembers } from "./master_members.ts";
 * const members = masterMembers(writer, { archiveDir: ".archive", skillsDir: "skills" }, skills);
 * ```
 */
export function masterMembers(
  repository: RepositoryWriter,
  layout: ArchiveLayout,
  skills: readonly Skill[],
): Map<string, Skill[]> {
  const masters = skills.flatMap((skill) => {
    const provenance = readProvenance(skill.frontmatter);
    return provenance && provenance.length > 0 ? [{ skill, provenance }] : [];
  });
  const result = new Map<string, Skill[]>();
  if (masters.length === 0) return result;
  const entries = checkedEntries(repository, layout);
  const archived = new Map<string, CheckedEntry>();
  for (const entry of entries) {
    if (entry.hash !== undefined && entry.restored === undefined) {
      archived.set(`${entry.original}\n${entry.hash}`, entry);
    }
  }
  const files = new ArchivedFiles(repository, layout.archiveDir);
  for (const { skill, provenance } of masters) {
    const members: Skill[] = [];
    for (const member of provenance) {
      const entry = archived.get(`${member.path}\n${member.hash}`);
      if (!entry) break;
      const read = readArchivedMember(files, entry, member.author);
      if ("problem" in read) {
        logger.warn("{master} is judged by its own text: {problem}", { master: skill.path, problem: read.problem });
        break;
      }
      members.push(read.skill);
    }
    if (members.length === provenance.length) result.set(skill.path, members);
  }
  return result;
}

/** The index's entries that passed every check; none, with a warning, when it cannot be read. */
function checkedEntries(repository: RepositoryWriter, layout: ArchiveLayout): CheckedEntry[] {
  const path = posix.join(layout.archiveDir, ARCHIVE_INDEX);
  try {
    const index = parseArchiveIndex(repository.read(path), layout);
    if (index.refused.length > 0) logger.warn("{refused}", { refused: describeRefused(index) });
    return index.entries;
  } catch (error) {
    const unreadable = error instanceof ArchiveIndexError || error instanceof NotRegularFileError ||
      error instanceof FileTooLargeError;
    if (!unreadable) throw error;
    logger.warn("Masters are judged by their own text: {error}", { error: error.message });
    return [];
  }
}

/**
 * A member read back from the archive as the skill it was, under its original path.
 *
 * @param files Reads the archive's copies.
 * @param entry The member's archive entry: where it was, where it is, and the hash of its bytes when merged.
 * @param author Its author as the provenance names it, when the archived file does not say.
 * @returns The skill and its body, or what is wrong: the copy is missing, changed since the merge, or no longer reads
 *   as a skill.
 *
 * @example
 * ```ts ignore
 * import { ArchivedFiles } from "./archived_files.ts";
 * import { readArchivedMember } from "./master_members.ts";
 * const member = readArchivedMember(new ArchivedFiles(writer, ".archive"), entry);
 * ```
 */
export function readArchivedMember(
  files: ArchivedFiles,
  entry: Pick<ArchiveEntry, "original" | "archived" | "hash">,
  author?: string,
): { skill: Skill; body: string } | { problem: string } {
  const copy = files.read(entry);
  if ("problem" in copy) return copy;
  const { skill, body } = readSkill({
    path: entry.original,
    layout: /\/SKILL\.md$/i.test(entry.original) ? "folder" : "flat",
    slug: posix.basename(entry.original.replace(/\/SKILL\.md$/i, "")).replace(/\.md$/i, ""),
    bytes: copy.bytes,
    meta: author === undefined ? undefined : { owner: author },
  });
  return skill && body !== undefined
    ? { skill, body }
    : { problem: `${entry.archived} cannot be read back as a skill` };
}
