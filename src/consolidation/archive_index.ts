/**
 * The archive's index (`<archive>/index.json`): one entry per archived file,
 * naming where it was, where it is now and the master it went into. It is
 * written with every merge and committed with it, so it is also the record
 * of merges not yet committed: an entry in the work tree's index that the
 * committed index lacks is a merge whose files still wait for a commit (a
 * crash, a full disk or `--no-commit` came between).
 *
 * @module
 */

/** The index's file name, in the archive directory. */
export const ARCHIVE_INDEX = "index.json";

/** An archived file and its master. */
export interface ArchiveEntry {
  /** Where the file was. */
  original: string;
  /** Where it is now. */
  archived: string;
  /** The master it went into. */
  master: string;
  /** Where a supporting file was carried to, beside the master, when it was. */
  carriedTo?: string;
  /** SHA-256 of the skill file merged, when this is a member's skill file. */
  hash?: string;
  /** Set when the file is the earlier version of a master that was updated (not a member). */
  previousMaster?: true;
  /** The run that archived it. */
  run: string;
  /** Set (to the restoring run's id) once `heartbeat restore` brought the original back. */
  restored?: string;
}

/** The archive's index is not a list of entries; nothing is written over it. */
export class ArchiveIndexError extends Error {
  override name = "ArchiveIndexError";
}

/**
 * Reads the archive's index.
 *
 * @param bytes The index file's bytes; `undefined` when there is none yet.
 * @param path The index's path, for the error message.
 * @returns Its entries; none when there is no index.
 * @throws {ArchiveIndexError} When the file is not JSON or not a list of entries.
 *
 * @example
 * ```ts
 * import { parseArchiveIndex } from "./archive_index.ts";
 * console.assert(parseArchiveIndex(undefined, ".archive/index.json").length === 0);
 * ```
 */
export function parseArchiveIndex(bytes: Uint8Array | undefined, path: string): ArchiveEntry[] {
  if (bytes === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ArchiveIndexError(`The archive index ${path} is not valid JSON`, { cause: error });
  }
  const valid = Array.isArray(value) &&
    value.every((entry) =>
      typeof entry === "object" && entry !== null && typeof entry.original === "string" &&
      typeof entry.archived === "string" && typeof entry.master === "string"
    );
  if (!valid) throw new ArchiveIndexError(`The archive index ${path} is not a list of archived files`);
  return value as ArchiveEntry[];
}

/**
 * The files touched by the merges that `current` records and `committed` does
 * not: each original (removed), its archived copy, its master and the copy
 * carried beside the master.
 *
 * @param current The work tree's index entries.
 * @param committed The committed index's entries.
 * @returns Repository-relative paths, sorted, each once.
 *
 * @example
 * ```ts
 * import { pathsOfNewEntries } from "./archive_index.ts";
 * const entry = { original: "skills/a/SKILL.md", archived: ".archive/a/SKILL.md", master: "skills/m/SKILL.md", run: "r" };
 * console.assert(pathsOfNewEntries([entry], []).length === 3);
 * console.assert(pathsOfNewEntries([entry], [entry]).length === 0);
 * ```
 */
export function pathsOfNewEntries(current: readonly ArchiveEntry[], committed: readonly ArchiveEntry[]): string[] {
  // An entry is new when the commit lacks it, or lacks its restore (a restore killed before its commit).
  const known = new Set(committed.map((entry) => `${entry.archived}\n${entry.restored ?? ""}`));
  const paths = new Set<string>();
  for (const entry of current) {
    if (known.has(`${entry.archived}\n${entry.restored ?? ""}`)) continue;
    paths.add(entry.original).add(entry.archived).add(entry.master);
    if (entry.carriedTo !== undefined) paths.add(entry.carriedTo);
  }
  return [...paths].sort();
}
