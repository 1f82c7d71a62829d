/**
 * What the commands read from the process before anything else: environment
 * variables, the `.env` file, and whether Deno's permissions cover the
 * repository.
 *
 * @module
 */

import { resolve } from "node:path";
import { type Config, ConfigError, ENVIRONMENT_VARIABLES, loadConfig } from "../config.ts";
import { parseEnvFile } from "../env_file.ts";
import { GIT_ENVIRONMENT } from "../publishing/git.ts";
import type { CommonOptions } from "../common_options.ts";
import { errorMessage } from "../error_message.ts";
import { FileTooLargeError, NotRegularFileError, readRegularFile } from "../fs/regular_file.ts";
import { assertRepositoryDirectories } from "./repository_directories.ts";
import {
  parseRepositorySettings,
  type RepositorySettings,
  SETTINGS_FILE,
  SettingsError,
} from "../repository_settings.ts";

/**
 * The largest `.env` file read: 64 KiB, hundreds of times what a dozen
 * variables take. A `.env` linked to `/dev/zero` or a log must cost one clear
 * error, not the machine's memory.
 */
export const MAX_ENV_FILE_BYTES = 64 * 1024;

/**
 * The variables the program itself reads. Each is read by name because
 * `--allow-env` is limited to a list (`Deno.env.toObject()` would need all).
 */
const READ_VARIABLES = [...Object.keys(ENVIRONMENT_VARIABLES), "NO_COLOR", ...GIT_ENVIRONMENT];

/**
 * Reads the environment and `.env`, validates the configuration, and checks
 * that the skills, archive and state directories really lie where their names
 * say, before anything is written.
 *
 * @param options The command line's options.
 * @returns The configuration and the environment it came from.
 * @throws {ConfigError} When anything is invalid or out of the process's
 *   permissions; each problem on its own line.
 */
export function loadCommandConfig(
  options: CommonOptions,
): { config: Config; env: Record<string, string | undefined> } {
  const env: Record<string, string | undefined> = {};
  for (const name of READ_VARIABLES) env[name] = Deno.env.get(name);
  const cwd = Deno.cwd();
  const envFile = readEnvFile(options.envFile, cwd);
  const settings = readSettings(resolve(cwd, options.repo, SETTINGS_FILE));
  const config = loadConfig(options, { env, envFile, cwd, settings });
  assertRepositoryDirectories(config);
  return { config, env };
}

/** The largest settings file read: a list of relays and pinned skills takes a few KiB. */
export const MAX_SETTINGS_BYTES = 256 * 1024;

/**
 * The repository's settings (its consent), or `undefined` when it has none.
 *
 * @param file The repository's `heartbeat.json`, absolute.
 * @returns The settings.
 * @throws {ConfigError} When the file is there but not a regular file, too large or invalid.
 */
export function readSettings(file: string): RepositorySettings | undefined {
  let text: string;
  try {
    text = new TextDecoder().decode(readRegularFile(file, { maxBytes: MAX_SETTINGS_BYTES }));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable) return undefined;
    const reason = error instanceof NotRegularFileError
      ? `it is ${error.kind}, not a regular file; not opened`
      : error instanceof FileTooLargeError
      ? `it is over ${MAX_SETTINGS_BYTES} bytes; not read`
      : errorMessage(error);
    throw new ConfigError([`${file}: ${reason}`]);
  }
  try {
    return parseRepositorySettings(text, file);
  } catch (error) {
    if (error instanceof SettingsError) throw new ConfigError([error.message]);
    throw error;
  }
}

/**
 * The `.env` file's variables. It is opened only when it is a regular file
 * (a link to one is fine: operators link it to where secrets live), so a
 * FIFO cannot hang the start and a device cannot fill memory.
 */
function readEnvFile(path: string | undefined, cwd: string): Map<string, string> | undefined {
  const file = resolve(cwd, path ?? ".env");
  let text: string;
  try {
    text = new TextDecoder().decode(readRegularFile(file, { maxBytes: MAX_ENV_FILE_BYTES, followLinks: true }));
  } catch (error) {
    if (path === undefined && (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable)) {
      return undefined;
    }
    const reason = error instanceof NotRegularFileError
      ? `it is ${error.kind}, not a regular file; not opened`
      : error instanceof FileTooLargeError
      ? `it is over ${MAX_ENV_FILE_BYTES} bytes; not read`
      : errorMessage(error);
    throw new ConfigError([`${path === undefined ? "The .env file" : "--env-file"} ${file}: ${reason}`]);
  }
  try {
    return parseEnvFile(text, file);
  } catch (error) {
    throw new ConfigError([errorMessage(error)]);
  }
}

/**
 * Checks that Deno's permissions cover what a command will touch, so a
 * missing flag is one clear error at start rather than a failure mid-run.
 *
 * @param needs The paths to read and to write, and the hosts to reach.
 * @throws {ConfigError} Naming each missing permission and the flag that
 *   grants it.
 */
export function assertPermissions(needs: { read: string[]; write: string[]; net?: string[] }): void {
  const problems: string[] = [];
  for (const host of needs.net ?? []) {
    if (Deno.permissions.querySync({ name: "net", host }).state !== "granted") {
      problems.push(
        `No permission to reach the relay ${host}: run with --allow-net=${host} (the heartbeat task grants Clawstr's relays and loopback)`,
      );
    }
  }
  for (const [name, paths] of [["read", needs.read], ["write", needs.write]] as const) {
    for (const path of paths) {
      if (Deno.permissions.querySync({ name, path }).state !== "granted") {
        problems.push(
          `No permission to ${name} ${path}: run with --allow-${name}=${path} (the heartbeat task grants only the directory it runs in)`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
