/**
 * The discovery phase: finds every skill file, reads and validates it, and
 * reports precisely what is wrong with the rest, without ever stopping.
 *
 * On the local disk, reading is spread over worker threads once the library
 * is large enough for that to pay: the walk hands files to the workers in
 * batches as it finds them, so parsing overlaps the walk and the workers'
 * start-up.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { NO_PROGRESS, type Progress, type ProgressTask } from "../progress.ts";
import { relative } from "node:path";
import type { DiscoverySettings } from "./discovery_settings.ts";
import type { FileSystem } from "../fs/file_system.ts";
import type { Diagnostic, DiscoveryReport } from "../report.ts";
import { type DiscoveryCache, isCacheable, sameStamp } from "./discovery_cache.ts";
import type { DiscoveryWorkerRequest } from "./discovery_worker.ts";
import { findSkillFiles } from "./find_skill_files.ts";
import { type FileOutcome, type ReadOptions, readSkillFiles, type StampedFile, stampFile } from "./read_skill_files.ts";
import type { Skill } from "./skill.ts";
import { SECURITY_RULE_PREFIX } from "./security_scan.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { append } from "../append.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

/**
 * The discovery a configuration asks for: its skills directory and rules,
 * with the archive, the state directory and what git ignores left out. The
 * run and the health check both start from it, so they look at the same files.
 *
 * @param config The configuration.
 * @param ignored Absolute paths git ignores under the skills directory.
 * @returns The options, to which a caller adds a cache or workers.
 */
export function configuredDiscovery(config: DiscoverySettings, ignored: readonly string[]): DiscoveryOptions {
  return {
    repo: config.repo,
    ruleSets: config.ruleSets,
    strict: config.strict,
    skillsDir: config.skillsDir,
    exclude: [config.archiveDir, config.stateDir, ...ignored],
  };
}

/** Options of {@linkcode discoverSkills}. */
export interface DiscoveryOptions extends ReadOptions {
  /** The repository root, absolute; paths in results are relative to it. */
  repo: string;
  /** The skills directory, absolute. */
  skillsDir: string;
  /** Absolute directories to skip (the archive, the state directory). */
  exclude?: readonly string[];
  /**
   * How many worker threads read files; `0` reads on the calling thread. The
   * default is one per further core. Workers read the local disk themselves,
   * so they are used only when the file system says it is that
   * ({@linkcode FileSystem.localDisk}), and only once the walk has found
   * {@linkcode FILES_BEFORE_WORKERS} files.
   */
  workers?: number;
  /** Outcomes of an earlier run, reused for files whose stamp is unchanged. */
  cache?: DiscoveryCache;
  /** The current time in ms since the epoch, for the cache's racy-file rule. */
  now?: number;
  /** Counts the files read (none by default). */
  progress?: Progress;
  /** Where the walk and the reading give the event loop a turn, and stop when the run must (never, by default). */
  slice?: TimeSlice;
}

/** What discovery found. */
export interface DiscoveryResult {
  /** Every skill whose frontmatter was read, sorted by path; `excluded` ones do not merge. */
  skills: Skill[];
  /** Counts and diagnostics for the run report. */
  report: DiscoveryReport;
  /** The cache for the next run: the entries for the files found now, reused entries unchanged. */
  cache: DiscoveryCache;
  /** How many files were read rather than taken from the cache. */
  read: number;
}

const logger = getLogger([ROOT_CATEGORY, "discovery"]);

/** Below this many files, starting workers costs more than it saves. */
export const FILES_BEFORE_WORKERS = 1000;

/** How many files a worker gets at a time. */
const BATCH_SIZE = 250;
/** How many files this thread reads between two checks of its time slice. */
const FILES_PER_TURN = 10;

/**
 * Discovers the skills under the skills directory.
 *
 * @param fs The file system to read.
 * @param options Where to look and how to validate.
 * @returns The skills and the report. Never throws for a bad file: only for an
 *   unreadable skills directory.
 */
