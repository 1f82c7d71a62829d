/**
 * How recent a member is, from what it says of itself: its version (the
 * frontmatter's, `metadata.version`, or a "Version: 2.1" line of its body) and
 * its date (an `updated`/`date`-like key, a "Last updated: 2025-09-01" line,
 * or a dated stamp in an HTML comment a distributor left).
 *
 * Two copies of one guide from different repositories rarely share an author,
 * so the author's releases say nothing of them; their own version or date is
 * what tells which of the two is current.
 *
 * @module
 */

import type { Skill } from "../discovery/skill.ts";
import { coerceSemver, compareSemver, formatSemver, type SemVer } from "../semver.ts";

/** What a member says of its recency; either may be missing. */
export interface Recency {
  /** Its version. */
  version?: SemVer;
  /** Its latest date, `YYYY-MM-DD`. */
  date?: string;
}

/**
 * What a member says of its recency.
 *
 * @param skill The member.
 * @param body Its body.
 * @returns Its version and date, each when it says one.
 *
 * @example
 * ```ts ignore
 * import { recencyOf } from "./recency.ts";
 * recencyOf(skill, "# Guide\n\nLast updated: 2025-09-01\n"); // { date: "2025-09-01" }
 * ```
 */
export function recencyOf(skill: Pick<Skill, "version" | "frontmatter" | "metadata">, body: string): Recency {
  const metadataVersion = typeof skill.metadata.version === "string" || typeof skill.metadata.version === "number"
    ? coerceSemver(String(skill.metadata.version))
    : undefined;
  const bodyVersion = BODY_VERSION.exec(body)?.[1];
  const version = skill.version?.semver ?? metadataVersion ??
    (bodyVersion === undefined ? undefined : coerceSemver(bodyVersion));
  const dates = [
    ...[skill.frontmatter, skill.metadata].flatMap((mapping) =>
      DATE_KEYS.flatMap((key) => Object.hasOwn(mapping, key) ? [dateOf(mapping[key])] : [])
    ),
    ...[...body.matchAll(BODY_DATE)].map((match) => match[1]),
    ...[...body.matchAll(STAMP)].map((match) => match[1]),
  ].filter((date): date is string => date !== undefined);
  const date = dates.reduce<string | undefined>(
    (latest, next) => latest === undefined || next > latest ? next : latest,
    undefined,
  );
  return { ...(version ? { version } : {}), ...(date ? { date } : {}) };
}

/**
 * Which of two members is newer: by version when both have one and they differ, else by date.
 *
 * @param a One member's recency.
 * @param b The other's.
 * @returns Above 0 when `a` is newer, below 0 when `b` is, 0 when neither is, `undefined` when they do not say.
 *
 * @example
 * ```ts
 * import { compareRecency } from "./recency.ts";
 * console.assert(compareRecency({ date: "2025-09-01" }, { date: "2024-02-10" })! > 0);
 * console.assert(compareRecency({ date: "2025-09-01" }, {}) === undefined);
 * ```
 */
export function compareRecency(a: Recency, b: Recency): number | undefined {
  if (a.version && b.version) {
    const order = compareSemver(a.version, b.version);
    if (order !== 0) return order;
  }
  if (a.date !== undefined && b.date !== undefined) return a.date === b.date ? 0 : a.date > b.date ? 1 : -1;
  return a.version && b.version ? 0 : undefined;
}

/**
 * How a recency reads in a note: "version 2.0.0", "2025-09-01", or both.
 *
 * @param recency A member's recency.
 * @returns The words; empty when it says nothing.
 *
 * @example
 * ```ts
 * import { describeRecency } from "./recency.ts";
 * console.assert(describeRecency({ date: "2025-09-01" }) === "dated 2025-09-01");
 * ```
 */
export function describeRecency(recency: Recency): string {
  return [
    recency.version ? `version ${formatSemver(recency.version)}` : "",
    recency.date !== undefined ? `dated ${recency.date}` : "",
  ].filter((part) => part !== "").join(", ");
}

/** Keys that date a skill, in the frontmatter or its metadata. */
const DATE_KEYS = [
  "updated",
  "last_updated",
  "last-updated",
  "lastUpdated",
  "updated_at",
  "updatedAt",
  "last_modified",
  "lastModified",
  "modified",
  "date",
  "released",
  "release_date",
];
const ISO_DATE = /(\d{4}-[01]\d-[0-3]\d)/;
const BODY_DATE = new RegExp(
  String.raw`^[\s>*_-]*(?:last[ -]?updated|updated|last[ -]?modified|released|date)[*_]*\s*[:：][*_\s]*` +
    ISO_DATE.source,
  "gim",
);
const BODY_VERSION = /^[\s>*_-]*version[*_]*\s*[:：][*_\s]*v?(\d+\.\d+(?:\.\d+)?)\b/im;
/** A distributor's stamp: `<!-- tool:4.0:skill_md:2026-04-15 -->`. */
const STAMP = new RegExp(String.raw`<!--[^>]*?` + ISO_DATE.source + String.raw`[^>]*?-->`, "g");

/** A date from a frontmatter value: YAML may give a Date or a string. */
function dateOf(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return typeof value === "string" ? ISO_DATE.exec(value)?.[1] : undefined;
}
