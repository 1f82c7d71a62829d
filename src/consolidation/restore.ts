/**
 * Undoing a merge: `heartbeat restore PATH` brings archived originals back.
 *
 * PATH is a master (all its members come back) or a member's original file or
 * folder. The master then drops the restored members: it is written again from
 * the members that remain (their archived originals, as merged), or removed when
 * fewer than two remain or when it stands where a restored original must go. The
 * restored skills are recorded as rejected beside the master's other members in
 * the owner's decisions, so no later run merges them again unless the owner
 * approves. Nothing is deleted from the archive: its index marks the entries
 * `restored`.
 *
 * The plan is operations of the same kinds as a merge's, carried out through the
 * same journal, so a restore killed at any instant completes at the next start.
 *
 * @module
 */

import { join, posix } from "node:path";
import { stringify } from "yaml";
import { readProvenance } from "../clustering/provenance.ts";
import { parseFrontmatter } from "../discovery/frontmatter.ts";
import { type RepositoryWriter, sameBytes, UnsafePathError } from "../fs/repository_writer.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import { realPathOf } from "../fs/repository_bounds.ts";
import {
  DECISIONS_FILE,
  DecisionsError,
  proposalId,
  type ReviewDecision,
  withDecision,
} from "../clustering/review_decisions.ts";
import {
  ARCHIVE_INDEX,
  ArchiveIndexError,
  type CheckedEntry,
  describeRefused,
  parseArchiveIndex,
} from "./archive_index.ts";
import { ArchivedFiles } from "./archived_files.ts";
import { draftMaster } from "./master_draft.ts";
import { readArchivedMember } from "./master_members.ts";
import { masterVersion } from "./master_version.ts";
import type { Operation } from "./plan.ts";
import { applyOperations, type ApplyOptions } from "./apply.ts";

/** What a restore needs. */
export interface RestoreInput {
  /** A master's path, or a member's original file or folder, repository-relative. */
  path: string;
  /** Reads the repository. */
  writer: RepositoryWriter;
  /** The skills directory, repository-relative. */
  skillsDir: string;
  /** The archive directory, repository-relative. */
  archiveDir: string;
  /** This restore's id, recorded in the archive's index and the decision. */
  runId: string;
  /** When, ISO 8601, for the decision. */
  at: string;
}

/** A restore, planned. */
export interface PlannedRestore {
  /** The master the originals came out of. */
  master: string;
  /** What happens to it: written again from the members that remain, or removed. */
  outcome: "rewritten" | "removed";
  /** The skill files brought back, by their original paths. */
  restored: string[];
  /** The operations, in order. */
  operations: Operation[];
  /** Every path the operations touch: what the restore's commit holds. */
  paths: string[];
}

/**
 * Plans a restore and carries it out through the journal.
 *
 * @param input What to restore, where, the state directory for the journal, and a test's crash hook.
 * @returns What was done.
 * @throws {RestoreError} When nothing can be restored, or not safely (see {@linkcode planRestore}); nothing was changed.
 * @throws {import("./apply.ts").ConsolidationError} When an operation cannot be carried out: the journal keeps the
 *   rest for the next start.
 *
 * @example
 * ```ts ignore
 * import { restoreOriginals } from "./restore.ts";
 * const plan = restoreOriginals({ path: "skills/a", writer, skillsDir: "skills", archiveDir: ".archive",
 *   runId: "restore-1", at: new Date().toISOString(), stateDir: ".heartbeat" });
 * ```
 */
export function restoreOriginals(
  input: RestoreInput & Pick<ApplyOptions, "stateDir" | "afterOperation">,
): PlannedRestore {
  const plan = planRestore(input);
  applyOperations(plan.operations, input.writer, {
    stateDir: input.stateDir,
    indexPath: posix.join(input.archiveDir, ARCHIVE_INDEX),
    ...(input.afterOperation ? { afterOperation: input.afterOperation } : {}),
  });
  return plan;
}

/** Nothing can be restored at that path, or not safely; the message says why and what to do, on one line. */
export class RestoreError extends Error {
  override name = "RestoreError";
}