export async function discoverSkills(fs: FileSystem, options: DiscoveryOptions): Promise<DiscoveryResult> {
  const diagnostics: Diagnostic[] = [];
  const readOptions: ReadOptions = {
    ruleSets: options.ruleSets,
    strict: options.strict,
    maxFileBytes: options.maxFileBytes,
  };
  const workerCount = fs.localDisk ? options.workers ?? navigator.hardwareConcurrency - 1 : 0;
  const toRelative = (path: string) => relative(options.repo, path).replaceAll("\\", "/");
  const now = options.now ?? Date.now();
  const cache: DiscoveryCache = new Map();
  // One slot per file in walk order: filled from the cache, by a worker, or on this thread.
  const outcomes: Array<FileOutcome | undefined> = [];
  const queue: Batch[] = [];
  let settled = 0;
  // deno-lint-ignore prefer-const -- assigned once, after the walk, but `settle` reads it from the start
  let reading: ProgressTask | undefined;
  const settle = (batch: Batch, read: FileOutcome[]) => {
    read.forEach((outcome, i) => {
      outcomes[batch.first + i] = outcome;
      const { stamp, relativePath } = batch.files[i]!;
      if (stamp && isCacheable(stamp, now)) cache.set(relativePath, { stamp, outcome });
    });
    settled += read.length;
    reading?.advance(read.length);
  };
  let pending: Batch | undefined;
  let pool: ReadPool | undefined;
  let toRead = 0;
  const flush = () => {
    if (pending) queue.push(pending);
    pending = undefined;
    if (!pool && workerCount > 0 && toRead >= FILES_BEFORE_WORKERS && mayStartWorkers()) {
      pool = new ReadPool(workerCount, readOptions, queue, settle);
    }
    pool?.feed();
  };
  const files = findSkillFiles(fs, options.skillsDir, {
    exclude: options.exclude ?? [],
    relative: toRelative,
    onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
  });
  const slice = options.slice ?? UNSLICED;
  for (const file of files) {
    await slice.pause();
    const index = outcomes.length;
    const path = toRelative(file.path);
    const stamp = stampFile(fs, file);
    const cached = stamp && options.cache?.get(path);
    outcomes.push(cached && sameStamp(cached.stamp, stamp) ? cached.outcome : undefined);
    if (cached && outcomes[index]) {
      cache.set(path, cached);
      continue;
    }
    toRead++;
    // A batch holds consecutive files only: a cached file in between starts a new one.
    if (pending && pending.first + pending.files.length !== index) flush();
    pending ??= { first: index, files: [] };
    pending.files.push({ ...file, relativePath: path, ...(stamp ? { stamp } : {}) });
    if (pending.files.length >= BATCH_SIZE) flush();
  }
  flush();
  // The total is known once the walk is over; workers may have settled batches during it (the walk gives the event
  // loop turns), so the count starts from what they did.
  reading = (options.progress ?? NO_PROGRESS).start("files read", toRead);
  reading.advance(settled);

  // This thread reads from the same queue as the workers until nothing is left anywhere.
  try {
    do {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        // This thread reads its batch a few files at a time: a whole batch is a stall of a third of a second.
        const read: FileOutcome[] = [];
        for (let at = 0; at < batch.files.length; at += FILES_PER_TURN) {
          append(read, readSkillFiles(fs, batch.files.slice(at, at + FILES_PER_TURN), readOptions));
          await slice.pause();
        }
        settle(batch, read);
        // Let workers' results in, so they are handed their next batch.
        if (pool) await new Promise((resolve) => setTimeout(resolve, 0));
        await slice.pause();
        slice.check();
      }
      await pool?.drained();
    } while (queue.length > 0);
  } finally {
    pool?.close();
    reading.end();
  }
  return { ...(await discoveryOutcome(outcomes, diagnostics, slice)), cache, read: toRead };
}

/**
 * The skills and the report, from every file's outcome in walk order and the walk's own diagnostics.
 *
 * @param outcomes Each file's outcome.
 * @param diagnostics What the walk found wrong; the files' diagnostics are added to it.
 * @param slice Where it gives the event loop a turn.
 * @returns The skills and the phase's report.
 */
async function discoveryOutcome(
  outcomes: ReadonlyArray<FileOutcome | undefined>,
  diagnostics: Diagnostic[],
  slice: TimeSlice,
): Promise<Pick<DiscoveryResult, "skills" | "report">> {
  const skills: Skill[] = [];
  // Words come from workers and the cache as copies, one per skill: 60,000 skills held each common word
  // thousands of times (about half of what a skill weighed in memory). One instance of each is enough.
  const words = new Map<string, string>();
  const shared = (word: string) => {
    const known = words.get(word);
    if (known !== undefined) return known;
    words.set(word, word);
    return word;
  };
  for (const outcome of outcomes) {
    await slice.pause();
    if (outcome?.skill) {
      const { features } = outcome.skill;
      features.terms = features.terms.map(shared);
      skills.push(outcome.skill);
    }
    if (outcome) append(diagnostics, outcome.diagnostics);
  }
  append(diagnostics, duplicateNames(skills));
  diagnostics.sort(byPlace);
  const found = outcomes.length;
  return {
    skills,
    report: {
      status: "ok",
      found,
      parsed: skills.length,
      valid: skills.filter((skill) => !skill.excluded).length,
      parseSuccessRate: found === 0 ? 1 : skills.length / found,
      diagnostics,
      quarantined: quarantinedFiles(diagnostics),
    },
  };
}

