/**
 * Reading archived copies back, for a restore or for judging a master by its
 * members. The index that names them is committed, so is anything in the
 * archive: a copy is read only when it is a regular file really inside the
 * archive (a directory link committed there, `.archive/x -> ..`, would make
 * `.archive/x/.env` the repository's `.env` under an archive name; the
 * archive made a link, `.archive -> .heartbeat`, would make the state store
 * an archived copy), and a
 * member's skill file only when its bytes are still those merged (the hash
 * the index records), so a copy edited after the merge is never restored or
 * read back as a member.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { realPathOf } from "../fs/repository_bounds.ts";
import { type ListedEntry, type RepositoryWriter, UnsafePathError } from "../fs/repository_writer.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import type { ArchiveEntry } from "./archive_index.ts";

/** An archived copy read, or why it cannot be trusted. */
export type ArchivedCopy = { bytes: Uint8Array } | { problem: string };

/** The archive's copies, read back. */
export class ArchivedFiles {
  readonly #writer: RepositoryWriter;
  readonly #archiveDir: string;
  #listed: Map<string, ListedEntry["kind"]> | string | undefined;

  /**
   * @param writer Reads the repository.
   * @param archiveDir The archive directory, repository-relative.
   */
  constructor(writer: RepositoryWriter, archiveDir: string) {
    this.#writer = writer;
    this.#archiveDir = archiveDir;
  }

  /**
   * Reads an entry's archived copy.
   *
   * @param entry Where the copy is, and the hash of a member's skill file.
   * @returns Its bytes, or what is wrong: missing, not a regular file in the archive, or changed since the merge.
   *
   * @example
   * ```ts ignore
   * import { ArchivedFiles } from "./archived_files.ts";
   * const copy = new ArchivedFiles(writer, ".archive").read(entry);
   * if ("problem" in copy) console.error(copy.problem);
   * ```
   */
  read(entry: Pick<ArchiveEntry, "archived" | "hash">): ArchivedCopy {
    const listed = this.#list();
    if (typeof listed === "string") return { problem: listed };
    const kind = listed.get(entry.archived);
    if (kind === undefined) return { problem: `${entry.archived} is missing from the archive` };
    if (kind !== "file") return { problem: `${entry.archived} is a link or a special file, not an archived copy` };
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#writer.read(entry.archived);
    } catch (error) {
      // Swapped for a link or grown after the listing: as untrusted as a link listed.
      if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) return { problem: error.message };
      throw error;
    }
    if (bytes === undefined) return { problem: `${entry.archived} is missing from the archive` };
    if (entry.hash !== undefined && createHash("sha256").update(bytes).digest("hex") !== entry.hash) {
      return {
        problem: `${entry.archived} was changed after the merge (its SHA-256 is not the ${
          entry.hash.slice(0, 12)
        }… the index records); take the merged copy back from git (git log -p -- ${entry.archived})`,
      };
    }
    return { bytes };
  }

  /**
   * The regular files really below the archive, listed once, without following a link; or why it cannot be. The
   * archive itself must be a directory where its name says: git never commits files below a link, so an archive
   * that is one (or lies below one) was made so to pass something else off as archived copies.
   */
  #list(): Map<string, ListedEntry["kind"]> | string {
    if (this.#listed === undefined) {
      try {
        const real = realPathOf(join(this.#writer.root, this.#archiveDir));
        if (real !== join(realPathOf(this.#writer.root), this.#archiveDir)) {
          this.#listed = `The archive ${this.#archiveDir} leads through a symbolic link to ${real}: nothing in it is ` +
            `read; make ${this.#archiveDir} a directory again (git log -- ${this.#archiveDir} shows who made it a link)`;
          return this.#listed;
        }
        this.#listed = new Map(this.#writer.list(this.#archiveDir).map((entry) => [entry.path, entry.kind]));
      } catch (error) {
        if (!(error instanceof UnsafePathError)) throw error;
        this.#listed =
          `The archive ${this.#archiveDir} cannot be read safely: ${error.message}; move that out of the archive`;
      }
    }
    return this.#listed;
  }
}
