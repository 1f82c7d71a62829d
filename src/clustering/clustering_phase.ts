/**
 * The clustering phase of a run: the owner's decisions and the masters'
 * members read, the skills embedded through the cache, then clustered (or the
 * last run's clusters reused when nothing changed).
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { posix } from "node:path";
import type { PipelineAdapters } from "../adapters.ts";
import type { ClusteringSettings } from "./clustering_settings.ts";
import type { Skill } from "../discovery/skill.ts";
import { embedSkills } from "../embedding/embed_skills.ts";
import { masterMembers } from "../consolidation/master_members.ts";
import { NO_PROGRESS } from "../progress.ts";
import type { ClusteringReport, ClusterReport } from "../report.ts";
import { clusteringFingerprint, clusterSkills } from "./cluster.ts";
import { DECISIONS_FILE, PairDecisions, readDecisions } from "./review_decisions.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

const logger = getLogger([ROOT_CATEGORY, "clustering"]);

/**
 * Embeds the skills (through the cache) and clusters them, reusing the last
 * run's clusters when the library is unchanged.
 *
 * @param adapters The store (caches), the repository (decisions, archived members), the model and progress.
 * @param config The configuration.
 * @param skills The skills that may merge.
 * @param skillsDir The skills directory, repository-relative.
 * @param archiveDir The archive directory, repository-relative.
 * @param slice Where clustering gives the event loop a turn and stops when the run must.
 * @returns The clusters and the phase's report.
 */
export async function runClusteringPhase(
  adapters: Pick<PipelineAdapters, "store" | "repository" | "embedder" | "progress">,
  config: ClusteringSettings,
  skills: readonly Skill[],
  skillsDir: string,
  archiveDir: string,
  slice: TimeSlice = UNSLICED,
): Promise<{ clusters: ClusterReport[]; report: ClusteringReport }> {
  const started = performance.now();
  // The owner's decisions and the masters' members are read first: neither may be silently missed.
  const decisionsPath = posix.join(archiveDir, DECISIONS_FILE);
  const decisions = new PairDecisions(readDecisions(adapters.repository, decisionsPath));
  const members = masterMembers(adapters.repository, { archiveDir, skillsDir }, skills);
  const outcome = await embedSkills(
    [...skills, ...[...members.values()].flat()],
    adapters.embedder.model,
    adapters.store,
    adapters.embedder.load,
    adapters.progress,
    slice,
  );
  const dims = outcome.vectors.values().next().value?.length ?? 0;
  const embeddedMs = Math.round(performance.now() - started);
  const options = { ...config.clustering, skillsDir, decisions, members, progress: adapters.progress ?? NO_PROGRESS };
  const fingerprint = clusteringFingerprint(skills, adapters.embedder.model.id, options);
  const reused = await adapters.store.loadClusters(fingerprint);
  const clusters = reused ?? await clusterSkills(skills, outcome.vectors, { ...options, slice });
  if (!reused) await adapters.store.saveClusters(fingerprint, clusters);
  const merges = clusters.filter((cluster) => cluster.action === "merge" && cluster.kind === "duplicate");
  logger.info(
    "Embedded {embedded} skills with {model} ({cached} cached); {merges} clusters to merge ({members} skills), {reviews} proposed for review, {related} related",
    {
      embedded: outcome.embedded,
      cached: outcome.cached,
      model: adapters.embedder.model.name,
      merges: merges.length,
      members: merges.reduce((n, cluster) => n + cluster.members.length, 0),
      reviews: clusters.filter((cluster) => cluster.action === "review").length,
      related: clusters.filter((cluster) => cluster.kind === "related").length,
    },
  );
  return {
    clusters,
    report: {
      status: "ok",
      reused: reused !== undefined,
      embedding: {
        model: adapters.embedder.model.name,
        modelId: adapters.embedder.model.id,
        dims,
        embedded: outcome.embedded,
        cached: outcome.cached,
        loadMs: outcome.loadMs,
        ms: embeddedMs,
      },
    },
  };
}
