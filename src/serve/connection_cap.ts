/**
 * How many connections `serve` may hold open: each is a file descriptor, and
 * a process that runs out of them can open no file, start no `git` and accept
 * nothing. The cap stays under the process's limit on open files (`ulimit -n`;
 * systemd's default is 1,024), leaving room for what the heartbeat itself
 * opens: skill files, git's pipes, the state store, the log.
 *
 * @module
 */

import { ConfigError } from "../config.ts";

/** The cap when none is asked for: far more than a dashboard and its owner's scripts use. */
export const DEFAULT_MAX_CONNECTIONS = 512;

/** The descriptors kept for the heartbeat itself (at most half of a small limit). */
const RESERVED_DESCRIPTORS = 256;

/** Where Linux tells a process its limits. */
const LIMITS_FILE = "/proc/self/limits";

/**
 * The process's soft limit on open files, when it can be read (`/proc/self/limits`). Deno guards `/proc/self` more
 * than `--allow-read` says: only a process with every permission reads it, so under the heartbeat task's permissions
 * the limit is unknown and the connection guard learns it from the first accept that fails for want of descriptors.
 *
 * @returns The limit, or `undefined`: unknown or unlimited.
 */
export function openFileLimit(): number | undefined {
  if (Deno.permissions.querySync({ name: "read", path: LIMITS_FILE }).state !== "granted") return undefined;
  let text: string;
  try {
    text = Deno.readTextFileSync(LIMITS_FILE);
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\d+)\s/m.exec(text)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/**
 * The cap on connections: the one asked for, or the default, within the limit on open files less what the heartbeat
 * keeps for itself.
 *
 * @param requested `--max-connections`, if given.
 * @param fileLimit The limit on open files, if known.
 * @returns The cap.
 * @throws {ConfigError} When the cap asked for would not leave the heartbeat enough descriptors.
 *
 * @example
 * ```ts
 * import { connectionCap } from "./connection_cap.ts";
 * console.assert(connectionCap(undefined, 1024) === 512 && connectionCap(undefined, 256) === 128);
 * console.assert(connectionCap(2000, undefined) === 2000);
 * ```
 */
export function connectionCap(requested: number | undefined, fileLimit: number | undefined): number {
  const affordable = fileLimit === undefined
    ? Infinity
    : fileLimit - Math.min(RESERVED_DESCRIPTORS, Math.floor(fileLimit / 2));
  if (requested === undefined) return Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, affordable));
  if (requested > affordable) {
    throw new ConfigError([
      `--max-connections ${requested} is more than the ${affordable} connections this process's limit of ${fileLimit} open files leaves room for: give at most ${affordable}, or raise the limit (ulimit -n, or LimitNOFILE= in the systemd unit)`,
    ]);
  }
  return requested;
}
