/**
 * One repository the server keeps: its configuration, lock, state store and
 * adapters, opened once and held while serving, and its runs, one at a time.
 * A run is asked for by the schedule, a person (`POST /api/…/runs`) or a file
 * change; asked while one runs, it is refused (the API answers 409). Every run goes through
 * the pipeline, so consent, review and pins hold whatever asked for it.
 *
 * @module
 */

import type { PipelineAdapters } from "../adapters.ts";
import type { Decision } from "../clustering/review_decisions.ts";
import type { Config } from "../config.ts";
import { proposalsOf, recordProposalDecision } from "../proposal_decision.ts";
import type { Progress } from "../progress.ts";
import type { ClusterReport, RunReport } from "../report.ts";
import { reportedRun } from "../reported_run.ts";
import { newRunId } from "../run_report.ts";
import type { KvStateStore, RunRecord } from "../store/state_store.ts";

/** What a runner tells its listeners. */
export type RunnerEvent =
  | { type: "run-started"; repository: string; runId: string; trigger: RunAskedBy }
  | { type: "progress"; repository: string; runId: string; label: string; done: number; total: number }
  | { type: "run-finished"; repository: string; runId: string; status: RunReport["status"] };

/** Who asked for a run: the schedule, a person through the API, or a file change. */
export type RunAskedBy = "schedule" | "request" | "watch";

/** How the runner's runs run. */
export interface RunnerOptions {
  /** The repository's name in the API and dashboard. */
  name: string;
  /** Its configuration. */
  config: Config;
  /** Its adapters (its own store among them), but progress, which the runner supplies. */
  adapters: Omit<PipelineAdapters, "progress"> & { store: KvStateStore };
  /** Simulate, commit and push as the command line says. */
  run: { dryRun: boolean; commit: boolean; push: boolean; version: string; sliceMs?: number };
  /** Stops runs between phases. */
  signal?: AbortSignal;
}

/** How many full reports a runner keeps in memory (the store keeps every run's headline). */
export const KEPT_REPORTS = 20;

/** One repository's runs. */
export class RepositoryRunner {
  readonly name: string;
  readonly config: Config;
  readonly #options: RunnerOptions;
  readonly #reports: RunReport[] = [];
  readonly #listeners = new Set<(event: RunnerEvent) => void>();
  #current: Promise<RunReport> | undefined;

  /** @param options The repository, its adapters and how to run. */
  constructor(options: RunnerOptions) {
    this.name = options.name;
    this.config = options.config;
    this.#options = options;
  }

  /** The repository's state store. */
  get store(): KvStateStore {
    return this.#options.adapters.store;
  }

  /** Whether a run is under way. */
  get running(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Starts a run unless one is under way (single flight).
   *
   * @param trigger Who asks.
   * @returns The started run's report, to await; `undefined` when one was under way.
   */
  start(trigger: RunAskedBy): Promise<RunReport> | undefined {
    if (this.#current || this.#options.signal?.aborted) return undefined;
    const runId = newRunId(this.#options.adapters.clock.now());
    const run = this.#run(runId, trigger);
    this.#current = run;
    run.finally(() => this.#current = undefined);
    return run;
  }

  /** Resolves when the run under way, if any, is over. */
  async settled(): Promise<void> {
    await this.#current?.catch(() => {});
  }

  /** The full reports kept, newest first. */
  reports(): readonly RunReport[] {
    return this.#reports;
  }

  /** The run history from the store (headlines), newest first. */
  history(limit: number): Promise<RunRecord[]> {
    return this.store.recentRuns(limit);
  }

  /** The proposals of the newest report. */
  proposals(): ClusterReport[] {
    return proposalsOf(this.#reports[0]);
  }

  /**
   * Records the owner's decision on a proposal of the newest run, in the repository's decisions file, as
   * `clawstr-heartbeat approve|reject` does: the next run honours it and commits it.
   *
   * @param id The proposal's id.
   * @param decision `approved` or `rejected`.
   * @returns The decisions file, repository-relative, and the proposal's members.
   * @throws {import("../proposal_decision.ts").NoSuchProposalError} When no such proposal waits.
   * @throws {import("../clustering/review_decisions.ts").DecisionsError} When the decisions file is broken.
   */
  decide(id: string, decision: Decision): { file: string; members: string[] } {
    return recordProposalDecision(this.config, this.#reports[0], id, decision);
  }

  /**
   * Listens to the runner's events.
   *
   * @param listener Called with each event.
   * @returns A function that stops listening.
   */
  subscribe(listener: (event: RunnerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Closes the store. */
  close(): void {
    this.store.close();
  }

  #emit(event: RunnerEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async #run(runId: string, trigger: RunAskedBy): Promise<RunReport> {
    const repository = this.name;
    this.#emit({ type: "run-started", repository, runId, trigger });
    const report = await reportedRun(
      { ...this.#options.adapters, progress: this.#progress(runId) },
      { config: this.config, ...this.#options.run, signal: this.#options.signal, runId },
    );
    this.#reports.unshift(report);
    this.#reports.splice(KEPT_REPORTS);
    this.#emit({ type: "run-finished", repository, runId, status: report.status });
    return report;
  }

  /** Progress that becomes events, at most four a second per task (and its last). */
  #progress(runId: string): Progress {
    return {
      start: (label, total) => {
        let done = 0;
        let sent = 0;
        const send = () => {
          sent = performance.now();
          this.#emit({ type: "progress", repository: this.name, runId, label, done, total });
        };
        send();
        return {
          advance: (count) => {
            done += count;
            if (performance.now() - sent >= 250) send();
          },
          end: send,
        };
      },
    };
  }
}
