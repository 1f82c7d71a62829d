// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The repository's lock for the commands that change the repository besides
 * the heartbeat (`restore`, `fix --write`): they wait for no one, and say who
 * holds it.
 *
 * @module
 */

import { join } from "node:path";
import type { Config } from "../config.ts";
import { acquireRepositoryLock, LockedError, type RepositoryLock } from "../lock.ts";
import { LOCK_FILE, prepareStateDir } from "./state_dir.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/**
 * Takes the repository's lock for a command.
 *
 * @param config Where the repository and the state directory are.
 * @param command The command's name, recorded as the lock's owner.
 * @returns The lock, or `undefined` (after saying so on stderr) when another process holds it.
 */
export async function lockForCommand(config: Config, command: string): Promise<RepositoryLock | undefined> {
  await prepareStateDir(config);
  try {
    return await acquireRepositoryLock({
      repo: config.repo,
      file: join(config.stateDir, LOCK_FILE),
      owner: `pid ${Deno.pid} (${command}) since ${new Date().toISOString()}`,
    });
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    console.error(`${PROGRAM_NAME}: ${error.message}`);
    return undefined;
  }
}
