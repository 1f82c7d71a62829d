// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `run` command: the heartbeat, once or on its schedule.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { systemClock } from "../clock.ts";
import { runHeartbeatLoop } from "../heartbeat.ts";
import { acquireRepositoryLock, LockedError } from "../lock.ts";
import { closeLogging, LOG_FILE_NAME, ROOT_CATEGORY, scrubSecrets, setUpLogging } from "../logging.ts";
import { runPipeline } from "../pipeline.ts";
import { formatReport, type RunReport } from "../report.ts";
import { identifyModel, loadEmbedder } from "../embedding/embedder.ts";
import { denoFileSystem } from "../fs/file_system.ts";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { localGit } from "../publishing/git.ts";
import { nostrRelayClient, signer } from "../broadcasting/relay_client.ts";
import { heartbeatSchedule } from "../schedule.ts";
import { denoCronScheduler } from "../scheduler.ts";
import { KvStateStore } from "../store/state_store.ts";
import type { RunOptions } from "./args.ts";
import { assertPermissions, loadCommandConfig } from "./environment.ts";
import { prepareStateDir } from "./state_dir.ts";

/** Exit code when another process holds the repository's lock. */
export const EXIT_LOCKED = 3;

/**
 * Runs the heartbeat.
 *
 * @param options The parsed command line.
 * @param version The program's version.
 * @returns The exit code.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function runCommand(options: RunOptions, version: string): Promise<number> {
  const schedule = heartbeatSchedule(options.intervalHours);
  const { config, env } = await loadCommandConfig(options);
  assertPermissions({
    read: [config.repo, config.modelDir],
    write: options.dryRun ? [config.stateDir] : [config.repo, config.stateDir],
    net: config.nostr ? config.relays.map((relay) => new URL(relay).host) : [],
  });
  const embedder = {
    model: await identifyModel(config.modelDir),
    load: () => loadEmbedder({ modelDir: config.modelDir }),
  };
  const relays = config.nostr ? nostrRelayClient({ sign: signer(config.nostr) }) : undefined;
  await prepareStateDir(config);
  await setUpLogging({
    level: options.logLevel,
    file: join(config.stateDir, LOG_FILE_NAME),
    colour: Deno.stderr.isTerminal() && env.NO_COLOR === undefined,
    secrets: config.secrets,
  });
  const logger = getLogger([ROOT_CATEGORY]);
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      logger.fatal("Second signal: exiting now");
      Deno.exit(130);
    }
    logger.info("Stopping after the current phase (send the signal again to exit at once)");
    stop.abort();
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const name of signals) Deno.addSignalListener(name, onSignal);

  try {
    using _lock = await acquireRepositoryLock(
      join(config.stateDir, "heartbeat.lock"),
      `pid ${Deno.pid} since ${new Date().toISOString()}`,
    );
    using store = await KvStateStore.open(join(config.stateDir, "state.kv"));
    const print = (report: RunReport) => {
      const text = options.json ? JSON.stringify(report) : formatReport(report);
      console.log(scrubSecrets(text, config.secrets));
    };
    const runOnce = async (signal: AbortSignal) => {
      const report = await runPipeline({
        store,
        clock: systemClock,
        fs: denoFileSystem,
        embedder,
        repository: localRepositoryWriter(config.repo),
        git: localGit(config.repo, env),
        relays,
      }, {
        config,
        dryRun: options.dryRun,
        commit: options.commit,
        push: options.push,
        version,
        signal,
      });
      print(report);
      return report.status;
    };
    if (options.once) {
      const status = await runOnce(stop.signal);
      return status === "failed" ? 1 : 0;
    }
    await runHeartbeatLoop({
      schedule,
      scheduler: denoCronScheduler,
      clock: systemClock,
      run: runOnce,
      lastSuccessAt: dateOf((await store.lastSuccessfulRun(options.dryRun))?.startedAt),
      workWaiting: !options.dryRun && (await store.loadOutbox()).length > 0,
      signal: stop.signal,
      logger,
    });
    return 0;
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    logger.error("{message}", { message: error.message });
    return EXIT_LOCKED;
  } finally {
    relays?.close();
    for (const name of signals) Deno.removeSignalListener(name, onSignal);
    await closeLogging();
  }
}

function dateOf(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}
