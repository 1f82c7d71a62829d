/**
 * The state directory: run history, caches, the lock and the log.
 *
 * @module
 */

import { join } from "node:path";
import type { Config } from "../config.ts";
import { isInside } from "../fs/paths.ts";

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
