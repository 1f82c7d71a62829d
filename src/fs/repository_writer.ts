/**
 * Writes inside the repository, and nowhere else: every path is resolved
 * against the repository root and refused when it would land outside it,
 * whatever a skill's frontmatter names. Files are written to a temporary
 * file beside the target and renamed into place, so a crash leaves the old
 * file or the new one, never half of either.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { isInside } from "../config.ts";

/** A path would leave the repository. */
export class OutsideRepositoryError extends Error {
  override name = "OutsideRepositoryError";
}

/** Writing files of the repository, by repository-relative POSIX path. */
export interface RepositoryWriter {
  /** The repository root, absolute. */
  readonly root: string;
  /**
   * @param path A repository-relative path.
   * @returns Its bytes, or `undefined` when there is no such file.
   */
  read(path: string): Uint8Array | undefined;
  /** Writes a file atomically, creating its directory. */
  write(path: string, bytes: Uint8Array): void;
  /** Copies a file atomically, creating the target's directory. */
  copy(from: string, to: string): void;
  /** Removes a file, and then its directory and the ones above while they are empty (up to `keep`). */
  remove(path: string, keep: string): void;
  /**
   * @param dir A repository-relative directory.
   * @returns The files below it, repository-relative, sorted; none when it does not exist.
   */
  list(dir: string): string[];
  /** Removes temporary files a crash left beside `path` (from a write that never reached its rename). */
  removeLeftovers(path: string): void;
}

/**
 * The repository writer on the local disk.
 *
 * @param root The repository root, absolute.
 * @returns The writer.
 */
export function localRepositoryWriter(root: string): RepositoryWriter {
  const absolute = (path: string) => {
    const target = resolve(root, path);
    if (!isInside(root, target) || target === root) {
      throw new OutsideRepositoryError(`Refusing to touch ${JSON.stringify(path)}: it is outside the repository`);
    }
    return target;
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
        return Deno.readFileSync(absolute(path));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    write(path, bytes) {
      writeAtomic(absolute(path), bytes);
    },
    copy(from, to) {
      const bytes = Deno.readFileSync(absolute(from));
      writeAtomic(absolute(to), bytes);
    },
    remove(path, keep) {
      const target = absolute(path);
      try {
        Deno.removeSync(target);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const stop = absolute(keep);
      for (let dir = dirname(target); isInside(stop, dir) && dir !== stop; dir = dirname(dir)) {
        try {
          Deno.removeSync(dir);
        } catch {
          break;
        }
      }
    },
    removeLeftovers(path) {
      const target = absolute(path);
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
      const files: string[] = [];
      const walk = (absoluteDir: string, relativeDir: string) => {
        let entries: Deno.DirEntry[];
        try {
          entries = [...Deno.readDirSync(absoluteDir)];
        } catch (error) {
          if (error instanceof Deno.errors.NotFound) return;
          throw error;
        }
        for (const entry of entries) {
          const path = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
          if (entry.isDirectory) walk(join(absoluteDir, entry.name), path);
          else if (entry.isFile) files.push(path);
        }
      };
      walk(absolute(dir), dir);
      return files.sort();
    },
  };
  return writer;
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
