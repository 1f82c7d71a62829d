/**
 * Paths read from committed files (the archive's index, the owner's
 * decisions): a contributor's merged pull request can write anything there,
 * so a path is used only when it is a repository-relative POSIX path in
 * normal form, and where it lies is then decided by its name alone: no `..`
 * can climb out of the folder it names.
 *
 * @module
 */

import { isGitName } from "./repository_bounds.ts";

/**
 * The longest path accepted: Linux's `PATH_MAX`. No real skill path comes near
 * it, and a message quoting a path stays readable.
 */
export const MAX_PATH_LENGTH = 4096;

/**
 * Why a value read from a committed file is not a repository-relative POSIX
 * path in normal form, if it is not one.
 *
 * Control characters other than NUL are allowed: a file may be named
 * `two\nlines.md`, and such a skill is merged like any other (messages print
 * paths through `printable`). NUL cannot be in a file name.
 *
 * @param value The value, as parsed from JSON.
 * @returns `undefined` when it is such a path; else what is wrong with it, for a message.
 *
 * @example
 * ```ts
 * import { untrustedPathProblem } from "./untrusted_path.ts";
 * console.assert(untrustedPathProblem("skills/a/SKILL.md") === undefined);
 * console.assert(untrustedPathProblem("skills/a/../../.env") === "has a \".\" or \"..\" component");
 * ```
 */
export function untrustedPathProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "is not a string";
  if (value.length > MAX_PATH_LENGTH) return `is ${value.length} characters long, over ${MAX_PATH_LENGTH}`;
  if (value.includes("\0")) return "holds a NUL character";
  if (value.includes("\\")) return "holds a backslash (paths are POSIX, with /)";
  if (value.startsWith("/")) return "is absolute";
  const components = value.split("/");
  if (components.some((component) => component === "")) return "has an empty component";
  if (components.some((component) => component === "." || component === "..")) {
    return 'has a "." or ".." component';
  }
  if (components.some(isGitName)) return "names a git directory";
  return undefined;
}

/**
 * Whether a path lies strictly below a directory, by name (both in normal form).
 *
 * @param path A repository-relative path.
 * @param dir A repository-relative directory; `.` is the repository itself.
 * @returns `true` when `path` is inside `dir` and is not `dir`.
 *
 * @example
 * ```ts
 * import { isBelow } from "./untrusted_path.ts";
 * console.assert(isBelow("skills/a.md", "skills") && !isBelow("skills-old/a.md", "skills"));
 * console.assert(isBelow(".env", ".") && !isBelow("skills", "skills"));
 * ```
 */
export function isBelow(path: string, dir: string): boolean {
  return dir === "." ? path !== "." : path.startsWith(`${dir}/`);
}
