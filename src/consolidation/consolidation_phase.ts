/**
 * The consolidation phase of a run: review proposals previewed, merge
 * clusters consolidated (or planned, in a dry run), and again, round after
 * round, while merging makes new duplicates appear; through the drafts of the
 * last run.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { PipelineAdapters } from "../adapters.ts";
import type { Skill } from "../discovery/skill.ts";
import type { ClusterReport, ConsolidationReport } from "../report.ts";
import type { StateStore } from "../store/state_store.ts";
import { NO_PROGRESS } from "../progress.ts";
import { consolidate, type ConsolidateInput } from "./consolidate.ts";
import { DraftMemo, type StoredDraft } from "./draft_memo.ts";
import { withReviewPreviews } from "./review_preview.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import type { TimeSlice } from "../time_slice.ts";

const logger = getLogger([ROOT_CATEGORY, "consolidation"]);

/** What the phase consolidates, and how it sees the library again after a round. */
export interface ConsolidationPhaseInput {
  /** The run's clusters. */
  clusters: readonly ClusterReport[];
  /**
   * The skills that may merge. The phase takes them over and empties this list: a later round reads the library again,
   * and two libraries of 60,000 skills side by side ran a run out of memory.
   */
  skills: Skill[];
  /** Repository-relative skills and archive directories. */
  skillsDir: string;
  archiveDir: string;
  /** The state directory, for the journal. */
  stateDir: string;
  runId: string;
  /** Plan only: change nothing. */
  dryRun: boolean;
  /** Operations of an interrupted consolidation completed before the run, for the report. */
  recovered: number;
  /** Stops between rounds. */
  signal?: AbortSignal | undefined;
  /** Where planning gives the event loop a turn, and stops when the run must. */
  slice?: TimeSlice;
  /** The library after a round merged: its skills that may merge and their clusters. */
  again(): Promise<{ skills: Skill[]; clusters: ClusterReport[] }>;
}

/** What the phase did. */
export interface ConsolidationPhaseResult {
  /** The run's clusters, review proposals with their previews, and the merge clusters of later rounds. */
  clusters: ClusterReport[];
  /** The phase's report. */
  report: ConsolidationReport;
  /** The skills that may merge after the last round. */
  skills: Skill[];
}

/** At most this many rounds of consolidation in one run. */
const MAX_ROUNDS = 5;

/**
 * Consolidates the merge clusters (plans them, in a dry run) and previews the review proposals.
 *
 * @param adapters The store (the drafts), the repository and progress.
 * @param input The clusters, skills, directories and mode.
 * @returns The clusters, the report and the skills after the last round.
 */
export async function runConsolidationPhase(
  adapters: Pick<PipelineAdapters, "store" | "repository" | "progress">,
  input: ConsolidationPhaseInput,
): Promise<ConsolidationPhaseResult> {
  const drafts = new DraftMemo(await loadDrafts(adapters.store));
  const progress = adapters.progress ?? NO_PROGRESS;
  const shared: Omit<ConsolidateInput, "clusters" | "skills"> = {
    writer: adapters.repository,
    skillsDir: input.skillsDir,
    archiveDir: input.archiveDir,
    stateDir: input.stateDir,
    runId: input.runId,
    dryRun: input.dryRun,
    progress,
    drafts,
    ...(input.slice ? { slice: input.slice } : {}),
  };
  let skills = input.skills;
  input.skills = [];
  // What each review proposal would write, planned before anything changes the tree.
  const clusters = await withReviewPreviews(input.clusters, {
    skills: new Map(skills.map((skill) => [skill.path, skill])),
    writer: adapters.repository,
    skillsDir: input.skillsDir,
    archiveDir: input.archiveDir,
    runId: input.runId,
    progress,
    drafts,
    ...(input.slice ? { slice: input.slice } : {}),
  });
  const report: ConsolidationReport = {
    ...(await consolidate({ ...shared, clusters, skills })),
    rounds: 1,
    mergedPerRound: [],
    ...(input.recovered > 0 ? { recovered: input.recovered } : {}),
  };
  // Merging changes the library (its statistics, who sits beside whom), so new duplicates can
  // appear among the masters and the rest: consolidate again until nothing merges, so that the
  // next run finds nothing to do. A dry run plans one round only: it writes nothing to build on.
  let merged = report.merged.length;
  report.mergedPerRound!.push(merged);
  while (!input.dryRun && merged > 0 && report.rounds! < MAX_ROUNDS && !input.signal?.aborted) {
    // Only the round's report holds on to what it merged: the last library is let go before the next is read.
    skills = [];
    const library = await input.again();
    skills = library.skills;
    const round = await consolidate({ ...shared, clusters: library.clusters, skills });
    for (const cluster of library.clusters) if (cluster.action === "merge") clusters.push(cluster);
    for (const key of ["merged", "written", "archived", "removed"] as const) {
      for (const item of round[key]) (report[key] as unknown[]).push(item);
    }
    // A cluster refused once is refused again in every round: report it once.
    const refused = new Set(report.refused.map((refusal) => refusal.members.join("\n")));
    for (const refusal of round.refused) if (!refused.has(refusal.members.join("\n"))) report.refused.push(refusal);
    report.rounds!++;
    merged = round.merged.length;
    report.mergedPerRound!.push(merged);
  }
  report.draftsReused = drafts.reused;
  await saveDrafts(adapters.store, drafts);
  return { clusters, report, skills };
}

/** The last run's drafts; none when the store cannot give them (a draft is only ever work saved). */
async function loadDrafts(store: StateStore): Promise<Map<string, StoredDraft>> {
  try {
    return await store.loadDrafts();
  } catch (error) {
    logger.warn("The last run's drafts cannot be read, every master is drafted again: {error}", { error });
    return new Map();
  }
}

/** Keeps this run's drafts for the next; a store that cannot keep them costs the next run time, not this run. */
async function saveDrafts(store: StateStore, drafts: DraftMemo): Promise<void> {
  if (!drafts.changed) return;
  try {
    await store.saveDrafts(drafts.used);
  } catch (error) {
    logger.warn("This run's drafts cannot be kept for the next: {error}", { error });
  }
}