/**
 * Plans a restore. It reads only the archive's index, its decisions and copies, and the skills directory; it acts
 * on nothing the index check refuses.
 *
 * @param input What to restore and where.
 * @returns The plan.
 * @throws {RestoreError} When nothing archived matches; when the index holds an entry it refuses (an archived copy
 *   outside the archive, an original outside its member's folder…), or is not a list; when a copy is missing,
 *   changed since the merge or not a regular file; when an original's place is taken by another file; when the
 *   decisions file cannot be read; when a path the plan reads leads outside the repository.
 *
 * @example
 * ```ts ignore
 * import { planRestore } from "./restore.ts";
 * const plan = planRestore({ path: "skills/a", writer, skillsDir: "skills", archiveDir: ".archive",
 *   runId: "restore-1", at: new Date().toISOString() });
 * ```
 */
export function planRestore(input: RestoreInput): PlannedRestore {
  try {
    return plan(input);
  } catch (error) {
    if (error instanceof ArchiveIndexError) {
      throw new RestoreError(`${error.message}; mend it (git log -p shows its history), then restore again`, {
        cause: error,
      });
    }
    if (error instanceof DecisionsError) {
      throw new RestoreError(`${error.message}; mend or remove it, then restore again`, { cause: error });
    }
    const unsafe = error instanceof UnsafePathError || error instanceof NotRegularFileError ||
      error instanceof FileTooLargeError;
    if (unsafe) throw new RestoreError(`${error.message}; nothing was restored`, { cause: error });
    throw error;
  }
}

function plan(input: RestoreInput): PlannedRestore {
  const index = parseArchiveIndex(input.writer.read(posix.join(input.archiveDir, ARCHIVE_INDEX)), input);
  if (index.refused.length > 0) throw new RestoreError(`${describeRefused(index)}, then restore again`);
  const indexPath = index.path;
  const live = index.entries.filter((entry) => entry.restored === undefined && !entry.previousMaster);
  const skillFiles = live.filter((entry) => entry.hash !== undefined);
  const path = input.path.replace(/\/+$/, "");
  const asked = skillFiles.filter((entry) =>
    entry.master === path || entry.original === path || posix.dirname(entry.original) === path
  );
  const master = asked[0]?.master;
  if (master === undefined) throw new RestoreError(`Nothing archived was merged from or into ${path}`);
  if (asked.some((entry) => entry.master !== master)) {
    throw new RestoreError(`${path} names originals of several masters; restore them one master at a time`);
  }
  const members = skillFiles.filter((entry) => entry.master === master);
  // A member's files: its skill file and those of its folder (never a file of another member's folder).
  const filesOf = (member: CheckedEntry) =>
    live.filter((entry) => entry.master === master && entry.member === member.original);
  let restoring = members.filter((member) => asked.includes(member));
  let remaining = members.filter((member) => !asked.includes(member));
  const blocks = (member: CheckedEntry) =>
    filesOf(member).some((file) => file.original === master || file.carriedTo === file.original);
  // The master goes when too few remain to make one, or when it stands where a restored original must come back.
  const removeMaster = remaining.length < 2 || restoring.some(blocks);
  if (removeMaster) [restoring, remaining] = [members, []];

  const operations: Operation[] = [];
  const paths = new Set<string>([indexPath]);
  const restoredFiles = restoring.flatMap(filesOf);
  const returning = new Set<string>();
  for (const file of restoredFiles) {
    if (returning.has(file.original)) {
      throw new RestoreError(
        `The archive index ${indexPath} names two archived copies of ${file.original}; remove the entry that is not ` +
          `the merge's (git log -p -- ${indexPath} shows who added it), then restore again`,
      );
    }
    returning.add(file.original);
  }
  // Files carried beside the master for the members that leave it, and the master itself when it goes.
  const leaving = removeMaster ? members.flatMap(filesOf) : restoredFiles;
  const archive = new ArchivedFiles(input.writer, input.archiveDir);
  for (const file of leaving) {
    if (file.carriedTo !== undefined && !returning.has(file.carriedTo)) {
      // Only the copy the merge carried is removed: a file edited since, or planted where the index says, stays.
      const carried = presentAt(input, file.carriedTo);
      if (carried !== undefined && !sameBytes(carried, archivedCopy(archive, file))) {
        throw new RestoreError(
          `${file.carriedTo} is not the copy of ${file.original} the merge carried there (it changed since); ` +
            `move it away, then restore`,
        );
      }
      operations.push({ kind: "remove", path: file.carriedTo, keep: input.skillsDir });
      paths.add(file.carriedTo);
    }
  }
  const standing = presentAt(input, master);
  // What the index names as the master is rewritten or removed: it must be one, whatever a planted entry names.
  const provenance = standing && readProvenance(parseFrontmatter(new TextDecoder().decode(standing)).data ?? {});
  if (standing !== undefined && !provenance?.length) {
    throw new RestoreError(
      `${master} is not a master (its frontmatter has no merged_from), so it is neither rewritten nor removed; ` +
        `remove the archive index's entries that name it (git log -p -- ${indexPath}), then restore again`,
    );
  }
  if (removeMaster) operations.push({ kind: "remove", path: master, keep: input.skillsDir });
  paths.add(master);
  for (const file of restoredFiles) {
    const archived = archivedCopy(archive, file);
    const present = presentAt(input, file.original);
    const freed = file.original === master || leaving.some((other) => other.carriedTo === file.original);
    if (present !== undefined && !freed && !sameBytes(present, archived)) {
      throw new RestoreError(`${file.original} is taken by another file; move it away, then restore`);
    }
    operations.push({ kind: "carry", from: file.archived, to: file.original });
    paths.add(file.original);
  }
  if (!removeMaster) {
    operations.push({ kind: "write", path: master, content: rewrittenMaster(input, archive, master, remaining) });
  }
  const decision = rejection(input, asked, members.filter((member) => !asked.includes(member)));
  if (decision) {
    const decisionsPath = posix.join(input.archiveDir, DECISIONS_FILE);
    operations.push({
      kind: "write",
      path: decisionsPath,
      content: withDecision(input.writer, decisionsPath, decision),
    });
    paths.add(decisionsPath);
  }
  operations.push({ kind: "restored", archived: restoredFiles.map((file) => file.archived), run: input.runId });
  return {
    master,
    outcome: removeMaster ? "removed" : "rewritten",
    restored: restoring.map((member) => member.original).sort(),
    operations,
    paths: [...paths].sort(),
  };
}

