/**
 * The version of a master skill: the highest member version by semver
 * precedence (never string order), bumped.
 *
 * The bump says what happened to the content: **patch** when every member had
 * the same body (the master is the same skill, renamed or re-versioned);
 * **minor** when the body combines content from several members. Members
 * without a version count as 0.0.0; near-versions (`1.0`, `v2`) are read
 * leniently.
 *
 * @module
 */

import { coerceSemver, compareSemver, formatSemver, type SemVer } from "../semver.ts";

/** How the master's body came about. */
export type ContentChange = "identical" | "combined";

/**
 * The master's version.
 *
 * @param versions The members' version texts (`undefined` when a member has none).
 * @param change Whether the members' bodies were identical or combined.
 * @returns The version, e.g. `1.3.0`.
 *
 * @example
 * ```ts
 * import { masterVersion } from "./master_version.ts";
 * console.assert(masterVersion(["1.9.0", "1.10.0", undefined], "combined") === "1.11.0");
 * console.assert(masterVersion(["2.0.0", "2.0.0"], "identical") === "2.0.1");
 * ```
 */
export function masterVersion(versions: ReadonlyArray<string | undefined>, change: ContentChange): string {
  const zero: SemVer = { major: 0, minor: 0, patch: 0, prerelease: [], build: [] };
  const highest = versions
    .map((text) => (text === undefined ? zero : coerceSemver(text) ?? zero))
    .reduce((best, version) => (compareSemver(version, best) > 0 ? version : best), zero);
  const released = { ...highest, prerelease: [], build: [] };
  // A pre-release bumps to its own release: 2.0.0-rc.1 → 2.0.0.
  if (highest.prerelease.length > 0) return formatSemver(released);
  return formatSemver(
    change === "identical"
      ? { ...released, patch: released.patch + 1 }
      : { ...released, minor: released.minor + 1, patch: 0 },
  );
}
