/**
 * The state directory: run history, caches, the lock and the log.
 *
 * @module
 */

import { join } from "node:path";
import type { Config } from "../config.ts";
import { isInside } from "../fs/paths.ts";

/** The state store's file in the state directory. */
export const STATE_FILE = "state.kv";

/** The repository's lock file in the state directory. */
export const LOCK_FILE = "heartbeat.lock";

/**
 * Where the state store is.
 *
 * @param config Where the state directory is.
 * @returns The store's file.
 */
export function statePath(config: Pick<Config, "stateDir">): string {
  return join(config.stateDir, STATE_FILE);
}

/**
 * Creates the state directory. When it lies inside the repository it gets a
 * `.gitignore` of `*`, so git ignores it without anyone editing the
 * repository's own `.gitignore`.
 *
 * @param config Where the repository and state directory are.
 */
export async function prepareStateDir(config: Pick<Config, "repo" | "stateDir">): Promise<void> {
  await Deno.mkdir(config.stateDir, { recursive: true });
  if (isInside(config.repo, config.stateDir) && config.stateDir !== config.repo) {
    const ignore = join(config.stateDir, ".gitignore");
    try {
      await Deno.writeTextFile(ignore, "*\n", { createNew: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}