/** An entry's archived copy, or the refusal saying why it cannot be trusted. */
function archivedCopy(archive: ArchivedFiles, entry: CheckedEntry): Uint8Array {
  const copy = archive.read(entry);
  if ("problem" in copy) throw new RestoreError(`${copy.problem}; nothing was restored`);
  return copy.bytes;
}

/**
 * What lies where the restore writes or removes a file: nothing, or a regular file (a directory, a link or a FIFO
 * there is refused by the read). The place must really be in the skills directory: a symbolic link committed there
 * (`skills/x -> ../.github`) would carry a restored file somewhere its name does not say.
 *
 * @throws {RestoreError} When a link on the way leads out of the skills directory.
 */
function presentAt(input: RestoreInput, path: string): Uint8Array | undefined {
  const skills = realPathOf(join(input.writer.root, input.skillsDir));
  const real = realPathOf(join(input.writer.root, path));
  if (real !== join(skills, posix.relative(input.skillsDir, path))) {
    throw new RestoreError(
      `${path} leads through a symbolic link to ${real}, not in the skills directory; remove the link, then restore`,
    );
  }
  return input.writer.read(path);
}

/**
 * The owner's "not together": the skills asked back against the master's other members, or, when the whole master
 * was undone, every member against every other.
 */
function rejection(input: RestoreInput, asked: CheckedEntry[], others: CheckedEntry[]): ReviewDecision | undefined {
  const parts = others.length === 0
    ? asked.map((entry) => [entry.original])
    : [asked.map((entry) => entry.original).sort(), others.map((entry) => entry.original).sort()];
  if (parts.length < 2) return undefined;
  return { id: proposalId(parts), decision: "rejected", at: input.at, parts };
}

/** The master written again from the members that remain, as they were merged; its name stays, its version rises. */
function rewrittenMaster(input: RestoreInput, archive: ArchivedFiles, master: string, remaining: CheckedEntry[]) {
  const current = new TextDecoder().decode(input.writer.read(master) ?? new Uint8Array());
  const { data } = parseFrontmatter(current);
  const members = remaining.map((entry) => {
    const member = readArchivedMember(archive, entry);
    if ("problem" in member) throw new RestoreError(`${member.problem}; nothing was restored`);
    return member;
  });
  const draft = draftMaster(members);
  if ("refused" in draft) throw new RestoreError(`The remaining members cannot be merged again: ${draft.refused}`);
  const frontmatter = {
    ...draft.frontmatter,
    ...(typeof data?.name === "string" ? { name: data.name } : {}),
    version: masterVersion([String(data?.version ?? "0.0.0"), draft.frontmatter.version as string], "combined"),
  };
  return `---\n${stringify(frontmatter, { lineWidth: 0 })}---\n\n${draft.body}`;
}
