/**
 * Paths and what lies inside what.
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
