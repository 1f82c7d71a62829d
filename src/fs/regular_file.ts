/**
 * Reading a file that must be a regular file of bounded size: a skill file, a
 * `_meta.json`, `.env`, a supporting file being archived. A repository is
 * input from strangers, so a FIFO (which blocks whoever opens it), a device
 * (`/dev/zero` never ends) or a 3 GB file where a skill should be must cost
 * a diagnostic, never a stalled run or the machine's memory.
 *
 * The file's kind and size are checked before it is opened. What could change
 * between that check and the open cannot hurt either: the open does not wait
 * (`O_NONBLOCK`, so a FIFO swapped in returns at once) and the read stops one
 * byte past the limit, whatever the file has become.
 *
 * @module
 */

import { closeSync, constants, openSync, readSync } from "node:fs";

/** The path names something other than a regular file: it is not opened. */
export class NotRegularFileError extends Error {
  override name = "NotRegularFileError";
  /** The path. */
  readonly path: string;
  /** What it is instead, for a person: `a FIFO`, `a symbolic link`, … */
  readonly kind: string;

  /**
   * @param path The path.
   * @param kind What it is instead.
   */
  constructor(path: string, kind: string) {
    super(`${path} is ${kind}, not a regular file: not opened`);
    this.path = path;
    this.kind = kind;
  }
}

/** The file is larger than the reader's limit: it is not read. */
export class FileTooLargeError extends Error {
  override name = "FileTooLargeError";
  /** The path. */
  readonly path: string;
  /** Its size in bytes, as far as it was seen (one past the limit when it grew while being read). */
  readonly size: number;
  /** The limit in bytes. */
  readonly limit: number;

  /**
   * @param path The path.
   * @param size Its size.
   * @param limit The limit it is over.
   */
  constructor(path: string, size: number, limit: number) {
    super(`${path} is ${size} bytes, over the limit of ${limit}: not read`);
    this.path = path;
    this.size = size;
    this.limit = limit;
  }
}

/** Options of {@linkcode readRegularFile}. */
export interface ReadRegularFileOptions {
  /** The most bytes read: a larger file is refused. */
  maxBytes: number;
  /**
   * Read the file a symbolic link names (operators link `.env` to a secrets
   * file). By default a link is refused like any other non-regular file.
   */
  followLinks?: boolean;
  /**
   * The size an `lstat` of this path just gave, having found a regular file:
   * the check is not made twice (discovery stamps every file before reading
   * it). The open and the read stay as safe as ever should the file have
   * changed since.
   */
  checkedSize?: number;
}

/**
 * Reads a regular file of at most `maxBytes` bytes.
 *
 * @param path The file.
 * @param options The size limit, and whether a link may stand for the file.
 * @returns The file's bytes.
 * @throws {NotRegularFileError} When it is a link (unless followed), a
 *   directory, a FIFO, a socket or a device; it is not opened.
 * @throws {FileTooLargeError} When it is larger than the limit, or grows past
 *   it while being read; at most one byte past the limit is read.
 * @throws {Deno.errors.NotFound} When there is no such file, and whatever
 *   else the file system reports.
 *
 * @example
 * ```ts
 * import { readRegularFile } from "./regular_file.ts";
 * const bytes = readRegularFile("deno.json", { maxBytes: 64 * 1024 });
 * console.assert(bytes.length > 0);
 * ```
 */
export function readRegularFile(path: string, options: ReadRegularFileOptions): Uint8Array {
  const size = options.checkedSize ?? checkedSize(path, options.followLinks ?? false);
  if (size > options.maxBytes) throw new FileTooLargeError(path, size, options.maxBytes);
  // O_NOFOLLOW refuses a link swapped in after the check, where Deno honours it (with unrestricted
  // permissions; with scoped ones it resolves the path first, and the check above is what holds).
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLinks ? 0 : constants.O_NOFOLLOW);
  const fd = openSync(path, flags);
  try {
    return readAtMost(fd, path, size, options.maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** The size of a regular file; anything else is refused. */
function checkedSize(path: string, followLinks: boolean): number {
  const info = followLinks ? Deno.statSync(path) : Deno.lstatSync(path);
  if (!info.isFile) throw new NotRegularFileError(path, fileKind(info));
  return info.size;
}

/** Reads until the end of the file, or until one byte past `maxBytes` proves it too large. */
function readAtMost(fd: number, path: string, expected: number, maxBytes: number): Uint8Array {
  let buffer = new Uint8Array(Math.min(expected, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) throw new FileTooLargeError(path, length, maxBytes);
      // The file grew since it was stat-ed: make room, never past one byte over the limit.
      const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1));
      grown.set(buffer);
      buffer = grown;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return buffer.subarray(0, length);
    length += read;
  }
}

/**
 * What a path is, in words.
 *
 * @param info What `Deno.lstatSync` or `Deno.statSync` said of it.
 * @returns `a regular file`, `a directory`, `a symbolic link`, `a FIFO`, `a socket`, `a character device`,
 *   `a block device`, or `an unknown kind of file`.
 *
 * @example
 * ```ts
 * import { fileKind } from "./regular_file.ts";
 * console.assert(fileKind(Deno.lstatSync(".")) === "a directory");
 * ```
 */
export function fileKind(info: Deno.FileInfo): string {
  if (info.isFile) return "a regular file";
  if (info.isDirectory) return "a directory";
  if (info.isSymlink) return "a symbolic link";
  if (info.isFifo) return "a FIFO";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  return "an unknown kind of file";
}
