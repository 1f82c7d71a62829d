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
import type { CommonOptions } from "./args.ts";
import { errorMessage } from "../error_message.ts";

/**
 * The variables the program itself reads. Each is read by name because
 * `--allow-env` is limited to a list (`Deno.env.toObject()` would need all).
 */
const READ_VARIABLES = [...Object.keys(ENVIRONMENT_VARIABLES), "NO_COLOR", ...GIT_ENVIRONMENT];

/**
 * Reads the environment and `.env`, and validates the configuration.
 *
 * @param options The command line's options.
 * @returns The configuration and the environment it came from.
 * @throws {ConfigError} When anything is invalid or out of the process's
 *   permissions; each problem on its own line.
 */
export async function loadCommandConfig(
  options: CommonOptions,
): Promise<{ config: Config; env: Record<string, string | undefined> }> {
  const env: Record<string, string | undefined> = {};
  for (const name of READ_VARIABLES) env[name] = Deno.env.get(name);
  const cwd = Deno.cwd();
  const envFile = await readEnvFile(options.envFile, cwd);
  const config = loadConfig(options, { env, envFile, cwd });
  return { config, env };
}

async function readEnvFile(path: string | undefined, cwd: string): Promise<Map<string, string> | undefined> {
  const file = resolve(cwd, path ?? ".env");
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (path === undefined && (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable)) {
      return undefined;
    }
    throw new ConfigError([`--env-file ${file}: ${errorMessage(error)}`]);
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
