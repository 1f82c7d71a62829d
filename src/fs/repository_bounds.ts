/**
 * Where the repository ends. A path is checked where it really leads, not by
 * its name: a committed symbolic link `.archive -> ../outside` makes
 * `.archive/x` a path outside the repository whose name is inside it, and
 * Deno's `--allow-write=.` checks names too. So every path is resolved against
 * the repository's real root, following the links that exist, and refused
 * when it leads outside the repository or into its git directory (a write
 * there, such as `.git/hooks/pre-commit`, is one exec bit away from running
 * code on the next commit).
 *
 * @module
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { isInside } from "./paths.ts";

/** A path leads somewhere the program must not touch. */
export class UnsafePathError extends Error {
  override name = "UnsafePathError";
  /** The path, as it was given. */
  readonly path: string;

  /**
   * @param path The path, as it was given.
   * @param message What is wrong with it.
   */
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** A path leads outside the repository, by its name or through a symbolic link. */
export class OutsideRepositoryError extends UnsafePathError {
  override name = "OutsideRepositoryError";
}

/** A path leads into the repository's git directory. */
export class GitDirectoryError extends UnsafePathError {
  override name = "GitDirectoryError";
}

/**
 * The real path of `path`, whether or not it exists: the real path of its
 * longest existing ancestor (every symbolic link resolved) with the rest of
 * the path appended.
 *
 * @param path An absolute path.
 * @returns Its real path.
 * @throws {UnsafePathError} When a component is a symbolic link whose target
 *   does not exist: where it would lead once something is created there
 *   cannot be known.
 *
 * @example
 * ```ts
 * import { realPathOf } from "./repository_bounds.ts";
 * console.assert(realPathOf("/does/not/exist") === "/does/not/exist");
 * ```
 */
export function realPathOf(path: string): string {
  const rest: string[] = [];
  for (let current = path;; current = dirname(current)) {
    try {
      return rest.reduce((joined, name) => join(joined, name), Deno.realPathSync(current));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) throw error;
      if (current === dirname(current)) throw error;
      if (existsAsEntry(current)) {
        throw new UnsafePathError(path, `${current} is a symbolic link whose target does not exist`);
      }
      rest.unshift(basename(current));
    }
  }
}

/** Whether the entry itself exists (a dangling link does; a path under a missing directory does not). */
function existsAsEntry(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** One repository's bounds: its root, real root and git directory. */
export class RepositoryBounds {
  /** The repository root, absolute, as given. */
  readonly root: string;
  /** The root with every symbolic link resolved. */
  readonly realRoot: string;
  /**
   * The real path of `.git`, when there is one: a `.git` that is a link to a directory elsewhere in the
   * repository makes that directory the git directory. (A worktree's `.git` file names one outside.)
   */
  readonly #gitDir: string | undefined;

  /**
   * @param root The repository root, absolute; it must exist.
   * @throws {Deno.errors.NotFound} When the root does not exist.
   */
  constructor(root: string) {
    this.root = resolve(root);
    this.realRoot = Deno.realPathSync(this.root);
    try {
      this.#gitDir = Deno.realPathSync(join(this.root, ".git"));
    } catch {
      this.#gitDir = undefined;
    }
  }

  /**
   * The real path of the entry `path` names: its parent's links are followed,
   * its own is not (writing, renaming or removing an entry acts on the entry).
   *
   * @param path Repository-relative, or absolute.
   * @returns The entry's real path.
   * @throws {OutsideRepositoryError} When it is the root, or lies outside by its name or its parent's real path.
   * @throws {GitDirectoryError} When it lies in a git directory by name (in any case) or by real path.
   * @throws {UnsafePathError} When a directory above it is a link whose target does not exist.
   */
  entry(path: string): string {
    const lexical = this.#lexical(path, false);
    return this.#checked(path, join(realPathOf(dirname(lexical)), basename(lexical)), false, false);
  }

  /**
   * The real path of the directory `path` names, its own link followed
   * (listing a directory reads what the link points to).
   *
   * @param path Repository-relative, or absolute; the root itself is allowed.
   * @returns The directory's real path.
   * @throws {OutsideRepositoryError} When it lies outside, by name or real path.
   * @throws {GitDirectoryError} When it lies in a git directory, by name or real path.
   * @throws {UnsafePathError} When it, or a directory above it, is a link whose target does not exist.
   */
  directory(path: string): string {
    const lexical = this.#lexical(path, true);
    return this.#checked(path, realPathOf(lexical), true, isSymlink(lexical));
  }

  /** The absolute path, refused when its name alone leads outside (or to the root, for an entry) or into `.git`. */
  #lexical(path: string, rootAllowed: boolean): string {
    const lexical = resolve(this.root, path);
    if (!isInside(this.root, lexical) || (lexical === this.root && !rootAllowed)) {
      throw new OutsideRepositoryError(path, `${JSON.stringify(path)} is outside the repository`);
    }
    if (inGitByName(relative(this.root, lexical))) {
      throw new GitDirectoryError(path, `${JSON.stringify(path)} is in a git directory`);
    }
    return lexical;
  }

  /**
   * Refuses a real path outside the repository (or the root itself, unless allowed) or in a git
   * directory; `isLink` says whether `path` itself is the link that leads there.
   */
  #checked(path: string, real: string, rootAllowed: boolean, isLink: boolean): string {
    const how = `${JSON.stringify(path)} ${isLink ? "is a symbolic link" : "lies under a symbolic link"}`;
    if (!isInside(this.realRoot, real) || (real === this.realRoot && !rootAllowed)) {
      throw new OutsideRepositoryError(path, `${how} that leads outside the repository (to ${real})`);
    }
    if (inGitByName(relative(this.realRoot, real)) || (this.#gitDir !== undefined && isInside(this.#gitDir, real))) {
      throw new GitDirectoryError(path, `${how} that leads into a git directory (to ${real})`);
    }
    return real;
  }
}

/**
 * Whether a name is a git directory's, in any case (`.GIT` is `.git` on a
 * case-insensitive file system).
 *
 * @param name One path component.
 * @returns `true` for `.git`, `.Git`, …
 *
 * @example
 * ```ts
 * import { isGitName } from "./repository_bounds.ts";
 * console.assert(isGitName(".GIT") && !isGitName(".github"));
 * ```
 */
export function isGitName(name: string): boolean {
  return name.toLowerCase() === ".git";
}

function inGitByName(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some(isGitName);
}

function isSymlink(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSymlink;
  } catch {
    return false;
  }
}