/** The files with security findings, each with the rules it broke, in path order. */
function quarantinedFiles(diagnostics: readonly Diagnostic[]): Array<{ path: string; rules: string[] }> {
  const byPath = new Map<string, Set<string>>();
  for (const { path, rule } of diagnostics) {
    if (!rule.startsWith(SECURITY_RULE_PREFIX)) continue;
    const rules = byPath.get(path) ?? new Set();
    byPath.set(path, rules.add(rule));
  }
  return [...byPath].map(([path, rules]) => ({ path, rules: [...rules].sort() }));
}

const WORKER_URL = new URL("./discovery_worker.ts", import.meta.url);

/**
 * Deno checks read permission on a worker's module file; the heartbeat's
 * permissions may cover only the repository, not the program. Reading on one
 * thread is the fallback.
 */
function mayStartWorkers(): boolean {
  if (WORKER_URL.protocol !== "file:") return true;
  return Deno.permissions.querySync({ name: "read", path: WORKER_URL }).state === "granted";
}

/** Consecutive files to read, and where their outcomes go. */
interface Batch {
  /** The index of the first file in walk order. */
  first: number;
  /** The files. */
  files: StampedFile[];
}

/**
 * Worker threads that take batches from a queue shared with the calling
 * thread, two at a time each, so none waits for the others.
 */
class ReadPool {
  #options: ReadOptions;
  #queue: Batch[];
  #settle: (batch: Batch, outcomes: FileOutcome[]) => void;
  #workers: Array<{ worker: Worker; inFlight: Batch[] }>;
  #idle: PromiseWithResolvers<void> | undefined;

  constructor(
    size: number,
    options: ReadOptions,
    queue: Batch[],
    settle: (batch: Batch, outcomes: FileOutcome[]) => void,
  ) {
    this.#options = options;
    this.#queue = queue;
    this.#settle = settle;
    this.#workers = Array.from({ length: size }, () => {
      const entry = { worker: new Worker(WORKER_URL, { type: "module" }), inFlight: [] as Batch[] };
      entry.worker.onmessage = (event: MessageEvent<FileOutcome[]>) => {
        this.#settle(entry.inFlight.shift()!, event.data);
        this.feed();
      };
      entry.worker.onerror = (event) => {
        // A worker that fails costs speed, not the run: its batches go back to the queue.
        event.preventDefault();
        logger.warn("A discovery worker failed; its files are read on the main thread: {message}", {
          message: event.message,
        });
        entry.worker.terminate();
        // Back to the front of the queue, in their order (the queue is shared: changed in place).
        for (const batch of entry.inFlight.splice(0).reverse()) this.#queue.unshift(batch);
        this.#workers = this.#workers.filter((other) => other !== entry);
        this.feed();
      };
      return entry;
    });
  }

  /** Hands queued batches to workers with fewer than two in flight. */
  feed(): void {
    for (const entry of this.#workers) {
      while (entry.inFlight.length < 2 && this.#queue.length > 0) {
        const batch = this.#queue.shift()!;
        entry.inFlight.push(batch);
        entry.worker.postMessage({ files: batch.files, options: this.#options } satisfies DiscoveryWorkerRequest);
      }
    }
    if (this.#isIdle()) this.#idle?.resolve();
  }

  /** Resolves when no batch is in flight; batches a failed worker left are back in the queue. */
  async drained(): Promise<void> {
    this.feed();
    if (this.#isIdle()) return;
    this.#idle = Promise.withResolvers<void>();
    await this.#idle.promise;
  }

  #isIdle(): boolean {
    return this.#workers.every((entry) => entry.inFlight.length === 0);
  }

  close(): void {
    for (const { worker } of this.#workers) worker.terminate();
  }
}

function duplicateNames(skills: readonly Skill[]): Diagnostic[] {
  const byName = new Map<string, Skill[]>();
  for (const skill of skills) {
    const list = byName.get(skill.name) ?? [];
    list.push(skill);
    byName.set(skill.name, list);
  }
  const diagnostics: Diagnostic[] = [];
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    for (const skill of list) {
      const others = list.filter((other) => other !== skill).map((other) => other.path);
      diagnostics.push({
        path: skill.path,
        severity: "info",
        rule: "skill/duplicate-name",
        message: `the name "${name}" is also used by ${others.slice(0, 3).join(", ")}${
          others.length > 3 ? ` and ${others.length - 3} more` : ""
        }; clustering decides whether they are one skill`,
      });
    }
  }
  return diagnostics;
}

function byPlace(a: Diagnostic, b: Diagnostic): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0);
}
