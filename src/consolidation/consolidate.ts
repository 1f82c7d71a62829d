/**
 * The consolidation phase: every duplicate cluster becomes one master skill,
 * its originals archived. A dry run plans the same operations and reports
 * them, with a diff of each master, without carrying them out.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { posix } from "node:path";
import type { Skill } from "../discovery/skill.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import type { ClusterReport, ConsolidationReport } from "../report.ts";
import { applyOperations, type ApplyOptions } from "./apply.ts";
import { ARCHIVE_INDEX, parseArchiveRecords } from "./archive_index.ts";
import { planConsolidation } from "./plan.ts";
import { masterDiff } from "./unified_diff.ts";
import type { Progress } from "../progress.ts";
import type { DraftMemo } from "./draft_memo.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

const logger = getLogger([ROOT_CATEGORY, "consolidation"]);

/** What the phase needs. */
export interface ConsolidateInput {
  clusters: readonly ClusterReport[];
  skills: readonly Skill[];
  writer: RepositoryWriter;
  /** Repository-relative skills and archive directories. */
  skillsDir: string;
  archiveDir: string;
  /** The state directory, for the journal. */
  stateDir: string;
  /** Passed on to {@linkcode applyOperations}: a test's way to crash at a chosen point. */
  afterOperation?: ApplyOptions["afterOperation"];
  runId: string;
  dryRun: boolean;
  /** Counts the clusters planned (none by default). */
  progress?: Progress;
  /** Reuses earlier runs' drafts of the same members (none by default). */
  drafts?: DraftMemo;
  /** Where planning gives the event loop a turn and stops when the run must (never, by default). */
  slice?: TimeSlice;
}

/**
 * Consolidates the merge clusters, or plans it in a dry run.
 *
 * @param input Clusters, skills, the repository and the mode.
 * @returns The phase's report: what was (or would be) written, archived and removed.
 * @throws {import("./archive_index.ts").ArchiveIndexError} When the archive's index cannot be read: nothing is merged.
 */
export async function consolidate(input: ConsolidateInput): Promise<ConsolidationReport> {
  const plan = await planConsolidation({
    clusters: input.clusters,
    skills: new Map(input.skills.map((skill) => [skill.path, skill])),
    writer: input.writer,
    skillsDir: input.skillsDir,
    archiveDir: input.archiveDir,
    runId: input.runId,
    ...(input.progress ? { progress: input.progress } : {}),
    ...(input.drafts ? { drafts: input.drafts } : {}),
    ...(input.slice ? { slice: input.slice } : {}),
  });
  const operations = plan.merges.flatMap((merge) => merge.operations);
  const indexPath = posix.join(input.archiveDir, ARCHIVE_INDEX);
  const slice = input.slice ?? UNSLICED;
  const merged: ConsolidationReport["merged"] = [];
  for (const merge of plan.merges) {
    merged.push({
      master: merge.master,
      name: merge.name,
      version: merge.version,
      absorbed: merge.absorbed,
      members: merge.members,
      conflicts: merge.conflicts,
      ...(input.dryRun ? { diff: masterDiff(merge, input.drafts) } : {}),
    });
    await slice.pause();
  }
  const report: ConsolidationReport = {
    status: "ok",
    merged,
    refused: plan.refused,
    written: operations.flatMap((op) =>
      op.kind === "write" || op.kind === "carry" ? [op.kind === "write" ? op.path : op.to] : []
    ),
    archived: operations.flatMap((op) => op.kind === "archive" ? [op.to] : []),
    removed: operations.flatMap((op) => op.kind === "remove" ? [op.path] : []),
  };
  if (operations.length > 0) report.written.push(indexPath);
  for (const merge of report.merged) {
    await slice.pause();
    logger.info("{verb} {master} {version} from {count} skills{conflicts}", {
      verb: input.dryRun ? "Would merge" : merge.absorbed ? "Updated" : "Merged",
      master: merge.master,
      version: merge.version,
      count: merge.members.length,
      conflicts: merge.conflicts.length > 0
        ? ` (${merge.conflicts.length} conflicts kept the richest member's value)`
        : "",
    });
    if (merge.diff) logger.debug("{diff}", { diff: merge.diff });
  }
  for (const refusal of plan.refused) {
    logger.warn("Not merged: {members}: {reason}", { members: refusal.members.join(", "), reason: refusal.reason });
  }
  if (!input.dryRun && operations.length > 0) {
    // An index that cannot be read would stop the merge half-way, after the first originals moved: check it first.
    parseArchiveRecords(input.writer.read(indexPath), indexPath);
    applyOperations(operations, input.writer, {
      stateDir: input.stateDir,
      indexPath,
      ...(input.afterOperation ? { afterOperation: input.afterOperation } : {}),
    });
  }
  return report;
}
