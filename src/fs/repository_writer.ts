/**
 * Writes inside the repository, and nowhere else: every path is resolved
 * against the repository's real root, following the symbolic links that
 * exist, and refused when it leads outside or into a git directory, whatever
 * a skill's frontmatter names or a committed link points to
 * ({@linkcode RepositoryBounds}). Files are read and copied only when they are
 * regular files within a size limit ({@linkcode readRegularFile}). Files are
 * written to a temporary file beside the target and renamed into place, so a
 * crash leaves the old file or the new one, never half of either.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { isInside } from "./paths.ts";
import { GitDirectoryError, isGitName, RepositoryBounds } from "./repository_bounds.ts";
import { FileTooLargeError, NotRegularFileError, readRegularFile } from "./regular_file.ts";

export { GitDirectoryError, OutsideRepositoryError, UnsafePathError } from "./repository_bounds.ts";

/**
 * The largest file the writer reads or copies, by default: 64 MiB. It bounds
 * memory, not taste: what is worth merging is decided by the plan, whose own
 * limit for supporting files is far lower; the archive's index, which grows
 * with every merge, is the largest file read here.
 */
export const DEFAULT_MAX_READ_BYTES = 64 * 1024 * 1024;

/** An entry below a listed directory. */
export interface ListedEntry {
  /** Repository-relative, POSIX separators, under the listed directory's name as given. */
  readonly path: string;
  /** A regular file, a symbolic link (not followed), or a FIFO, socket or device. */
  readonly kind: "file" | "symlink" | "special";
  /** The size in bytes, of a regular file; 0 for the rest. */
  readonly size: number;
}

/** Writing files of the repository, by repository-relative POSIX path. */
export interface RepositoryWriter {
  /** The repository root, absolute. */
  readonly root: string;
  /**
   * @param path A repository-relative path.
   * @returns Its bytes, or `undefined` when there is no such file.
   * @throws {import("./regular_file.ts").NotRegularFileError} When it is a link, a FIFO, a device…
   * @throws {import("./regular_file.ts").FileTooLargeError} When it is over the writer's limit.
   * @throws {import("./repository_bounds.ts").UnsafePathError} When it leads outside or into a git directory.
   */
  read(path: string): Uint8Array | undefined;
  /** Writes a file atomically, creating its directory. */
  write(path: string, bytes: Uint8Array): void;
  /** Copies a regular file within the writer's limit atomically, creating the target's directory. */
  copy(from: string, to: string): void;
  /** Removes a file, and then its directory and the ones above while they are empty (up to `keep`). */
  remove(path: string, keep: string): void;
  /**
   * @param dir A repository-relative directory.
   * @returns What lies below it, sorted by path: files, and the links and special files a caller
   *   must not mistake for nothing; none when it does not exist.
   * @throws {GitDirectoryError} When a git directory lies below it: nothing in it may be touched.
   */
  list(dir: string): ListedEntry[];
  /** Removes temporary files a crash left beside `path` (from a write that never reached its rename). */
  removeLeftovers(path: string): void;
}

/** Options of {@linkcode localRepositoryWriter}. */
export interface RepositoryWriterOptions {
  /** The largest file read or copied ({@linkcode DEFAULT_MAX_READ_BYTES} by default). */
  maxReadBytes?: number;
}

/**
 * The repository writer on the local disk.
 *
 * @param root The repository root, absolute; it must exist.
 * @param options The read limit.
 * @returns The writer.
 * @throws {Deno.errors.NotFound} When the root does not exist.
 *
 * @example Paths that lead out are refused
 * ```ts ignore
 * import { localRepositoryWriter, OutsideRepositoryError } from "./repository_writer.ts";
 * const writer = localRepositoryWriter("/srv/skills");
 * try {
 *   writer.write("../outside.md", new Uint8Array());
 * } catch (error) {
 *   console.assert(error instanceof OutsideRepositoryError);
 * }
 * ```
 */
export function localRepositoryWriter(root: string, options: RepositoryWriterOptions = {}): RepositoryWriter {
  const bounds = new RepositoryBounds(root);
  const maxBytes = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  const readBounded = (path: string) => {
    try {
      return readRegularFile(bounds.entry(path), { maxBytes });
    } catch (error) {
      // Named by the repository-relative path, as every report names files.
      if (error instanceof NotRegularFileError) throw new NotRegularFileError(path, error.kind);
      if (error instanceof FileTooLargeError) throw new FileTooLargeError(path, error.size, error.limit);
      throw error;
    }
  };
  const writeAtomic = (target: string, bytes: Uint8Array) => {
    Deno.mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.heartbeat-${crypto.randomUUID()}.tmp`;
    Deno.writeFileSync(temporary, bytes);
    Deno.renameSync(temporary, target);
  };
  const writer: RepositoryWriter = {
    root,
    read(path) {
      try {
        return readBounded(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return undefined;
        throw error;
      }
    },
    write(path, bytes) {
      writeAtomic(bounds.entry(path), bytes);
    },
    copy(from, to) {
      writeAtomic(bounds.entry(to), readBounded(from));
    },
    remove(path, keep) {
      const target = bounds.entry(path);
      try {
        Deno.removeSync(target);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const stop = bounds.directory(keep);
      for (let dir = dirname(target); isInside(stop, dir) && dir !== stop; dir = dirname(dir)) {
        try {
          Deno.removeSync(dir);
        } catch {
          break;
        }
      }
    },
    removeLeftovers(path) {
      const target = bounds.entry(path);
      const prefix = `${target.slice(dirname(target).length + 1)}.heartbeat-`;
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dirname(target))];
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.isFile && entry.name.startsWith(prefix) && entry.name.endsWith(".tmp")) {
          Deno.removeSync(join(dirname(target), entry.name));
        }
      }
    },
    list(dir) {
      return listTree(bounds.directory(dir), dir);
    },
  };
  return writer;
}

/**
 * What lies below a directory, sorted by path: files with their sizes, and the links and special files a caller must
 * not mistake for nothing; none when it does not exist.
 *
 * @param realDir The directory on disk.
 * @param dir Its repository-relative name, which the listed paths start with.
 * @throws {GitDirectoryError} When a git directory lies below it.
 */
function listTree(realDir: string, dir: string): ListedEntry[] {
  const found: ListedEntry[] = [];
  const walk = (directory: string, relativeDir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(directory)];
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const path = `${relativeDir}/${entry.name}`;
      const child = join(directory, entry.name);
      if (isGitName(entry.name)) {
        throw new GitDirectoryError(path, `${JSON.stringify(path)} is a git directory: nothing in it is touched`);
      }
      if (entry.isDirectory) walk(child, path);
      else if (entry.isFile) found.push({ path, kind: "file", size: Deno.lstatSync(child).size });
      else found.push({ path, kind: entry.isSymlink ? "symlink" : "special", size: 0 });
    }
  };
  walk(realDir, dir);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @param a One.
 * @param b The other.
 * @returns `true` when they are equal byte for byte.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
