/**
 * The consolidation plan: for each duplicate cluster, the operations that
 * turn its members into one master skill, in an order that never loses a
 * byte: first every original is copied into the archive, then the master is
 * written, supporting files are carried over, the originals are removed, and
 * the archive's index is updated.
 *
 * **Where a master lives.** An earlier master stays where it is. Otherwise the
 * folder layout wins over a flat file: the master is `<name>/SKILL.md` beside
 * the folder of the richest member in the folder layout (flat when every
 * member is flat, beside the richest member). A master never replaces a skill
 * outside its cluster: that cluster is refused and reported.
 *
 * **The archive** mirrors the skills directory (`skills/x/SKILL.md` →
 * `<archive>/x/SKILL.md`); a name already taken gets `~2`, `~3`… so nothing is
 * ever overwritten. `<archive>/index.json` maps each archived file to its master.
 *
 * **What cannot move whole is not merged.** A member's folder holding a
 * symbolic link, a FIFO, socket or device, or a supporting file over
 * {@linkcode MAX_SUPPORTING_FILE_BYTES}, and a cluster any of whose paths the
 * repository writer refuses (one that leads outside the repository or into a
 * git directory), is refused with a reason naming the path: nothing of it
 * moves, so nothing is lost and nothing huge is copied, and the owner who
 * removes the file gets the merge on the next run. Merging around such a file
 * would leave a half-moved folder beside the master.
 *
 * @module
 */

import { dirname, posix } from "node:path";
import { stringify } from "yaml";
import type { Skill } from "../discovery/skill.ts";
import { parseFrontmatter } from "../discovery/frontmatter.ts";
import { type ListedEntry, type RepositoryWriter, sameBytes, UnsafePathError } from "../fs/repository_writer.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import { errorMessage } from "../error_message.ts";
import type { ClusterReport } from "../report.ts";
import type { ArchiveEntry } from "./archive_index.ts";
import { draftMaster, type MasterDraft, type Member } from "./master_draft.ts";
import type { DraftMemo } from "./draft_memo.ts";
import { NO_PROGRESS, type Progress } from "../progress.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

/** One step of a consolidation. Every step can be repeated safely. */
export type Operation =
  | { kind: "archive"; from: string; to: string }
  | { kind: "write"; path: string; content: string }
  | { kind: "carry"; from: string; to: string }
  | { kind: "remove"; path: string; keep: string }
  | { kind: "index"; entries: ArchiveEntry[] }
  | { kind: "restored"; archived: string[]; run: string };

/** One cluster's consolidation. */
export interface PlannedMerge {
  /** The master's path. */
  master: string;
  /** Its name. */
  name: string;
  /** Its new version. */
  version: string;
  /** Whether an earlier master absorbs newcomers. */
  absorbed: boolean;
  /** The members' paths. */
  members: string[];
  /** What the master's file was before (a member's or the earlier master's text), for the diff. */
  before: string;
  /** The master's file. */
  after: string;
  /** The operations, in order. */
  operations: Operation[];
  /** Disagreements settled and supporting files not carried over. */
  conflicts: string[];
}

/** What consolidation will do. */
export interface ConsolidationPlan {
  merges: PlannedMerge[];
  /** Clusters that cannot merge, and why. */
  refused: Array<{ members: string[]; reason: string }>;
}

/** What planning needs. */
export interface PlanInput {
  /** The clusters; only duplicate clusters whose action is `merge` are consolidated. */
  clusters: readonly ClusterReport[];
  /** The skills by path. */
  skills: ReadonlyMap<string, Skill>;
  /** Reads and lists the repository. */
  writer: RepositoryWriter;
  /** The skills directory, repository-relative (`skills`). */
  skillsDir: string;
  /** The archive directory, repository-relative (`.archive`). */
  archiveDir: string;
  /** The run's id, recorded in the archive's index. */
  runId: string;
  /** Counts the clusters planned (none by default). */
  progress?: Progress;
  /** Reuses the masters earlier runs drafted from the same members (none by default). */
  drafts?: DraftMemo;
  /** Where planning gives the event loop a turn and stops when the run must (never, by default). */
  slice?: TimeSlice;
  /** What the archive holds (see {@linkcode archivedPaths}); listed by the plan when not given. */
  archived?: ReadonlySet<string> | undefined;
}

const MANIFEST = "_meta.json";

/**
 * The largest supporting file (script, reference, asset) a merge moves: 8 MiB.
 * ClawHub accepts text files only, 50 MB per skill in all; the largest file
 * besides a SKILL.md in the 4,725 files of the shared corpus is a 16 KiB
 * licence, and the largest SKILL.md 125 KiB. A file of megabytes in a skill's
 * folder is data someone should look at, not something to copy silently (and
 * carrying it means reading it whole, twice).
 */
export const MAX_SUPPORTING_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Plans the consolidation of the merge clusters.
 *
 * @param input The clusters, skills and repository.
 * @returns The plan.
 * @throws {import("../time_slice.ts").RunStoppedError} When the run was asked to stop (nothing was written yet).
 */
