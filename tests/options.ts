/**
 * The command line's options as tests build them, and a configuration from
 * them: one place for the defaults every test starts from.
 *
 * @module
 */

import type { RepositorySettings } from "../src/repository_settings.ts";
import { type CommonOptions, readCommonOptions } from "../src/common_options.ts";
import { type Config, loadConfig } from "../src/config.ts";

/**
 * The command line's defaults, with some options changed.
 *
 * @param overrides The options that differ.
 * @returns The options.
 */
export function commandLine(overrides: Partial<CommonOptions> = {}): CommonOptions {
  // The command line's own defaults, but a repository of its own and no validation rule sets (tests choose theirs).
  return { ...readCommonOptions({}), repo: "/srv/skills", ruleSets: [], ...overrides };
}

/**
 * The configuration of a run over `repo`; it has opted in with empty settings unless `settings` is given
 * (`undefined`: not opted in).
 *
 * @param repo The repository.
 * @param options The options that differ from the defaults, and the environment.
 * @returns The configuration.
 */
export function testConfig(
  repo: string,
  options: { overrides?: Partial<CommonOptions>; env?: Record<string, string>; settings?: RepositorySettings } = {},
): Config {
  // The repository has opted in (its `heartbeat.json`), unless a test says otherwise.
  return loadConfig(commandLine({ repo, ...options.overrides }), {
    env: options.env ?? {},
    cwd: "/",
    settings: "settings" in options ? options.settings : {},
  });
}

/** The environment of a valid token launch (`TOKEN_*`). */
export const LAUNCH_ENV: Readonly<Record<string, string>> = {
  TOKEN_TICKER: "keep",
  TOKEN_WALLET: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  TOKEN_NAME: "Skill Keeper",
  TOKEN_DESCRIPTION: "Governance token of the Clawstr skill keeper.",
  TOKEN_IMAGE: "https://example.com/keeper.png",
};
