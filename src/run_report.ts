/**
 * What a run is asked to do, and the parts of its report known before it
 * runs: its id, its head, and the report of a run that failed before the
 * pipeline could report it.
 *
 * @module
 */

import { relative } from "node:path";
import type { Config } from "./config.ts";
import { markPhases, PHASES, type ReportHead, type RunReport, startReport } from "./report.ts";

/** What a run is asked to do. */
export interface PipelineOptions {
  /** Validated configuration. */
  config: Config;
  /** Simulate: report decisions, change nothing but the state directory. */
  dryRun: boolean;
  /** Commit the changes. */
  commit: boolean;
  /** Push the commits. */
  push: boolean;
  /** The program's version, for the report. */
  version: string;
  /** Stops the run at the next safe point (within a phase's long loops, or between phases). */
  signal?: AbortSignal | undefined;
  /**
   * The longest stretch of work, in ms, before the run lets the process answer (a signal, a server's requests): see
   * `TimeSlice`. A server asks for short ones.
   */
  sliceMs?: number | undefined;
  /** The run's id; generated when absent. */
  runId?: string | undefined;
}

/**
 * What a report says of a run before it runs.
 *
 * @param options The configuration and what was asked.
 * @param runId The run's id.
 * @param started When it started.
 * @returns The report's head.
 */
export function reportHead(
  options: Pick<PipelineOptions, "config" | "dryRun" | "version">,
  runId: string,
  started: Date,
): ReportHead {
  return {
    runId,
    startedAt: started.toISOString(),
    dryRun: options.dryRun,
    version: options.version,
    repo: options.config.repo,
    skillsDir: relative(options.config.repo, options.config.skillsDir).replaceAll("\\", "/") || ".",
    ...(options.config.consent ? {} : { notOptedIn: true as const }),
    // In every report, a failed run's too: the owner must see a loosening whatever the run's outcome.
    ...(options.config.loosenedThresholds.length > 0
      ? { loosenedThresholds: [...options.config.loosenedThresholds] }
      : {}),
  };
}

/**
 * The report of a run that failed before the pipeline could report it (its
 * state store would not open, its lock could not be written on a full disk):
 * failed, every phase skipped with the reason.
 *
 * @param options The configuration and what was asked (the run's id, when it was given one).
 * @param at When the run started.
 * @param reason Why it failed, for a person.
 * @returns The report.
 */
export function failedRunReport(
  options: Pick<PipelineOptions, "config" | "dryRun" | "version" | "runId">,
  at: Date,
  reason: string,
): RunReport {
  const report = startReport(reportHead(options, options.runId ?? newRunId(at), at));
  report.status = "failed";
  report.error = reason;
  markPhases(report, PHASES[0], "skipped", reason);
  return report;
}

/**
 * A new run id: the start time (sortable) and a random suffix.
 *
 * @param at When the run starts.
 * @returns E.g. `20261125T014500Z-3f9a2c`.
 */
export function newRunId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const random = crypto.getRandomValues(new Uint8Array(3));
  return `${stamp}-${Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