export async function planConsolidation(input: PlanInput): Promise<ConsolidationPlan> {
  const plan: ConsolidationPlan = { merges: [], refused: [] };
  const reserved = new Set<string>();
  const merging = input.clusters.filter((cluster) => cluster.kind === "duplicate" && cluster.action === "merge");
  const planning = (input.progress ?? NO_PROGRESS).start("merges planned", merging.length);
  const planInput = merging.length > 0 && !input.archived
    ? { ...input, archived: archivedPaths(input.writer, input.archiveDir) }
    : input;
  const slice = input.slice ?? UNSLICED;
  for (const cluster of merging) {
    await slice.pause();
    planning.advance(1);
    const members = cluster.members.map((path) => input.skills.get(path)).filter((s): s is Skill => s !== undefined);
    if (members.length < 2) continue;
    // A refused cluster keeps none of the paths it claimed: they stay free for the clusters after it.
    const claims = new Set<string>();
    const planned = refusedOnUnsafePath(() => planMerge(members, planInput, reserved, claims));
    if ("reason" in planned) {
      plan.refused.push({ members: cluster.members, reason: planned.reason });
    } else {
      plan.merges.push(planned);
      for (const path of claims) reserved.add(path);
    }
  }
  planning.end();
  return plan;
}

/** A path the writer refuses, or a file it will not read, refuses the cluster instead of failing the run. */
function refusedOnUnsafePath(plan: () => PlannedMerge | { reason: string }): PlannedMerge | { reason: string } {
  try {
    return plan();
  } catch (error) {
    if (
      error instanceof UnsafePathError || error instanceof NotRegularFileError || error instanceof FileTooLargeError
    ) {
      return { reason: errorMessage(error) };
    }
    throw error;
  }
}

function planMerge(
  skills: readonly Skill[],
  input: PlanInput,
  reserved: ReadonlySet<string>,
  claims: Set<string>,
): PlannedMerge | { reason: string } {
  const files = membersFiles(skills, input.writer);
  if ("reason" in files) return files;
  const { owned, texts } = files;
  // Bodies are parsed only for a master that is drafted now, not for one an earlier run drafted.
  const members = (): Member[] =>
    skills.map((skill) => ({ skill, body: parseFrontmatter(texts.get(skill.path)!).body }));
  const draft = input.drafts ? input.drafts.draft(skills, members) : draftMaster(members());
  if ("refused" in draft) return { reason: draft.refused };
  const absorbed = draft.merged.length < skills.length;
  const masterPath = masterPlace(draft, skills, absorbed);
  const masterFolder = posix.dirname(masterPath);
  const memberPaths = new Set(skills.map((s) => s.path));
  const occupant = input.writer.read(masterPath) !== undefined && !memberPaths.has(masterPath);
  if (occupant || reserved.has(masterPath)) return { reason: `another skill already lives at ${masterPath}` };
  claims.add(masterPath);
  const content = `---\n${stringify(draft.frontmatter, { lineWidth: 0 })}---\n\n${draft.body}`;

  const operations: Operation[] = [];
  const entries: ArchiveEntry[] = [];
  const removals: Operation[] = [];
  const carries: Operation[] = [];
  const kept = new Set([masterPath]);
  const conflicts = [...draft.conflicts];
  for (const skill of skills) {
    const archiveBase = archiveTarget(skill, input, reserved, claims);
    for (const file of owned.get(skill)!) {
      const inside = skill.layout === "folder" ? posix.relative(posix.dirname(skill.path), file) : "";
      const archived = skill.layout === "folder" ? posix.join(archiveBase, inside) : archiveBase;
      operations.push({ kind: "archive", from: file, to: archived });
      let carriedTo: string | undefined;
      const supporting = skill.layout === "folder" && file !== skill.path && posix.basename(file) !== MANIFEST;
      if (supporting) {
        const target = posix.join(masterFolder, inside);
        if (target !== file) {
          const existing = input.writer.read(target);
          const bytes = input.writer.read(file)!;
          if (kept.has(target) || (existing && !sameBytes(existing, bytes))) {
            conflicts.push(`${file}: not carried over, ${target} already differs (the file is in the archive)`);
          } else {
            carries.push({ kind: "carry", from: file, to: target });
            carriedTo = target;
          }
        }
        kept.add(target);
      }
      entries.push({
        original: file,
        archived,
        master: masterPath,
        ...(carriedTo === undefined ? {} : { carriedTo }),
        ...(file === skill.path
          ? skill === draft.base && absorbed ? { previousMaster: true as const } : { hash: skill.contentHash }
          : {}),
        run: input.runId,
      });
      if (!kept.has(file)) removals.push({ kind: "remove", path: file, keep: input.skillsDir });
    }
  }
  operations.push({ kind: "write", path: masterPath, content });
  for (const carry of carries) operations.push(carry);
  // A file removed before it is carried would be lost: removals come last, and skip what is kept.
  for (const op of removals) if (op.kind === "remove" && !kept.has(op.path)) operations.push(op);
  operations.push({ kind: "index", entries });
  return {
    master: masterPath,
    name: draft.name,
    version: draft.frontmatter.version as string,
    absorbed,
    members: skills.map((s) => s.path),
    before: texts.get(masterPath) ?? texts.get(draft.base.path) ?? "",
    after: content,
    operations,
    conflicts,
  };
}

