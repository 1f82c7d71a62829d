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

import { posix } from "node:path";
import { stringify } from "yaml";
import { parseFrontmatter } from "../discovery/frontmatter.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import { sameBytes } from "../fs/repository_writer.ts";
import {
  DECISIONS_FILE,
  parseDecisions,
  proposalId,
  type ReviewDecision,
  serializeDecisions,
} from "../clustering/review_decisions.ts";
import { ARCHIVE_INDEX, type ArchiveEntry, parseArchiveIndex } from "./archive_index.ts";
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
 * @throws {RestoreError} When nothing archived matches, or an original's place is taken.
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

/** Nothing can be restored at that path, or not safely; the message says why. */
export class RestoreError extends Error {
  override name = "RestoreError";
}

/**
 * Plans a restore.
 *
 * @param input What to restore and where.
 * @returns The plan.
 * @throws {RestoreError} When nothing archived matches, or an original's place is taken by another file.
 */
export function planRestore(input: RestoreInput): PlannedRestore {
  const indexPath = posix.join(input.archiveDir, ARCHIVE_INDEX);
  const live = parseArchiveIndex(input.writer.read(indexPath), indexPath)
    .filter((entry) => entry.restored === undefined && !entry.previousMaster);
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
  const filesOf = (member: ArchiveEntry) =>
    live.filter((entry) =>
      entry.master === master &&
      (entry.original === member.original ||
        (posix.basename(member.original) === "SKILL.md" &&
          entry.original.startsWith(`${posix.dirname(member.original)}/`)))
    );
  let restoring = members.filter((member) => asked.includes(member));
  let remaining = members.filter((member) => !asked.includes(member));
  const blocks = (member: ArchiveEntry) =>
    filesOf(member).some((file) => file.original === master || file.carriedTo === file.original);
  // The master goes when too few remain to make one, or when it stands where a restored original must come back.
  const removeMaster = remaining.length < 2 || restoring.some(blocks);
  if (removeMaster) [restoring, remaining] = [members, []];

  const operations: Operation[] = [];
  const paths = new Set<string>([indexPath]);
  const restoredFiles = restoring.flatMap(filesOf);
  const returning = new Set(restoredFiles.map((file) => file.original));
  // Files carried beside the master for the members that leave it, and the master itself when it goes.
  const leaving = removeMaster ? members.flatMap(filesOf) : restoredFiles;
  for (const file of leaving) {
    if (file.carriedTo !== undefined && !returning.has(file.carriedTo)) {
      operations.push({ kind: "remove", path: file.carriedTo, keep: input.skillsDir });
      paths.add(file.carriedTo);
    }
  }
  if (removeMaster) operations.push({ kind: "remove", path: master, keep: input.skillsDir });
  paths.add(master);
  for (const file of restoredFiles) {
    const present = input.writer.read(file.original);
    const archived = input.writer.read(file.archived);
    if (archived === undefined) throw new RestoreError(`${file.archived} is missing from the archive`);
    const freed = file.original === master || leaving.some((other) => other.carriedTo === file.original);
    if (present !== undefined && !freed && !sameBytes(present, archived)) {
      throw new RestoreError(`${file.original} is taken by another file; move it away, then restore`);
    }
    operations.push({ kind: "carry", from: file.archived, to: file.original });
    paths.add(file.original);
  }
  if (!removeMaster) {
    operations.push({ kind: "write", path: master, content: rewrittenMaster(input, master, remaining) });
  }
  const decision = rejection(input, asked, members.filter((member) => !asked.includes(member)));
  if (decision) {
    const decisionsPath = posix.join(input.archiveDir, DECISIONS_FILE);
    const content = serializeDecisions(parseDecisions(input.writer.read(decisionsPath), decisionsPath), decision);
    operations.push({ kind: "write", path: decisionsPath, content });
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

/**
 * The owner's "not together": the skills asked back against the master's other members, or, when the whole master
 * was undone, every member against every other.
 */
function rejection(input: RestoreInput, asked: ArchiveEntry[], others: ArchiveEntry[]): ReviewDecision | undefined {
  const parts = others.length === 0
    ? asked.map((entry) => [entry.original])
    : [asked.map((entry) => entry.original).sort(), others.map((entry) => entry.original).sort()];
  if (parts.length < 2) return undefined;
  return { id: proposalId(parts), decision: "rejected", at: input.at, parts };
}

/** The master written again from the members that remain, as they were merged; its name stays, its version rises. */
function rewrittenMaster(input: RestoreInput, master: string, remaining: ArchiveEntry[]): string {
  const current = new TextDecoder().decode(input.writer.read(master) ?? new Uint8Array());
  const { data } = parseFrontmatter(current);
  const members = remaining.map((entry) => {
    const member = readArchivedMember(input.writer, entry);
    if (!member) throw new RestoreError(`${entry.archived} cannot be read back as a skill`);
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
