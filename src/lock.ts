/**
 * The lock that keeps two heartbeat processes off one repository.
 *
 * It is an advisory `flock` on a file in the state directory: the kernel
 * drops it when the process dies, however it dies, so a crash never leaves a
 * stale lock behind.
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

/**
 * Takes the lock file at `path`, without waiting.
 *
 * @param path The lock file; created when missing.
 * @param owner A note on who holds it (process id, start time), written into
 *   the file so the error a second process gets can say who holds it.
 * @returns The held lock.
 * @throws {LockedError} When another process (or another open in this one)
 *   holds it.
 */
export async function acquireRepositoryLock(path: string, owner: string): Promise<RepositoryLock> {
  const file = await Deno.open(path, { read: true, write: true, create: true });
  if (!(await file.tryLock(true))) {
    const holder = new TextDecoder().decode(await Deno.readFile(path)).trim();
    file.close();
    throw new LockedError(
      `Another heartbeat is running on this repository (lock ${path}${holder ? `, held by ${holder}` : ""})`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${owner}\n`));
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    file.close();
  };
  return { release, [Symbol.dispose]: release };
}
