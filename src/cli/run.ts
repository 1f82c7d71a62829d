// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `run` command: the heartbeat, once or on its schedule.
 *
 * @module
 */

import { getLogger, type Logger } from "@logtape/logtape";
import { join } from "node:path";
import { systemClock } from "../clock.ts";
import { resumption, runHeartbeatLoop } from "../heartbeat.ts";
import { acquireRepositoryLock, LockedError, type RepositoryLock } from "../lock.ts";
import { closeLogging, LOG_FILE_NAME, ROOT_CATEGORY, scrubSecrets, setUpLogging } from "../logging.ts";
import { jsonChunks } from "../json_chunks.ts";
import type { Secret } from "../secret.ts";
import { reportedRun } from "../reported_run.ts";
import { failedRunReport } from "../run_report.ts";
import type { PipelineAdapters } from "../adapters.ts";
import { formatReport, type RunReport } from "../report.ts";
import { identifyModel, loadEmbedder } from "../embedding/embedder.ts";
import { denoFileSystem } from "../fs/file_system.ts";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { localGit } from "../publishing/git.ts";
import { nostrRelayClient } from "../nostr/relay_client.ts";
import { signer } from "../nostr/nostr_identity.ts";
import { heartbeatSchedule } from "../schedule.ts";
import { denoCronScheduler } from "../scheduler.ts";
import { KvStateStore } from "../store/state_store.ts";
import type { RunOptions } from "./args.ts";
import type { Config } from "../config.ts";
import { assertPermissions, loadCommandConfig } from "./environment.ts";
import { LOCK_FILE, prepareStateDir, statePath } from "./state_dir.ts";
import { errorMessage } from "../error_message.ts";
import { terminalProgress } from "../progress.ts";

/** Exit code when another process holds the repository's lock. */
export const EXIT_LOCKED = 3;

/**
 * What a command does with the report of one run instead of printing it: the
 * review commands run once, dry, and read their proposals from the report.
 */
export interface ReportConsumer {
  /** Whether it writes the archive directory (a decision), so the run needs that permission too. */
  writesArchive: boolean;
  /**
   * @param report The run's report.
   * @param config The configuration it ran with.
   * @returns The exit code.
   */
  consume(report: RunReport, config: Config): number;
}

