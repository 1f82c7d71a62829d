/**
 * The discovery cache: each skill file's outcome from an earlier run, reused
 * while the file's size and modification time (and its `_meta.json`'s) are
 * unchanged, so an unchanged library is walked and stat-ed but not re-read.
 *
 * Like git's index, an entry is only trusted for a file whose modification
 * time was at least {@linkcode RACY_WINDOW_MS} older than the moment it was
 * read: a file rewritten within the clock's resolution of its reading could
 * otherwise keep a stale entry.
 *
 * @module
 */

import type { FileOutcome, FileStamp, ReadOptions } from "./read_skill_files.ts";

/** One cached file. */
export interface CachedFile {
  /** The stamp the file had when it was read. */
  stamp: FileStamp;
  /** What reading it gave. */
  outcome: FileOutcome;
}

/** Cached outcomes by repository-relative path. */
export type DiscoveryCache = Map<string, CachedFile>;

/** How far a file's modification time must lie behind its reading for the entry to be trusted. */
export const RACY_WINDOW_MS = 2000;

/**
 * Bumped whenever what discovery produces for the same bytes changes (9: diagnostics capped per rule and file; 11:
 * shingles in an Int32Array).
 */
const FORMAT = 11;

/**
 * The cache's identity: outcomes cached under other options or another format
 * are not reused.
 *
 * @param options The read options of the run.
 * @returns A string that changes whenever cached outcomes would.
 */
export function discoveryCacheKey(options: ReadOptions): string {
  return JSON.stringify({
    format: FORMAT,
    ruleSets: [...options.ruleSets].sort(),
    strict: options.strict ?? false,
    maxFileBytes: options.maxFileBytes ?? null,
  });
}

/**
 * Whether two stamps name the same content.
 *
 * @param a A stamp.
 * @param b Another stamp.
 * @returns `true` when size and times agree, for the file and its `_meta.json`.
 */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.metaSize === b.metaSize &&
    a.metaMtimeMs === b.metaMtimeMs;
}

/**
 * Whether an outcome read at `readAt` may be cached.
 *
 * @param stamp The file's stamp when it was read.
 * @param readAt When it was read, in ms since the epoch.
 * @returns `false` for files without times or modified too recently to trust.
 */
export function isCacheable(stamp: FileStamp, readAt: number): boolean {
  const times = [stamp.mtimeMs, stamp.metaMtimeMs ?? 0];
  return times.every((time) => time !== null && time <= readAt - RACY_WINDOW_MS);
}
