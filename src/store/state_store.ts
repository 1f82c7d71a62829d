/**
 * The state store: what the heartbeat remembers between runs (run history
 * now; caches, the outbox and the launch record later), on Deno KV.
 *
 * @module
 */

import type { RunStatus } from "../report.ts";

/** A finished run, as remembered. */
export interface RunRecord {
  /** The run's id. */
  runId: string;
  /** When it started, ISO 8601. */
  startedAt: string;
  /** When it ended, ISO 8601. */
  finishedAt: string;
  /** How it ended. */
  status: RunStatus;
  /** Whether it was a dry run. */
  dryRun: boolean;
  /** Headline counts. */
  counts: { found: number; valid: number; clusters: number };
}

/** What the heartbeat remembers between runs. */
export interface StateStore extends Disposable {
  /**
   * Remembers a finished run; the oldest are forgotten past
   * {@linkcode RUN_HISTORY_LIMIT}.
   *
   * @param record The run.
   */
  recordRun(record: RunRecord): Promise<void>;
  /**
   * @param limit How many runs at most.
   * @returns The latest runs, newest first.
   */
  recentRuns(limit: number): Promise<RunRecord[]>;
  /**
   * @param dryRun Whether to look for dry runs or real runs.
   * @returns The latest run that ended `ok`, of the given kind.
   */
  lastSuccessfulRun(dryRun: boolean): Promise<RunRecord | undefined>;
  /** Closes the store. */
  close(): void;
}

/** How many runs the history keeps. */
export const RUN_HISTORY_LIMIT = 500;

const RUNS = "runs";

/**
 * A state store on Deno KV.
 *
 * @example
 * ```ts
 * import { KvStateStore } from "./state_store.ts";
 * using store = await KvStateStore.open(":memory:");
 * console.assert((await store.recentRuns(1)).length === 0);
 * ```
 */
export class KvStateStore implements StateStore {
  #kv: Deno.Kv;
  #closed = false;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Opens (or creates) a store.
   *
   * @param path A file for the SQLite-backed store, or `":memory:"`.
   * @returns The store.
   */
  static async open(path: string): Promise<KvStateStore> {
    return new KvStateStore(await Deno.openKv(path));
  }

  async recordRun(record: RunRecord): Promise<void> {
    await this.#kv.set([RUNS, Date.parse(record.startedAt), record.runId], record);
    const stale = this.#kv.list<RunRecord>({ prefix: [RUNS] }, { reverse: true });
    let kept = 0;
    for await (const entry of stale) {
      if (++kept > RUN_HISTORY_LIMIT) await this.#kv.delete(entry.key);
    }
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    for await (const entry of this.#kv.list<RunRecord>({ prefix: [RUNS] }, { reverse: true, limit })) {
      runs.push(entry.value);
    }
    return runs;
  }

  async lastSuccessfulRun(dryRun: boolean): Promise<RunRecord | undefined> {
    for await (const entry of this.#kv.list<RunRecord>({ prefix: [RUNS] }, { reverse: true })) {
      if (entry.value.status === "ok" && entry.value.dryRun === dryRun) return entry.value;
    }
    return undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
