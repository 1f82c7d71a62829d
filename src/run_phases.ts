/**
 * The six phases of a run, each its folder's runner given what it needs from
 * the configuration, the adapters and the phases before it; each writes its
 * section of the run's report. The pipeline runs them in order.
 *
 * @module
 */

import { relative } from "node:path";
import type { PipelineAdapters } from "./adapters.ts";
import { runBroadcastingPhase } from "./broadcasting/broadcasting_phase.ts";
import { runClusteringPhase } from "./clustering/clustering_phase.ts";
import { readProvenance } from "./clustering/provenance.ts";
import { runConsolidationPhase } from "./consolidation/consolidation_phase.ts";
import { runDiscoveryPhase } from "./discovery/discovery_phase.ts";
import type { Skill } from "./discovery/skill.ts";
import { launchToken } from "./launching/launch.ts";
import { runPublishingPhase } from "./publishing/publishing_phase.ts";
import type { PhaseName, RunReport } from "./report.ts";
import type { PipelineOptions } from "./run_report.ts";
import type { StartedRun } from "./store/state_store.ts";
import { TimeSlice } from "./time_slice.ts";

/** The run the phases belong to. */
export interface RunContext {
  /** What the run was asked to do. */
  options: PipelineOptions;
  /** The run's report, which the phases fill in. */
  report: RunReport;
  runId: string;
  /** The run before it that was killed, if any. */
  interrupted: StartedRun | undefined;
  /** Operations of its consolidation completed before this run. */
  recovered: number;
}

/**
 * The run's phases, by name, in order.
 *
 * @param adapters The outside systems.
 * @param run The run: its options, report and what the start completed.
 * @returns A function per phase that runs it and writes its report.
 */
export function runPhases(adapters: PipelineAdapters, run: RunContext): Record<PhaseName, () => Promise<void>> {
  const { options, report, runId, interrupted, recovered } = run;
  const { config, signal } = options;
  // Every phase's long loops give the event loop turns (signals, a server's requests) and stop when asked.
  const slice = new TimeSlice({ signal, sliceMs: options.sliceMs });
  let skills: Skill[] = [];
  const takeSkills = () => {
    const taken = skills;
    skills = [];
    return taken;
  };
  const archiveDir = relative(config.repo, config.archiveDir).replaceAll("\\", "/");
  // What the two Nostr phases share.
  const nostr = {
    identity: config.nostr,
    relays: config.relays,
    client: adapters.relays,
    store: adapters.store,
    clock: adapters.clock,
    dryRun: options.dryRun,
  };
  return {
    discovery: async () => {
      ({ report: report.discovery, mergeable: skills } = await runDiscoveryPhase(adapters, config, slice));
    },
    clustering: async () => {
      const clustered = await runClusteringPhase(adapters, config, skills, report.skillsDir, archiveDir, slice);
      ({ clusters: report.clusters, report: report.clustering } = clustered);
    },
    consolidation: async () => {
      const consolidated = await runConsolidationPhase(adapters, {
        clusters: report.clusters,
        // Handed over, not shared: the phase lets this library go before it reads the next round's.
        skills: takeSkills(),
        skillsDir: report.skillsDir,
        archiveDir,
        stateDir: config.stateDir,
        runId,
        dryRun: options.dryRun,
        recovered,
        signal,
        slice,
        again: async () => {
          const { mergeable } = await runDiscoveryPhase(adapters, config, slice);
          const { clusters } = await runClusteringPhase(
            adapters,
            config,
            mergeable,
            report.skillsDir,
            archiveDir,
            slice,
          );
          return { skills: mergeable, clusters };
        },
      });
      ({ clusters: report.clusters, report: report.consolidation, skills } = consolidated);
    },
    publishing: async () => {
      report.publishing = await runPublishingPhase(adapters, {
        consolidation: report.consolidation,
        archiveDir,
        skillsDir: report.skillsDir,
        interruptedRunStartedAt: interrupted && new Date(interrupted.startedAt),
        commit: options.commit,
        push: options.push,
        dryRun: options.dryRun,
        git: config.git,
        secrets: config.secrets,
      });
    },
    launching: async () => {
      report.launching = await launchToken({
        ...nostr,
        launch: config.launch,
        previousKeys: config.previousKeys,
        clawnchPubkey: config.clawnchPubkey,
      });
    },
    broadcasting: async () => {
      report.broadcasting = await runBroadcastingPhase(adapters, {
        ...nostr,
        runId,
        slice,
        agentName: config.agentName,
        git: config.git,
        skillsDir: report.skillsDir,
        // The masters of this run, and those of earlier runs still in the library.
        masterPaths: [
          ...report.consolidation.merged.map((merge) => merge.master),
          ...skills.filter((skill) => readProvenance(skill.frontmatter) !== undefined).map((skill) => skill.path),
        ],
      });
    },
  };
}
