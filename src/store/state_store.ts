/**
 * The state store: what the heartbeat remembers between runs (run history,
 * caches, the outbox, published versions, launch records), on Deno KV.
 *
 * @module
 */

import type { CachedFile, DiscoveryCache } from "../discovery/discovery_cache.ts";
import type { EmbeddingCache } from "../embedding/embed_skills.ts";
import type { OutboxEntry, OutboxStore, RelayAnswer } from "../broadcasting/outbox.ts";
import type { ClusterReport, RunStatus } from "../report.ts";
import { type LaunchRecord, LaunchRecordExistsError, type LaunchStore } from "../launching/launch_record.ts";
import { DRAFT_FORMAT, type StoredDraft } from "../consolidation/draft_memo.ts";

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

/** A run under way. */
export interface StartedRun {
  /** The run's id. */
  runId: string;
  /** When it started, ISO 8601. */
  startedAt: string;
}

/** What the heartbeat remembers between runs. */
export interface StateStore extends Disposable, EmbeddingCache, OutboxStore, LaunchStore {
  /**
   * Remembers a finished run; the oldest are forgotten past
   * {@linkcode RUN_HISTORY_LIMIT}.
   *
   * @param record The run.
   */
  recordRun(record: RunRecord): Promise<void>;
  /**
   * Marks a run as under way until {@linkcode StateStore.recordRun} records
   * it, and tells of the run marked before it that never was recorded: a run
   * killed (a crash, `kill -9`, a power cut) somewhere along the way.
   *
   * @param run The run starting.
   * @returns The interrupted run, if the last one was.
   */
  beginRun(run: StartedRun): Promise<StartedRun | undefined>;
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
  /**
   * @param key The cache's identity (see `discoveryCacheKey`); entries saved
   *   under another key are not returned.
   * @returns The discovery cache saved by the last run.
   */
  loadDiscoveryCache(key: string): Promise<DiscoveryCache>;
  /**
   * Saves the discovery cache, writing only what changed since `previous`.
   *
   * @param key The cache's identity.
   * @param previous What {@linkcode StateStore.loadDiscoveryCache} returned.
   * @param next The cache after this run; entries reused unchanged are the same objects.
   * @param signal Stops the writing between two batches when the run must stop (the next run writes it again).
   */
  saveDiscoveryCache(
    key: string,
    previous: DiscoveryCache,
    next: DiscoveryCache,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * @param fingerprint What the clusters were computed from (see `clusteringFingerprint`).
   * @returns The clusters saved under that fingerprint, if the last saved ones were.
   */
  loadClusters(fingerprint: string): Promise<ClusterReport[] | undefined>;
  /**
   * Keeps the clusters of this run for the next, replacing the last ones.
   *
   * @param fingerprint What they were computed from.
   * @param clusters The clusters.
   */
  saveClusters(fingerprint: string, clusters: readonly ClusterReport[]): Promise<void>;
  /** @returns The masters the last run drafted or reused, by their members' key (see `DraftMemo`). */
  loadDrafts(): Promise<Map<string, StoredDraft>>;
  /**
   * Keeps this run's drafts for the next, replacing the last ones.
   *
   * @param drafts The drafts by key.
   */
  saveDrafts(drafts: ReadonlyMap<string, StoredDraft>): Promise<void>;
  /** Closes the store. */
  close(): void;
}

/** How many runs the history keeps. */
export const RUN_HISTORY_LIMIT = 500;

const RUNS = "runs";
const RUN_UNDER_WAY = "run-under-way";
const DISCOVERY = "discovery";
const DISCOVERY_KEY = "discovery-key";
const EMBEDDINGS = "embeddings";
const CLUSTERS = "clusters";
const DRAFTS = "drafts";
const OUTBOX = "outbox";
const PUBLISHED = "published-skill";
const RELAY_ANSWER = "relay-answer";
const LAUNCH = "launch";
const LEASE = "lease";
/**
 * Deno KV values are limited to 64 KiB: large values (the clusters) are stored as JSON in parts of
 * this many characters (at most 32 KiB as stored).
 */
const PART_CHARS = 16_000;
const EMBEDDING_MODEL = "embedding-model";
/**
 * Parts per atomic commit: Deno KV caps an atomic operation at 800 KiB, and a
 * part of {@linkcode PART_CHARS} characters takes up to 32 KiB stored.
 */
const PARTS_PER_COMMIT = 10;
/** Mutations per atomic commit: Deno KV caps an atomic operation's count and total size. */
const WRITE_BATCH = 100;

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
  /** The first parts of every key: one store per repository in a shared KV. */
  #ns: string[];
  /** Whether closing this store closes the KV (not for a namespace of another store's KV). */
  #ownsKv: boolean;
  #closed = false;

