// deno-lint-ignore-file no-console -- the command line's edge prints where it listens
/**
 * The `serve` command: the heartbeat over one or more repositories, each with
 * its own lock, state store, consent and review queue, opened once and held;
 * a JSON API and a dashboard to watch and steer them; optionally a run when a
 * repository's skills change. Repositories run independently: one that is
 * slow or failing holds up no other.
 *
 * @module
 */

import { getLogger, type Logger } from "@logtape/logtape";
import { basename } from "node:path";
import { systemClock } from "../clock.ts";
import { closeLogging, ROOT_CATEGORY } from "../logging.ts";
import type { RepositoryLock } from "../lock.ts";
import { resumption, runHeartbeatLoop } from "../heartbeat.ts";
import { type Embedder, identifyModel, loadEmbedder } from "../embedding/embedder.ts";
import { signer } from "../nostr/nostr_identity.ts";
import { nostrRelayClient, type RelayClient } from "../nostr/relay_client.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import { heartbeatSchedule } from "../schedule.ts";
import { denoCronScheduler } from "../scheduler.ts";
import { KvStateStore } from "../store/state_store.ts";
import { apiApp, TOKEN_VARIABLE } from "../serve/api.ts";
import { bearerMatches } from "../bearer_token.ts";
import { connectionCap, openFileLimit } from "../serve/connection_cap.ts";
import { serveConnections } from "../serve/http_server.ts";
import { DEFAULT_RATE_LIMIT } from "../serve/rate_limit.ts";
import { RepositoryRunner } from "../serve/repository_runner.ts";
import { watchSkills } from "../serve/watch_skills.ts";
import type { ServeOptions } from "./args.ts";
import { type Config, ConfigError } from "../config.ts";
import { errorMessage } from "../error_message.ts";
import { loadCommandConfig } from "./environment.ts";
import { assertRunPermissions, EXIT_LOCKED, localAdapters, setUpRunLogging, stopOnSignals } from "./run.ts";
import { statePath } from "./state_dir.ts";
import { lockForCommand } from "./command_lock.ts";
import { isLoopback } from "../loopback.ts";
import { uniqueName } from "../unique_name.ts";

/** How long a burst of file changes must be quiet before its run, in ms. */
const WATCH_QUIET_MS = 1000;

/** What was opened for one repository, to close at the end. */
interface Opened {
  runner: RepositoryRunner;
  lock: RepositoryLock;
  relays: RelayClient | undefined;
}

/**
 * Serves until SIGINT or SIGTERM.
 *
 * @param options The parsed command line.
 * @param version The program's version.
 * @returns The exit code.
 * @throws {ConfigError} When a repository's configuration is invalid, a non-loopback address has no token, or the
 *   address cannot be listened on.
 */
