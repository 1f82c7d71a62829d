// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `init` command: the owner's consent. It writes the repository's
 * `heartbeat.json` (relays, agent name, pinned skills, thresholds) and commits
 * it; until then every run is a dry run.
 *
 * @module
 */

import { join } from "node:path";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { localGit } from "../publishing/git.ts";
import { commitAs } from "../publishing/publish.ts";
import { type RepositorySettings, SETTINGS_FILE } from "../repository_settings.ts";
import type { CommonOptions } from "../common_options.ts";
import { assertPermissions, loadCommandConfig } from "./environment.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/**
 * Opts the repository in.
 *
 * @param options The parsed command line.
 * @returns The exit code: 0 (also when it had opted in already), 1 when the file could not be written.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function initCommand(options: CommonOptions): Promise<number> {
  const { config, env } = loadCommandConfig(options);
  assertPermissions({ read: [config.repo], write: [join(config.repo, SETTINGS_FILE)] });
  if (config.consent) {
    console.log(`${join(config.repo, SETTINGS_FILE)} exists: this repository has opted in already; nothing changed.`);
    return 0;
  }
  const settings: RepositorySettings = {
    relays: [...config.relays],
    ...(config.agentName === undefined ? {} : { agentName: config.agentName }),
    pinned: [],
    thresholds: {},
  };
  localRepositoryWriter(config.repo).write(
    SETTINGS_FILE,
    new TextEncoder().encode(`${JSON.stringify(settings, null, 2)}\n`),
  );
  const git = localGit(config.repo, env);
  const inRepository = (await git.run(["rev-parse", "--is-inside-work-tree"], { allowFailure: true })).code === 0;
  let committed = false;
  if (inRepository) {
    await git.run(["--literal-pathspecs", "add", "--", SETTINGS_FILE]);
    const commit = await commitAs(git, config.git.author, `${PROGRAM_NAME}: opt in (heartbeat.json)`, {
      secrets: config.secrets,
      only: [SETTINGS_FILE],
      allowFailure: true,
    });
    committed = commit.code === 0;
    if (!committed) {
      // Left staged, it would read as someone else's work and stop the next run's commit.
      await git.run(["--literal-pathspecs", "reset", "-q", "--", SETTINGS_FILE], { allowFailure: true });
      console.error(`${PROGRAM_NAME}: ${SETTINGS_FILE} was written but not committed: ${commit.stderr.trim()}`);
    }
  }
  console.log(
    [
      `Opted in: wrote ${SETTINGS_FILE}${committed ? " and committed it" : ""}.`,
      `  relays: ${settings.relays!.join(", ")}`,
      `  pinned skills: none (list paths or names under "pinned" to keep skills out of every merge)`,
      "From now on the heartbeat merges, commits and pushes in this repository.",
      `See first what it would do with "${PROGRAM_NAME} --once --dry-run"; undo a merge with "${PROGRAM_NAME} restore PATH".`,
    ].join("\n"),
  );
  return 0;
}
