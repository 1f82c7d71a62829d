/**
 * A file as the last commit holds it.
 *
 * @module
 */

import type { Git } from "./git.ts";

/**
 * Reads a file from HEAD.
 *
 * @param git Git in the repository.
 * @param path The file, repository-relative.
 * @returns Its bytes at HEAD; `undefined` when HEAD lacks it or there is no commit yet.
 *
 * @example
 * ```ts ignore
 * const committed = await committedFile(git, ".archive/index.json");
 * ```
 */
export async function committedFile(git: Git, path: string): Promise<Uint8Array | undefined> {
  const shown = await git.run(["cat-file", "blob", `HEAD:${path}`], { allowFailure: true });
  return shown.code === 0 ? new TextEncoder().encode(shown.stdout) : undefined;
}
