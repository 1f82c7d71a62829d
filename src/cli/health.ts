// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `health` command: runs every health check and prints the result.
 *
 * @module
 */

import { parseRateCheck } from "../discovery/parse_rate_check.ts";
import { modelCheck } from "../embedding/model_check.ts";
import { localGit } from "../publishing/git.ts";
import { gitCheck } from "../publishing/git_check.ts";
import { ignoredPaths } from "../publishing/ignored_paths.ts";
import { relayCheck } from "../broadcasting/relay_check.ts";
import { fileSystemCheck } from "../file_system_check.ts";
import { denoFileSystem } from "../fs/file_system.ts";
import { formatHealthReport, runHealthChecks } from "../health.ts";
import type { CommonOptions } from "../common_options.ts";
import { loadCommandConfig } from "./environment.ts";
import { KvStateStore } from "../store/state_store.ts";
import { launchCheck } from "../launching/launch_check.ts";
import { statePath } from "./state_dir.ts";
import { thresholdsCheck } from "../thresholds_check.ts";

/**
 * Runs the health checks.
 *
 * @param options The parsed command line.
 * @returns 0 when healthy, 1 when not.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function healthCommand(options: CommonOptions): Promise<number> {
  const { config, env } = await loadCommandConfig(options);
  const git = localGit(config.repo, env);
  const report = await runHealthChecks([
    ["file-system", fileSystemCheck(config)],
    ["discovery", parseRateCheck(config, denoFileSystem, () => ignoredPaths(git, config.repo, config.skillsDir))],
    ["model", modelCheck(config.modelDir)],
    ["git", gitCheck(git, config.git.remote)],
    [
      "relays",
      relayCheck(config.relays, {
        configured: config.nostr !== undefined,
        lastAnswers: () => readState(config.stateDir, [], (store) => store.loadRelayAnswers()),
      }),
    ],
    ["launch", launchCheck(config.launch, () => readState(config.stateDir, [], (store) => store.loadLaunches()))],
    ["thresholds", thresholdsCheck(config.loosenedThresholds)],
  ]);
  console.log(options.json ? JSON.stringify(report) : formatHealthReport(report));
  return report.healthy ? 0 : 1;
}

/** Reads the state store when a run has made one (health never creates it); `none` when there is none. */
async function readState<T>(stateDir: string, none: T, read: (store: KvStateStore) => Promise<T>): Promise<T> {
  const path = statePath({ stateDir });
  try {
    await Deno.stat(path);
  } catch {
    return none;
  }
  using store = await KvStateStore.open(path);
  return await read(store);
}
