/**
 * The master a review proposal would produce, shown to the owner before they
 * decide: planned exactly as a merge would be, and written nowhere.
 *
 * @module
 */

import type { ClusterReport } from "../report.ts";
import { archivedPaths, planConsolidation, type PlanInput } from "./plan.ts";
import { masterDiff } from "./unified_diff.ts";
import { NO_PROGRESS } from "../progress.ts";

/**
 * Adds each review proposal's preview: the unified diff of the master it
 * would write against the file that master replaces, or why it could not merge.
 *
 * @param clusters The run's clusters; only review proposals get a preview.
 * @param input The skills and repository, as consolidation reads them.
 * @returns The clusters, review proposals copied with their `preview`.
 */
export async function withReviewPreviews(
  clusters: readonly ClusterReport[],
  input: Omit<PlanInput, "clusters">,
): Promise<ClusterReport[]> {
  const { progress, ...rest } = input;
  const reviews = clusters.filter((cluster) => cluster.action === "review").length;
  // Listed once for all the previews.
  const planInput = reviews > 0 && !rest.archived
    ? { ...rest, archived: archivedPaths(rest.writer, rest.archiveDir) }
    : rest;
  const previewing = (progress ?? NO_PROGRESS).start("review proposals previewed", reviews);
  const previewed: ClusterReport[] = [];
  for (const cluster of clusters) {
    if (cluster.action !== "review") {
      previewed.push(cluster);
      continue;
    }
    previewing.advance(1);
    const plan = await planConsolidation({ ...planInput, clusters: [{ ...cluster, action: "merge" }] });
    const merge = plan.merges[0];
    const preview = merge
      ? masterDiff(merge, planInput.drafts)
      : `would not merge: ${plan.refused[0]?.reason ?? "fewer than two of its skills remain"}`;
    previewed.push({ ...cluster, preview });
  }
  previewing.end();
  return previewed;
}