  private constructor(kv: Deno.Kv, namespace: readonly string[], ownsKv: boolean) {
    this.#kv = kv;
    this.#ns = [...namespace];
    this.#ownsKv = ownsKv;
  }

  /** A key of this store: its parts after the namespace. */
  #key(...parts: Deno.KvKeyPart[]): Deno.KvKey {
    return [...this.#ns, ...parts];
  }

  /** Part `index` of one of this store's keys, counted after the namespace (0: the kind of entry). */
  #part(key: Deno.KvKey, index: number): Deno.KvKeyPart | undefined {
    return key[this.#ns.length + index];
  }

  /**
   * Opens (or creates) a store.
   *
   * @param path A file for the SQLite-backed store, or `":memory:"`; none: the platform's own (Deno Deploy's KV).
   * @returns The store.
   */
  static async open(path?: string): Promise<KvStateStore> {
    return new KvStateStore(await Deno.openKv(path), [], true);
  }

  /**
   * A store over the same KV whose keys all start with `namespace` (below this store's own): one per repository of a
   * deployment. Closing it leaves the KV open; closing this store closes it.
   *
   * @param namespace The key parts.
   * @returns The store.
   */
  within(namespace: readonly string[]): KvStateStore {
    return new KvStateStore(this.#kv, [...this.#ns, ...namespace], false);
  }

  /**
   * Puts a message on the KV's queue, delivered at least once to a {@linkcode KvStateStore.listen} of any process
   * sharing the KV (Deno Deploy's isolates).
   *
   * @param message The message (structured-cloneable).
   */
  async enqueue(message: unknown): Promise<void> {
    await this.#kv.enqueue(message);
  }

  /**
   * Handles the queue's messages until the store is closed; a handler that throws gets its message again later.
   *
   * @param handler Called with each message.
   * @returns Resolves when the store is closed.
   */
  listen(handler: (message: unknown) => Promise<void>): Promise<void> {
    return this.#kv.listenQueue(handler);
  }

  /**
   * Takes the lease on running the heartbeat until `until` (ms since the epoch), unless another holder's lease has
   * not run out. Where runs share no lock file (Deno Deploy's instances share only the KV), it keeps two heartbeats
   * from working on the repository at once; one that died keeps it only until it runs out.
   *
   * @param holder Who takes it (a run's id).
   * @param now The time, ms since the epoch.
   * @param until When it runs out, ms since the epoch.
   * @returns Whether it was taken.
   */
  async acquireLease(holder: string, now: number, until: number): Promise<boolean> {
    const current = await this.#kv.get<{ holder: string; until: number }>(this.#key(LEASE));
    if (current.value && current.value.until > now && current.value.holder !== holder) return false;
    return (await this.#kv.atomic().check(current).set(this.#key(LEASE), { holder, until }).commit()).ok;
  }

  /**
   * Gives the lease back, if `holder` still holds it.
   *
   * @param holder Who took it.
   */
  async releaseLease(holder: string): Promise<void> {
    const current = await this.#kv.get<{ holder: string; until: number }>(this.#key(LEASE));
    if (current.value?.holder === holder) await this.#kv.atomic().check(current).delete(this.#key(LEASE)).commit();
  }

  async beginRun(run: StartedRun): Promise<StartedRun | undefined> {
    const previous = (await this.#kv.get<StartedRun>(this.#key(RUN_UNDER_WAY))).value ?? undefined;
    await this.#kv.set(this.#key(RUN_UNDER_WAY), run);
    return previous;
  }

  async recordRun(record: RunRecord): Promise<void> {
    const underWay = await this.#kv.get<StartedRun>(this.#key(RUN_UNDER_WAY));
    const op = this.#kv.atomic().set(this.#key(RUNS, Date.parse(record.startedAt), record.runId), record);
    // Only this run's own mark is cleared: a dry run in between must not hide a killed run.
    if (underWay.value?.runId === record.runId) op.check(underWay).delete(this.#key(RUN_UNDER_WAY));
    await op.commit();
    const stale = this.#kv.list<RunRecord>({ prefix: this.#key(RUNS) }, { reverse: true });
    let kept = 0;
    for await (const entry of stale) {
      if (++kept > RUN_HISTORY_LIMIT) await this.#kv.delete(entry.key);
    }
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    for await (const entry of this.#kv.list<RunRecord>({ prefix: this.#key(RUNS) }, { reverse: true, limit })) {
      runs.push(entry.value);
    }
    return runs;
  }

  async lastSuccessfulRun(dryRun: boolean): Promise<RunRecord | undefined> {
    for await (const entry of this.#kv.list<RunRecord>({ prefix: this.#key(RUNS) }, { reverse: true })) {
      if (entry.value.status === "ok" && entry.value.dryRun === dryRun) return entry.value;
    }
    return undefined;
  }

  async loadDiscoveryCache(key: string): Promise<DiscoveryCache> {
    const cache: DiscoveryCache = new Map();
    if ((await this.#kv.get<string>(this.#key(DISCOVERY_KEY))).value !== key) return cache;
    for await (const entry of this.#kv.list<CachedFile>({ prefix: this.#key(DISCOVERY) }, { batchSize: 1000 })) {
      cache.set(this.#part(entry.key, 1) as string, entry.value);
    }
    return cache;
  }

  async saveDiscoveryCache(
    key: string,
    previous: DiscoveryCache,
    next: DiscoveryCache,
    signal?: AbortSignal,
  ): Promise<void> {
    const stored = (await this.#kv.get<string>(this.#key(DISCOVERY_KEY))).value;
    const deletions: Deno.KvKey[] = [];
    if (stored !== key) {
      // Another key's entries are of no use: clear them all.
      for await (const entry of this.#kv.list({ prefix: this.#key(DISCOVERY) })) deletions.push(entry.key);
    } else {
      for (const path of previous.keys()) if (!next.has(path)) deletions.push(this.#key(DISCOVERY, path));
    }
    await this.#commitInBatches(deletions.map((kvKey) => (op) => op.delete(kvKey)));
    const writes = [...next].filter(([path, entry]) => stored !== key || previous.get(path) !== entry);
    // 20,000 entries take seconds to write: a run asked to stop leaves the rest (under the old key, an unfinished save
    // is cleared and written again by the next run).
    await this.#commitInBatches(
      writes.map(([path, entry]) => (op) => op.set(this.#key(DISCOVERY, path), entry)),
      signal,
    );
    if (!signal?.aborted) await this.#kv.set(this.#key(DISCOVERY_KEY), key);
  }

  async loadEmbeddings(modelId: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
    if ((await this.#kv.get<string>(this.#key(EMBEDDING_MODEL))).value !== modelId) return vectors;
    const wanted = new Set(hashes);
    for await (const entry of this.#kv.list<Uint8Array>({ prefix: this.#key(EMBEDDINGS) }, { batchSize: 1000 })) {
      const hash = this.#part(entry.key, 1) as string;
      if (wanted.has(hash)) vectors.set(hash, new Float32Array(entry.value.slice().buffer));
    }
    return vectors;
  }

  async saveEmbeddings(
    modelId: string,
    vectors: ReadonlyMap<string, Float32Array>,
    live: ReadonlySet<string>,
  ): Promise<void> {
    // Another model's vectors, and vectors of skills no longer in the library, are of no use.
    const sameModel = (await this.#kv.get<string>(this.#key(EMBEDDING_MODEL))).value === modelId;
    const stale: Deno.KvKey[] = [];
    for await (const entry of this.#kv.list({ prefix: this.#key(EMBEDDINGS) })) {
      if (!sameModel || !live.has(this.#part(entry.key, 1) as string)) stale.push(entry.key);
    }
    await this.#commitInBatches(stale.map((key) => (op) => op.delete(key)));
    if (!sameModel) await this.#kv.set(this.#key(EMBEDDING_MODEL), modelId);
    await this.#commitInBatches(
      [...vectors].map(([hash, vector]) => (op) =>
        op.set(this.#key(EMBEDDINGS, hash), new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength))
      ),
    );
  }

  async loadOutbox(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for await (const entry of this.#kv.list<OutboxEntry>({ prefix: this.#key(OUTBOX) })) entries.push(entry.value);
    return entries.sort((a, b) => a.event.created_at - b.event.created_at || (a.event.id < b.event.id ? -1 : 1));
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await this.#kv.set(this.#key(OUTBOX, entry.event.id), entry);
  }

  async completeOutbox(entry: OutboxEntry): Promise<void> {
    const { subject } = entry;
    // A launch record is read and rewritten: the write holds only if nothing changed it in between.
    for (let committed = false; !committed;) {
      const op = this.#kv.atomic().delete(this.#key(OUTBOX, entry.event.id));
      if (subject.kind === "skill") op.set(this.#key(PUBLISHED, subject.name), subject.version);
      if (subject.kind === "launch") {
        const current = await this.#kv.get<LaunchRecord>(this.#key(LAUNCH, subject.symbol));
        op.check(current);
        if (current.value?.event.id === entry.event.id) {
          op.set(current.key, { ...current.value, state: "published", acceptedBy: entry.acceptedBy });
        }
      }
      committed = (await op.commit()).ok;
    }
  }

  async loadLaunches(): Promise<LaunchRecord[]> {
    const records: LaunchRecord[] = [];
    for await (const entry of this.#kv.list<LaunchRecord>({ prefix: this.#key(LAUNCH) })) records.push(entry.value);
    return records.sort((a, b) => a.event.created_at - b.event.created_at);
  }

  async addLaunch(record: LaunchRecord, outbox?: OutboxEntry): Promise<void> {
    const key = this.#key(LAUNCH, record.symbol);
    const op = this.#kv.atomic().check({ key, versionstamp: null }).set(key, record);
    if (outbox) op.set(this.#key(OUTBOX, outbox.event.id), outbox);
    if (!(await op.commit()).ok) throw new LaunchRecordExistsError(record.symbol);
  }

  async updateLaunch(record: LaunchRecord): Promise<void> {
    await this.#kv.set(this.#key(LAUNCH, record.symbol), record);
  }

  async publishedSkillVersion(name: string): Promise<string | undefined> {
    return (await this.#kv.get<string>(this.#key(PUBLISHED, name))).value ?? undefined;
  }

  async recordRelayAnswers(answers: readonly RelayAnswer[]): Promise<void> {
    await this.#commitInBatches(
      answers.map((answer) => (op) => op.set(this.#key(RELAY_ANSWER, answer.relay), answer)),
    );
  }

  /**
   * Each relay's answer to the last event sent to it.
   *
   * @returns The answers, one per relay that was ever sent an event.
   */
  async loadRelayAnswers(): Promise<RelayAnswer[]> {
    const answers: RelayAnswer[] = [];
    for await (const entry of this.#kv.list<RelayAnswer>({ prefix: this.#key(RELAY_ANSWER) })) {
      answers.push(entry.value);
    }
    return answers;
  }

  async loadClusters(fingerprint: string): Promise<ClusterReport[] | undefined> {
    const saved = await this.#loadLarge<ClusterReport[]>(CLUSTERS);
    return saved?.head.fingerprint === fingerprint ? saved.value : undefined;
  }

  async saveClusters(fingerprint: string, clusters: readonly ClusterReport[]): Promise<void> {
    await this.#saveLarge(CLUSTERS, clusters, { fingerprint });
  }

  async loadDrafts(): Promise<Map<string, StoredDraft>> {
    const saved = await this.#loadLarge<Array<[string, StoredDraft]>>(DRAFTS);
    return new Map(saved?.head.format === DRAFT_FORMAT ? saved.value : []);
  }

  async saveDrafts(drafts: ReadonlyMap<string, StoredDraft>): Promise<void> {
    await this.#saveLarge(DRAFTS, [...drafts], { format: DRAFT_FORMAT });
  }

  /**
   * Saves a JSON value that may exceed Deno KV's 64 KiB per value, in parts
   * of {@linkcode PART_CHARS} characters under a new generation; the head,
   * which names the generation, is switched last in one write. A crash
   * half-way leaves the previous value whole.
   */
  async #saveLarge(prefix: string, value: unknown, head: Record<string, unknown>): Promise<void> {
    const json = JSON.stringify(value);
    const parts = Math.ceil(json.length / PART_CHARS);
    const generation = crypto.randomUUID();
    // The parts are invisible until the head names their generation: they need not be written in one commit.
    for (let first = 0; first < parts; first += PARTS_PER_COMMIT) {
      const op = this.#kv.atomic();
      for (let i = first; i < Math.min(parts, first + PARTS_PER_COMMIT); i++) {
        op.set(this.#key(prefix, "part", generation, i), json.slice(i * PART_CHARS, (i + 1) * PART_CHARS));
      }
      if (!(await op.commit()).ok) throw new Error(`The state store could not save ${prefix}`);
    }
    await this.#kv.set(this.#key(prefix, "head"), { ...head, generation, parts });
    const stale: Deno.KvKey[] = [];
    for await (const entry of this.#kv.list({ prefix: this.#key(prefix, "part") })) {
      if (this.#part(entry.key, 2) !== generation) stale.push(entry.key);
    }
    await this.#commitInBatches(stale.map((key) => (op) => op.delete(key)));
  }

  /**
   * A value saved by {@linkcode KvStateStore.#saveLarge} and its head, if it
   * is whole. Its parts are read after its head; should a save switch the
   * head in between (and clear the parts read for), the read starts again.
   */
  async #loadLarge<T>(prefix: string): Promise<{ head: Record<string, unknown>; value: T } | undefined> {
    type Head = Record<string, unknown> & { generation: string; parts: number };
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = (await this.#kv.get<Head>(this.#key(prefix, "head"))).value;
      // A head from before generations (no `generation`) names parts that are no longer kept.
      if (typeof head?.generation !== "string") return undefined;
      const parts = await Promise.all(
        Array.from(
          { length: head.parts },
          (_, i) => this.#kv.get<string>(this.#key(prefix, "part", head.generation, i)),
        ),
      );
      if (parts.every((part) => part.value !== null)) {
        return { head, value: JSON.parse(parts.map((part) => part.value).join("")) };
      }
      if ((await this.#kv.get<Head>(this.#key(prefix, "head"))).value?.generation === head.generation) {
        return undefined;
      }
    }
    return undefined;
  }

  /**
   * Commits mutations in batches. A batch that fails (a value over Deno KV's
   * size limit, say) is retried one mutation at a time and the failing ones
   * are dropped: the cache is an optimisation, never a reason to fail a run.
   */
  async #commitInBatches(mutations: Array<(op: Deno.AtomicOperation) => void>, signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < mutations.length && !signal?.aborted; i += WRITE_BATCH) {
      const batch = mutations.slice(i, i + WRITE_BATCH);
      try {
        const op = this.#kv.atomic();
        for (const mutate of batch) mutate(op);
        await op.commit();
      } catch {
        for (const mutate of batch) {
          try {
            const op = this.#kv.atomic();
            mutate(op);
            await op.commit();
          } catch {
            // Dropped: this entry is read again next run.
          }
        }
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsKv) this.#kv.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