/**
 * Each member's own files and its skill file's text, or why the cluster cannot merge: read first, so that a cluster
 * that cannot move whole is refused before anything is planned.
 */
function membersFiles(
  skills: readonly Skill[],
  writer: RepositoryWriter,
): { owned: Map<Skill, string[]>; texts: Map<string, string> } | { reason: string } {
  const owned = new Map<Skill, string[]>();
  for (const skill of skills) {
    const files = ownFiles(skill, writer);
    if ("reason" in files) return files;
    owned.set(skill, files.paths);
  }
  const texts = new Map<string, string>();
  for (const skill of skills) {
    const bytes = writer.read(skill.path);
    if (!bytes) return { reason: `${skill.path} is gone` };
    texts.set(skill.path, new TextDecoder().decode(bytes));
  }
  return { owned, texts };
}

/**
 * Where the master goes: in place of an earlier master it absorbs; else a folder skill named after it beside the
 * members' folders when one of them is a folder skill (the folder layout wins); else a flat file beside the base.
 */
function masterPlace(draft: MasterDraft, skills: readonly Skill[], absorbed: boolean): string {
  if (absorbed) return draft.base.path;
  const folderMember = draft.base.layout === "folder" ? draft.base : skills.find((s) => s.layout === "folder");
  return folderMember
    ? posix.join(posix.dirname(posix.dirname(folderMember.path)), draft.name, "SKILL.md")
    : posix.join(posix.dirname(draft.base.path), `${draft.name}.md`);
}

/**
 * A member's own files: its skill file, and in the folder layout everything in its folder but nested
 * skills; or why the folder cannot move whole.
 */
function ownFiles(skill: Skill, writer: RepositoryWriter): { paths: string[] } | { reason: string } {
  if (skill.layout === "flat") return { paths: [skill.path] };
  const folder = posix.dirname(skill.path);
  const all = writer.list(folder);
  const nested = all.filter((entry) =>
    entry.kind === "file" && posix.basename(entry.path) === "SKILL.md" && entry.path !== skill.path
  ).map((entry) => posix.dirname(entry.path));
  const own = all.filter((entry) => !nested.some((dir) => entry.path.startsWith(`${dir}/`)));
  const unmovable = own.find((entry) => entry.kind !== "file" || entry.size > MAX_SUPPORTING_FILE_BYTES);
  return unmovable ? { reason: unmovableReason(unmovable) } : { paths: own.map((entry) => entry.path) };
}

function unmovableReason(entry: ListedEntry): string {
  const what = entry.kind === "symlink"
    ? "is a symbolic link"
    : entry.kind === "special"
    ? "is a FIFO, socket or device"
    : `is ${entry.size} bytes, over the ${MAX_SUPPORTING_FILE_BYTES / 1024 / 1024} MiB limit for supporting files`;
  return `${entry.path} ${what}: its folder is not merged, nothing in it moves`;
}

/**
 * Every path the archive holds, with the directories above each: its names in use, listed once rather than probed
 * one candidate at a time (most candidates do not exist, and each miss cost an exception).
 *
 * @param writer The repository.
 * @param archiveDir The archive directory, repository-relative.
 * @returns The paths, or nothing when the archive cannot be listed safely (a git directory in it, a link out of the
 *   repository): then each name is probed, and refuses its cluster as before.
 */
export function archivedPaths(writer: RepositoryWriter, archiveDir: string): Set<string> | undefined {
  let entries: ListedEntry[];
  try {
    entries = writer.list(archiveDir);
  } catch (error) {
    if (error instanceof UnsafePathError) return undefined;
    throw error;
  }
  const paths = new Set<string>();
  for (const entry of entries) {
    for (let path = entry.path; path !== archiveDir && !paths.has(path); path = posix.dirname(path)) {
      paths.add(path);
    }
  }
  return paths;
}

/** The member's place in the archive, `~2`, `~3`… when taken. */
function archiveTarget(skill: Skill, input: PlanInput, reserved: ReadonlySet<string>, claims: Set<string>): string {
  const relative = posix.relative(input.skillsDir, skill.layout === "folder" ? dirname(skill.path) : skill.path);
  const base = posix.join(input.archiveDir, relative.startsWith("..") ? posix.basename(relative) : relative);
  for (let n = 1;; n++) {
    const candidate = n === 1
      ? base
      : skill.layout === "folder"
      ? `${base}~${n}`
      : base.replace(/(\.md)?$/i, `~${n}$1`);
    const taken = input.archived
      ? input.archived.has(candidate)
      : skill.layout === "folder"
      ? input.writer.list(candidate).length > 0
      : input.writer.read(candidate) !== undefined;
    if (!taken && !reserved.has(candidate) && !claims.has(candidate)) {
      claims.add(candidate);
      return candidate;
    }
  }
}
