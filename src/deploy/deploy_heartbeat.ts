/**
 * One heartbeat on Deno Deploy: the repository is cloned over HTTPS with the
 * token (isomorphic-git; Deploy promises no git binary) into a fresh
 * temporary directory on the instance's disk, which Deploy provides but does
 * not keep; the pipeline runs there exactly as on a server, with the state in
 * the deployment's KV; the directory is removed afterwards. A lease in the KV
 * keeps two runs (a cron tick and a `POST /run`, or two instances) from
 * working on the repository at once.
 *
 * @module
 */

import { join } from "node:path";
import type { PipelineAdapters } from "../adapters.ts";
import type { Clock } from "../clock.ts";
import { readCommonOptions } from "../common_options.ts";
import { type Config, loadConfig } from "../config.ts";
import { identifyModel, loadEmbedder } from "../embedding/embedder.ts";
import { errorMessage } from "../error_message.ts";
import { denoFileSystem } from "../fs/file_system.ts";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { closeLogging, LOG_FILE_NAME, setUpLogging } from "../logging.ts";
import { signer } from "../nostr/nostr_identity.ts";
import { nostrRelayClient } from "../nostr/relay_client.ts";
import { cloneRepository, isomorphicGit, type IsomorphicGitOptions } from "../publishing/isomorphic_git.ts";
import type { RunReport } from "../report.ts";
import { reportedRun } from "../reported_run.ts";
import { SETTINGS_FILE } from "../repository_settings.ts";
import { heartbeatSchedule, slotOf, slotStart } from "../schedule.ts";
import { doneSlot, resumption } from "../heartbeat.ts";
import type { KvStateStore } from "../store/state_store.ts";
import { readSettings } from "../cli/environment.ts";
import { assertRepositoryDirectories } from "../cli/repository_directories.ts";
import type { DeploySettings } from "./deploy_settings.ts";

/** How long a run may hold the lease: longer than any run, so that only a dead one loses it. */
export const LEASE_MS = 2 * 60 * 60 * 1000;

/** What one attempt came to. */
export type DeployOutcome =
  | { status: "ran"; report: RunReport }
  | { status: "busy" }
  | { status: "not-due"; next: string }
  | { status: "failed"; reason: string };

/** What a heartbeat on Deploy needs. */
export interface DeployHeartbeatInput {
  /** The token, schedule and author. */
  settings: DeploySettings;
  /** The repository's clone URL (one of `settings.repositories`). */
  repository: string;
  /** The environment: the heartbeat's own variables (`NOSTR_NSEC`, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** The repository's state store (its own namespace of the deployment's KV). */
  store: KvStateStore;
  /** The time. */
  clock: Clock;
  /** The program's version. */
  version: string;
  /** Run even when this slot has had its run (`POST /run`); a cron tick runs only when one is due. */
  force?: boolean;
  /** Stops the run between phases. */
  signal?: AbortSignal;
}

/**
 * Runs the heartbeat once on a fresh clone, unless another run holds the lease or (for a tick) none is due.
 *
 * @param input The settings, environment, store and clock.
 * @returns What happened: the run's report, or why there was none.
 */
export async function deployHeartbeat(input: DeployHeartbeatInput): Promise<DeployOutcome> {
  const now = input.clock.now();
  if (!input.force) {
    const next = await nextDue(input, now);
    if (next !== undefined) return { status: "not-due", next };
  }
  const holder = crypto.randomUUID();
  if (!await input.store.acquireLease(holder, now.getTime(), now.getTime() + LEASE_MS)) return { status: "busy" };
  const work = await Deno.makeTempDir({ prefix: "clawstr-heartbeat-" });
  try {
    return { status: "ran", report: await cloneAndRun(input, work) };
  } catch (error) {
    return { status: "failed", reason: errorMessage(error) };
  } finally {
    await input.store.releaseLease(holder);
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** When the next run is due, or `undefined` when one is due now (the slot's run has not succeeded, or work waits). */
async function nextDue(input: DeployHeartbeatInput, now: Date): Promise<string | undefined> {
  const schedule = heartbeatSchedule(input.settings.intervalHours);
  const slot = slotOf(schedule, now);
  if (doneSlot(schedule, await resumption(input.store, false)) < slot) return undefined;
  return slotStart(schedule, slot + 1).toISOString();
}

/** Clones, configures and runs the pipeline in `work`. */
async function cloneAndRun(input: DeployHeartbeatInput, work: string): Promise<RunReport> {
  const { settings } = input;
  const repo = join(work, "repository");
  const git: IsomorphicGitOptions = { dir: repo, token: settings.token, username: settings.username };
  await cloneRepository(git, input.repository, settings.branch);
  const config = deployConfig(input, repo, join(work, "state"));
  await Deno.mkdir(config.stateDir, { recursive: true });
  await setUpLogging({
    level: "info",
    file: join(config.stateDir, LOG_FILE_NAME),
    colour: false,
    secrets: config.secrets,
  });
  const relays = config.nostr ? nostrRelayClient({ sign: signer(config.nostr) }) : undefined;
  try {
    const adapters: PipelineAdapters = {
      store: input.store,
      clock: input.clock,
      fs: denoFileSystem,
      repository: localRepositoryWriter(repo),
      git: isomorphicGit(git),
      embedder: {
        model: await identifyModel(config.modelDir),
        load: () => loadEmbedder({ modelDir: config.modelDir }),
      },
      relays,
    };
    return await reportedRun(adapters, {
      config,
      dryRun: false,
      commit: true,
      push: true,
      version: input.version,
      signal: input.signal,
    });
  } finally {
    relays?.close();
    await closeLogging();
  }
}

/**
 * The heartbeat's configuration for the clone: the command line's defaults, the repository's own settings (its
 * consent), the environment, and the Deploy tokens among the secrets no log, commit or event may hold.
 */
function deployConfig(input: DeployHeartbeatInput, repo: string, stateDir: string): Config {
  const { settings } = input;
  const options = { ...readCommonOptions({}), repo, stateDir, branch: settings.branch, gitAuthor: settings.author };
  const loaded = loadConfig(options, {
    env: input.env,
    cwd: repo,
    settings: readSettings(join(repo, SETTINGS_FILE)),
  });
  const secrets = [...loaded.secrets, settings.token, ...(settings.adminToken ? [settings.adminToken] : [])];
  // The signer refuses them too: an event is as public as a commit.
  const config = { ...loaded, secrets, nostr: loaded.nostr && { ...loaded.nostr, secrets } };
  assertRepositoryDirectories(config);
  return config;
}
