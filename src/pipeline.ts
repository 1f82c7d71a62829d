/**
 * The heartbeat pipeline: one run of discovery → clustering → consolidation →
 * publishing → launching → broadcasting over injected adapters, producing a run report.
 * It never needs cron, the network or a particular disk layout of its own, so
 * tests drive it directly.
 *
 * @module
 */

import { getLogger, withContext } from "@logtape/logtape";
import type { PipelineAdapters } from "./adapters.ts";
import { recoverConsolidation } from "./consolidation/apply.ts";
import { runPhases } from "./run_phases.ts";
import { newRunId, type PipelineOptions, reportHead } from "./run_report.ts";
import { ROOT_CATEGORY } from "./logging.ts";
import { markPhases, type PhaseName, PHASES, type RunReport, startReport } from "./report.ts";
import type { StartedRun } from "./store/state_store.ts";
import { errorMessage } from "./error_message.ts";
import { SETTINGS_FILE } from "./repository_settings.ts";
import { PROGRAM_NAME } from "./program_name.ts";
import { describeLoosening } from "./threshold_overrides.ts";
import { RunStoppedError } from "./time_slice.ts";

const logger = getLogger([ROOT_CATEGORY, "pipeline"]);

/**
 * Runs the pipeline once and records the run in the store.
 *
 * Each phase's outcome goes into the report; a phase that throws fails the
 * run and the phases after it are skipped (after launching, they still run); one that reports `failed` (a push the
 * remote refused) fails the run too, and the rest still run. The run's `error` names the first phase that failed.
 * When `signal` aborts, the run stops at the phase's next safe point (or before the next phase) and reports
 * `interrupted`.
 *
 * @param adapters The store and clock.
 * @param options The configuration and what to do.
 * @returns The run report.
 */
export function runPipeline(adapters: PipelineAdapters, options: PipelineOptions): Promise<RunReport> {
  const started = adapters.clock.now();
  const runId = options.runId ?? newRunId(started);
  // Without the owner's consent (the repository's heartbeat.json) nothing is changed, whatever was asked.
  const consented = options.config.consent ? options : { ...options, dryRun: true };
  return withContext({ runId }, () => run(adapters, consented, runId, started));
}

async function run(
  adapters: PipelineAdapters,
  options: PipelineOptions,
  runId: string,
  started: Date,
): Promise<RunReport> {
  const { config, signal } = options;
  const report = startReport(reportHead(options, runId, started));
  if (!config.consent) {
    logger.warn("{repo} has not opted in ({file} is missing): this run changes nothing; {program} init opts in", {
      repo: config.repo,
      file: SETTINGS_FILE,
      program: PROGRAM_NAME,
    });
  }
  // heartbeat.json is contributor-writable: a loosening is said at every run, not only when it was made.
  for (const loosened of config.loosenedThresholds) {
    logger.warn("{loosening}: more skills merge unattended than the defaults allow", {
      loosening: describeLoosening(loosened),
    });
  }
  logger.info(options.dryRun ? "Dry run started on {skillsDir}" : "Run started on {skillsDir}", {
    skillsDir: config.skillsDir,
  });

  // A run killed part-way leaves work to complete first: the tree must be whole before it is read.
  let interrupted: StartedRun | undefined;
  let recovered = 0;
  let step = "the run could not be marked as under way";
  try {
    if (!options.dryRun) {
      interrupted = await adapters.store.beginRun({ runId, startedAt: report.startedAt });
      step = "consolidation: an interrupted consolidation could not be completed";
      recovered = recoverConsolidation(adapters.repository, config.stateDir);
    }
  } catch (error) {
    report.status = "failed";
    report.error = `${step}: ${errorMessage(error)}`;
    markPhases(report, PHASES[0], "skipped", report.error);
    logger.error("{error}; nothing else is done until it can be", { error: report.error });
    return await finish(adapters, report, started);
  }
  if (interrupted) {
    logger.warn("The run {interrupted} did not finish (killed?): what it left is completed now", {
      interrupted: interrupted.runId,
    });
  }
  if (recovered > 0) {
    logger.warn("Completed an interrupted consolidation ({operations} operations)", { operations: recovered });
  }

  const phases = runPhases(adapters, { options, report, runId, interrupted, recovered });
  for (const phase of PHASES) {
    if (signal?.aborted) {
      report.status = "interrupted";
      markPhases(report, phase, "interrupted", "the heartbeat was asked to stop");
      logger.warn("Stopped before {phase}: the heartbeat was asked to stop", { phase });
      break;
    }
    const phaseStarted = performance.now();
    try {
      await phases[phase]();
      // A failure the phase contained and reported (a push the remote refused) fails the run all the same, so the
      // loop tries the slot again and `--once` exits non-zero; the phases after it still run, as it left things whole.
      if (report[phase].status === "failed") {
        report.status = "failed";
        report.error ??= `${phase}: ${report[phase].reason ?? "failed"}`;
        logger.error("Phase {phase} failed: {reason}", { phase, reason: report[phase].reason ?? "no reason given" });
      }
    } catch (error) {
      if (error instanceof RunStoppedError) {
        // Stopped at a safe point inside the phase: what it did is reported, nothing after it runs.
        report.status = "interrupted";
        markPhases(report, phase, "interrupted", error.message);
        logger.warn("Stopped during {phase}: the heartbeat was asked to stop", { phase });
        break;
      }
      report.status = "failed";
      report.error ??= `${phase}: ${errorMessage(error)}`;
      report[phase].status = "failed";
      report[phase].reason = `${phase}: ${errorMessage(error)}`;
      logger.error("Phase {phase} failed: {error}", { phase, error });
      if (INDEPENDENT_PHASES.has(phase)) continue;
      const next = PHASES[PHASES.indexOf(phase) + 1];
      if (next) markPhases(report, next, "skipped", `${phase} failed`);
      break;
    } finally {
      report.timings[phase] = Math.round(performance.now() - phaseStarted);
    }
  }

  return await finish(adapters, report, started);
}

/** Closes the report and records the run; a store that cannot record it (a full disk) fails the run, in the report. */
async function finish(adapters: PipelineAdapters, report: RunReport, started: Date): Promise<RunReport> {
  const finished = adapters.clock.now();
  report.finishedAt = finished.toISOString();
  report.timings.total = finished.getTime() - started.getTime();
  try {
    await adapters.store.recordRun({
      runId: report.runId,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      status: report.status,
      dryRun: report.dryRun,
      counts: { found: report.discovery.found, valid: report.discovery.valid, clusters: report.clusters.length },
    });
  } catch (error) {
    report.status = "failed";
    report.error ??= `the run could not be recorded: ${errorMessage(error)}`;
    logger.error("The run could not be recorded in the state store: {error}", { error });
  }
  logger.info("Run {status} in {ms} ms", { status: report.status, ms: report.timings.total });
  return report;
}

/**
 * Phases whose failure fails the run but not the phases after it: a launch
 * that cannot go ahead must not hold back the skills' events.
 */
const INDEPENDENT_PHASES: ReadonlySet<PhaseName> = new Set(["launching"]);