/**
 * Runs the heartbeat.
 *
 * @param options The parsed command line.
 * @param version The program's version.
 * @param consumer Takes the report of a single run instead of printing it.
 * @returns The exit code.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function runCommand(options: RunOptions, version: string, consumer?: ReportConsumer): Promise<number> {
  const schedule = heartbeatSchedule(options.intervalHours);
  const { config, env } = await loadCommandConfig(options);
  assertRunPermissions(config, options.dryRun, consumer?.writesArchive ?? false);
  const embedder = {
    model: await identifyModel(config.modelDir),
    load: () => loadEmbedder({ modelDir: config.modelDir }),
  };
  const relays = config.nostr ? nostrRelayClient({ sign: signer(config.nostr) }) : undefined;
  const asked = { config, dryRun: options.dryRun, version };
  const print = (report: RunReport) => {
    if (options.json) writeJsonLine(report, config.secrets);
    else console.log(scrubSecrets(formatReport(report), config.secrets));
  };
  const logger = getLogger([ROOT_CATEGORY]);
  // Whatever fails (a full disk at the state directory, the lock or the store), the run still reports why.
  const reportFailure = (error: unknown, when: string) => {
    const reason = `${when}: ${errorMessage(error)}`;
    logger.error("{reason}", { reason });
    print(failedRunReport(asked, systemClock.now(), reason));
    return 1;
  };
  try {
    await prepareStateDir(config);
    await setUpRunLogging(config, options.logLevel, env);
  } catch (error) {
    relays?.close();
    return reportFailure(error, "the state directory cannot be prepared");
  }
  using stop = stopOnSignals(logger);

  let lock: RepositoryLock | undefined;
  let store: KvStateStore | undefined;
  try {
    try {
      lock = await acquireRepositoryLock({
        repo: config.repo,
        file: join(config.stateDir, LOCK_FILE),
        owner: `pid ${Deno.pid} since ${new Date().toISOString()}`,
      });
      store = await KvStateStore.open(statePath(config));
    } catch (error) {
      if (!(error instanceof LockedError)) return reportFailure(error, "the run could not start");
      logger.error("{message}", { message: error.message });
      return EXIT_LOCKED;
    }
    const opened = store;
    // A person at a terminal sees the long phases move; a script reading the JSON report sees nothing extra.
    const progress = Deno.stderr.isTerminal() && !options.json ? terminalProgress() : undefined;
    const adapters = localAdapters(config, env, { store: opened, embedder, relays, progress });
    const runOnce = (signal: AbortSignal) =>
      reportedRun(adapters, { ...asked, commit: options.commit, push: options.push, signal });
    if (options.once) {
      const report = await runOnce(stop.signal);
      if (consumer && report.status !== "failed") return consumer.consume(report, config);
      print(report);
      return report.status === "failed" ? 1 : 0;
    }
    await runHeartbeatLoop({
      schedule,
      scheduler: denoCronScheduler,
      clock: systemClock,
      run: async (signal) => {
        const report = await runOnce(signal);
        print(report);
        return report.status;
      },
      ...await resumption(opened, options.dryRun),
      signal: stop.signal,
      logger,
    });
    return 0;
  } finally {
    store?.close();
    lock?.release();
    relays?.close();
    await closeLogging();
  }
}

/** Fails at start, naming the flag to add, when the permissions do not cover what the run reads and writes. */
export function assertRunPermissions(config: Config, dryRun: boolean, writesArchive: boolean): void {
  // A dry run writes only its state (and a review decision, the archive); a run writes the repository.
  const writes = dryRun
    ? [config.stateDir, ...(writesArchive ? [config.archiveDir] : [])]
    : [config.repo, config.stateDir];
  assertPermissions({
    read: [config.repo, config.modelDir],
    write: writes,
    net: config.nostr ? config.relays.map((relay) => new URL(relay).host) : [],
  });
}

/** The log file in the state directory, and the console: coloured on a terminal unless `NO_COLOR`. */
export async function setUpRunLogging(
  config: Config,
  level: RunOptions["logLevel"],
  env: Record<string, string | undefined>,
): Promise<void> {
  await setUpLogging({
    level,
    file: join(config.stateDir, LOG_FILE_NAME),
    colour: Deno.stderr.isTerminal() && env.NO_COLOR === undefined,
    secrets: config.secrets,
  });
}

/**
 * The adapters of a run on this machine: the local disk, git binary and clock, and the given store, model, relays and
 * progress.
 */
export function localAdapters(
  config: Config,
  env: Record<string, string | undefined>,
  given: Pick<PipelineAdapters, "store" | "embedder" | "relays" | "progress">,
): PipelineAdapters {
  return {
    ...given,
    clock: systemClock,
    fs: denoFileSystem,
    repository: localRepositoryWriter(config.repo),
    git: localGit(config.repo, env),
  };
}

/**
 * SIGINT and SIGTERM stop the heartbeat at the next safe point, a second one at once; listened to until disposed.
 *
 * @param logger Where the stop is reported.
 * @returns The stop's signal.
 */
export function stopOnSignals(logger: Logger): { signal: AbortSignal } & Disposable {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      logger.fatal("Second signal: exiting now");
      Deno.exit(130);
    }
    logger.info("Stopping at the next safe point (send the signal again to exit at once)");
    stop.abort();
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const name of signals) Deno.addSignalListener(name, onSignal);
  return {
    signal: stop.signal,
    [Symbol.dispose]: () => {
      for (const name of signals) Deno.removeSignalListener(name, onSignal);
    },
  };
}

/**
 * Writes a value to stdout as one line of JSON, in pieces (a report of tens of megabytes is never one string), each
 * with the secrets scrubbed.
 *
 * @param value The value.
 * @param secrets What must not appear.
 */
function writeJsonLine(value: unknown, secrets: readonly Secret[]): void {
  const encoder = new TextEncoder();
  const write = (text: string) => {
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) written += Deno.stdout.writeSync(bytes.subarray(written));
  };
  for (const chunk of jsonChunks(value)) write(scrubSecrets(chunk, secrets));
  write("\n");
}
