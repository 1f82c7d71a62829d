/**
 * Paths, what lies inside what, and the repository's layout.
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";

/**
 * Whether `path` is `root` or lies below it.
 *
 * @param root An absolute directory.
 * @param path An absolute path.
 * @returns `true` when `path` is inside `root`.
 *
 * @example
 * ```ts
 * import { isInside } from "./paths.ts";
 * console.assert(isInside("/repo", "/repo/skills") && !isInside("/repo", "/repository"));
 * ```
 */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Where the heartbeat's directories are: every path absolute, the skills and the archive inside the repository. */
export interface RepositoryLayout {
  /** The repository root. */
  readonly repo: string;
  /** The skills directory. */
  readonly skillsDir: string;
  /** The state directory (caches, run history, lock, logs). */
  readonly stateDir: string;
  /** The archive of merged originals. */
  readonly archiveDir: string;
}