export async function serveCommand(options: ServeOptions, version: string): Promise<number> {
  const loaded = options.repositories.map((repo) => ({ repo, ...loadCommandConfig({ ...options, repo }) }));
  // Every repository's configuration reads the same environment and .env (the working directory's): one token.
  const token = loaded[0]?.config.heartbeatToken;
  if (!token && !isLoopback(options.hostname)) {
    throw new ConfigError([
      `--hostname ${options.hostname} is not a loopback address: set ${TOKEN_VARIABLE} (in the environment or .env) first`,
    ]);
  }
  const maxConnections = connectionCap(options.maxConnections, openFileLimit());
  // Bound before anything is opened: an address that cannot be had is refused before any lock is taken.
  const listener = listen(options);
  const logger = getLogger([ROOT_CATEGORY, "serve"]);
  using stop = stopOnSignals(logger);
  const opened: Opened[] = [];
  const models = new KeptModels();
  try {
    for (const [index, { repo, config, env }] of loaded.entries()) {
      const result = await openRepository(
        { config, env },
        { ...options, name: repositoryName(repo, index, opened), version, signal: stop.signal, models },
      );
      if (typeof result === "number") return result;
      opened.push(result);
      if (index === 0) {
        await setUpRunLogging(result.runner.config, options.logLevel, { NO_COLOR: Deno.env.get("NO_COLOR") });
      }
    }
    const runners = opened.map((entry) => entry.runner);
    // The token is among each configuration's secrets.
    const secrets = runners.flatMap((runner) => runner.config.secrets);
    const app = apiApp({ runners, token, version, rateLimit: DEFAULT_RATE_LIMIT, secrets });
    const served = serveConnections(listener, {
      fetch: (request, remote) => app.fetch(request, { remote }),
      isOwner: (authorization) => token !== undefined && bearerMatches(authorization, token),
      maxConnections,
      signal: stop.signal,
      logger,
    });
    const { hostname, port } = listener.addr as Deno.NetAddr;
    console.error(`${PROGRAM_NAME} serving ${runners.length} repositories on http://${hostname}:${port}/`);
    console.error(
      `Dashboard: http://${hostname}:${port}/dashboard/${token ? ` (add #token=<${TOKEN_VARIABLE}>)` : ""}`,
    );
    const watchers = options.watch
      ? runners.map((runner) =>
        watchSkills({
          dir: runner.config.skillsDir,
          quietMs: WATCH_QUIET_MS,
          busy: () => runner.running,
          onChange: (paths) => {
            logger.info("{count} changes in {repository}: running", { count: paths.length, repository: runner.name });
            runner.start("watch");
          },
        })
      )
      : [];
    const loops = heartbeatLoops(runners, { ...options, signal: stop.signal, logger });
    await Promise.all([served, loops]);
    for (const watcher of watchers) watcher[Symbol.dispose]();
    await Promise.all(runners.map((runner) => runner.settled()));
    return 0;
  } finally {
    // Closed already when serving ended; not yet when a repository could not be opened.
    closeQuietly(listener);
    for (const { runner, lock, relays } of opened) {
      runner.close();
      lock.release();
      relays?.close();
    }
    await models.dispose();
    await closeLogging();
  }
}

/** Opens one repository, its configuration loaded: its state directory, lock, store and adapters. */
async function openRepository(
  { config, env }: { config: Config; env: Record<string, string | undefined> },
  options: Pick<ServeOptions, "dryRun" | "commit" | "push"> & {
    name: string;
    version: string;
    signal: AbortSignal;
    models: KeptModels;
  },
): Promise<Opened | number> {
  const { name, version, signal, models } = options;
  // Approving or rejecting a proposal writes the archive's decisions file, dry run or not.
  assertRunPermissions(config, options.dryRun, true);
  const lock = await lockForCommand(config, "serve");
  if (!lock) return EXIT_LOCKED;
  const store = await KvStateStore.open(statePath(config));
  const relays = config.nostr ? nostrRelayClient({ sign: signer(config.nostr) }) : undefined;
  const embedder = {
    model: await identifyModel(config.modelDir),
    load: () => models.load(config.modelDir),
  };
  const runner = new RepositoryRunner({
    name,
    config,
    adapters: { ...localAdapters(config, env, { store, embedder, relays }), store },
    run: { dryRun: options.dryRun, commit: options.commit, push: options.push, version, sliceMs: RUN_SLICE_MS },
    signal,
  });
  return { runner, lock, relays };
}

/**
 * One heartbeat loop per repository, each with its own cron job: a repository runs when its slot has had no successful
 * run (or work waits in its outbox), on its own, so one that is slow or failing delays no other. A slot whose run was
 * refused because the repository was running already (a request, a file change) is tried again at the next tick.
 */
function heartbeatLoops(
  runners: readonly RepositoryRunner[],
  options: { intervalHours: number; dryRun: boolean; signal: AbortSignal; logger: Logger },
): Promise<void[]> {
  const schedule = heartbeatSchedule(options.intervalHours);
  return Promise.all(runners.map(async (runner) =>
    runHeartbeatLoop({
      schedule,
      scheduler: denoCronScheduler,
      clock: systemClock,
      run: async () => (await runner.start("schedule"))?.status ?? "interrupted",
      ...await resumption(runner.store, options.dryRun),
      signal: options.signal,
      logger: options.logger.with({ repository: runner.name }),
      name: `${PROGRAM_NAME}-${runner.name}`,
    })
  ));
}

/**
 * A run under `serve` lets the server answer after at most this many milliseconds of work: a request takes several
 * turns of the event loop, so `/health` waits a few slices (measured at 20,000 skills: slices of 20 ms kept answers
 * near 100 ms, see BENCHMARKS.md).
 */
const RUN_SLICE_MS = 10;

/**
 * The embedding model, loaded once per serve process and kept between runs, whichever repository runs: loading it
 * for each run starts its worker threads afresh each time, and what they leave behind stays (measured with three
 * repositories: 347–453 MiB idle after loading per run, 195–225 MiB kept).
 */
class KeptModels {
  readonly #models = new Map<string, Promise<Embedder>>();

  /** The model of `modelDir`, loaded at the first call; its `dispose` keeps it for the next run. */
  async load(modelDir: string): Promise<Embedder> {
    let model = this.#models.get(modelDir);
    if (!model) this.#models.set(modelDir, model = loadEmbedder({ modelDir }));
    const embedder = await model;
    return {
      model: embedder.model,
      dims: embedder.dims,
      embed: (texts) => embedder.embed(texts),
      dispose: async () => {},
    };
  }

  /** Frees every model, at the end of serving. */
  async dispose(): Promise<void> {
    for (const model of this.#models.values()) await (await model.catch(() => undefined))?.dispose();
  }
}

/**
 * The listener on `--hostname` and `--port`.
 *
 * @throws {ConfigError} One line naming the flag and what to do, for each way the address can be refused.
 */
function listen({ hostname, port }: Pick<ServeOptions, "hostname" | "port">): Deno.TcpListener {
  try {
    return Deno.listen({ hostname, port });
  } catch (error) {
    const address = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    if (error instanceof Deno.errors.NotCapable) {
      throw new ConfigError([
        `No permission to listen on ${address} (--hostname ${hostname}): add ${hostname} to the command's --allow-net (see the README, Permissions)`,
      ]);
    }
    if (error instanceof Deno.errors.AddrInUse) {
      throw new ConfigError([
        `--port ${port}: ${address} is in use by another program: choose another port with --port`,
      ]);
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new ConfigError([
        `--hostname ${hostname} is not an address of this machine: give one of its addresses, or 0.0.0.0 for all`,
      ]);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError([`--port ${port} needs privileges this process lacks: choose a port above 1023`]);
    }
    throw new ConfigError([`Cannot listen on --hostname ${hostname} --port ${port}: ${errorMessage(error)}`]);
  }
}

/** Closes a listener that may be closed already. */
function closeQuietly(listener: Deno.Listener): void {
  try {
    listener.close();
  } catch {
    // Closed when serving ended.
  }
}

/** A repository's name in the API: its directory's name, made unique. */
function repositoryName(repo: string, index: number, opened: readonly Opened[]): string {
  const base = basename(repo === "." ? Deno.cwd() : repo) || `repository-${index + 1}`;
  return uniqueName(base, new Set(opened.map((entry) => entry.runner.name)));
}
