/**
 * The lock that keeps two heartbeat processes off one repository.
 *
 * Two advisory `flock`s, both without waiting: one on a file in the state
 * directory, which records who holds it, and one on the repository's root
 * directory itself, so that two runs with different state directories
 * (`--state-dir`) cannot work on one repository at once either. The kernel
 * drops both when the process dies, however it dies, so a crash never leaves
 * a stale lock behind.
 *
 * @module
 */

/** Another process holds the repository's lock. */
export class LockedError extends Error {
  override name = "LockedError";
}

/** A held lock; release it with `using` or {@linkcode RepositoryLock.release}. */
export interface RepositoryLock extends Disposable {
  /** Releases the lock. Calling it twice is harmless. */
  release(): void;
}

/** What {@linkcode acquireRepositoryLock} locks. */
export interface RepositoryLockOptions {
  /** The repository's root directory, locked itself. */
  repo: string;
  /** The lock file in the state directory; created when missing. */
  file: string;
  /**
   * A note on who holds it (process id, start time), written into the file
   * so the error a second process with the same state directory gets can say
   * who holds it.
   */
  owner: string;
}

/**
 * Takes the repository's lock, without waiting.
 *
 * @param options The repository, the lock file and who takes it.
 * @returns The held lock.
 * @throws {LockedError} When another process (or another open in this one)
 *   holds the lock file or the repository.
 *
 * @example
 * ```ts ignore
 * import { acquireRepositoryLock } from "./lock.ts";
 * using lock = await acquireRepositoryLock({
 *   repo: "/srv/skills",
 *   file: "/srv/skills/.heartbeat/heartbeat.lock",
 *   owner: `pid ${Deno.pid}`,
 * });
 * ```
 */
export async function acquireRepositoryLock(options: RepositoryLockOptions): Promise<RepositoryLock> {
  const file = await Deno.open(options.file, { read: true, write: true, create: true });
  if (!(await file.tryLock(true))) {
    const holder = new TextDecoder().decode(await Deno.readFile(options.file)).trim();
    file.close();
    throw new LockedError(
      `Another heartbeat is running on this repository (lock ${options.file}${holder ? `, held by ${holder}` : ""})`,
    );
  }
  // flock locks an open file description, so a directory can be locked like a file: runs whose state
  // directories differ still meet here.
  const repo = await Deno.open(options.repo, { read: true });
  if (!(await repo.tryLock(true))) {
    repo.close();
    file.close();
    throw new LockedError(
      `Another heartbeat is running on this repository (lock on ${options.repo}, held by a run with another state directory; its lock file there names it)`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${options.owner}\n`));
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    repo.close();
    file.close();
  };
  return { release, [Symbol.dispose]: release };
}
