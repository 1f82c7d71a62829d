/**
 * Semantic versions: parsing, lenient reading of near-versions, and
 * comparison by precedence (never by string order: `1.10.0` > `1.9.0`).
 *
 * @module
 */

/** A parsed semantic version. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers (`1.0.0-beta.2` → `["beta", 2]`). */
  readonly prerelease: ReadonlyArray<string | number>;
  /** Build metadata, ignored by comparison. */
  readonly build: readonly string[];
}

const NUMERIC = "0|[1-9]\\d*";
const PRERELEASE_ID = `(?:${NUMERIC}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);
const NEAR_VERSION = /^[vV=]?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/;

/**
 * Parses a strict semantic version (semver.org 2.0.0).
 *
 * @param text The version text.
 * @returns The version, or `undefined` when `text` is not one.
 *
 * @example
 * ```ts
 * import { parseSemver } from "./semver.ts";
 * console.assert(parseSemver("1.2.3-rc.1")?.prerelease[1] === 1);
 * console.assert(parseSemver("1.2") === undefined);
 * ```
 */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text.trim());
  if (!match) return undefined;
  const [, major = "0", minor = "0", patch = "0", prerelease, build] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease === undefined ? [] : prerelease.split(".").map((id) => /^\d+$/.test(id) ? Number(id) : id),
    build: build === undefined ? [] : build.split("."),
  };
}

/**
 * Reads a version leniently: strict semver first, then near-versions such as
 * `v1.2.3`, `1.0` or `2` (missing parts are 0).
 *
 * @param text The version text.
 * @returns The version, or `undefined` when nothing like a version is there.
 */
export function coerceSemver(text: string): SemVer | undefined {
  const strict = parseSemver(text.replace(/^[vV=]\s*/, ""));
  if (strict) return strict;
  const match = NEAR_VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major = "0", minor = "0", patch = "0"] = match;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), prerelease: [], build: [] };
}

/**
 * Compares two versions by semver precedence.
 *
 * @param a A version.
 * @param b Another version.
 * @returns Negative when `a` < `b`, 0 when equal in precedence, positive when `a` > `b`.
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePrerelease(a.prerelease, b.prerelease);
}

/**
 * Formats a version.
 *
 * @param version The version.
 * @returns E.g. `1.2.3-rc.1+build.5`.
 */
export function formatSemver(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  const pre = version.prerelease.length > 0 ? `-${version.prerelease.join(".")}` : "";
  const build = version.build.length > 0 ? `+${version.build.join(".")}` : "";
  return core + pre + build;
}

function comparePrerelease(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  // A version without pre-release identifiers ranks above one with them.
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
