/**
 * The lock files a killed git leaves behind. git takes `index.lock` (and
 * `HEAD.lock`, a ref's `.lock`…) for the length of an operation and never
 * removes one it did not finish: after the heartbeat was killed during
 * `git add`, `commit` or `push`, every later git command would fail with
 * "index.lock: File exists" until a person removed it.
 *
 * Only the heartbeat's own leftovers are removed: lock files last written
 * while the interrupted run was under way (a lock from before it belongs to
 * someone else's git, and is left for its owner), and only once they have
 * stood unchanged for a grace period (a git child the kill missed finishes
 * and removes its lock by itself).
 *
 * @module
 */

import { join, relative } from "node:path";
import type { Git } from "./git.ts";

/** What {@linkcode clearInterruptedLocks} needs. */
export interface InterruptedLocksOptions {
  /** When the interrupted run started: only locks written since are its own. */
  since: Date;
  /** How long a lock must stand unchanged before it is taken for abandoned, in ms (default 10 s). */
  graceMs?: number;
}

/** The lock files of one git directory, outside `refs/`. */
const TOP_LEVEL_LOCKS = ["index.lock", "HEAD.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock", "packed-refs.lock"];

/**
 * Removes the lock files an interrupted run's git left in the repository.
 *
 * @param git Git in the repository.
 * @param options When the interrupted run started, and the grace period.
 * @returns The locks removed, relative to the git directory's parent (`.git/index.lock`).
 *
 * @example
 * ```ts ignore
 * const removed = await clearInterruptedLocks(git, { since: new Date(interrupted.startedAt) });
 * ```
 */
export async function clearInterruptedLocks(git: Git, options: InterruptedLocksOptions): Promise<string[]> {
  const found = await git.run(["rev-parse", "--absolute-git-dir"], { allowFailure: true });
  if (found.code !== 0) return [];
  const gitDir = found.stdout.trim();
  // A second's slack: file systems keep modification times more coarsely than the clock.
  const since = options.since.getTime() - 1000;
  const grace = options.graceMs ?? 10_000;
  const locks = new Map<string, number>();
  for (const path of lockFiles(gitDir)) {
    const modified = modifiedAt(path);
    if (modified !== undefined && modified >= since) locks.set(path, modified);
  }
  const removed: string[] = [];
  for (const [path, modified] of locks) {
    const wait = modified + grace - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // A git still at work rewrote its lock or finished and removed it: either way it is not abandoned.
    if (modifiedAt(path) !== modified) continue;
    Deno.removeSync(path);
    removed.push(relative(join(gitDir, ".."), path).replaceAll("\\", "/"));
  }
  return removed;
}

/** Every `*.lock` git may leave: the top-level ones and any below `refs/`. */
function lockFiles(gitDir: string): string[] {
  const files = TOP_LEVEL_LOCKS.map((name) => join(gitDir, name));
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.isFile && entry.name.endsWith(".lock")) files.push(path);
    }
  };
  walk(join(gitDir, "refs"));
  return files;
}

/** When a file was last written (ms since the epoch), or `undefined` when it is not a regular file. */
function modifiedAt(path: string): number | undefined {
  try {
    const info = Deno.lstatSync(path);
    return info.isFile ? info.mtime?.getTime() ?? 0 : undefined;
  } catch {
    return undefined;
  }
}
