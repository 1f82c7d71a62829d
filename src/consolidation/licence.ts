/**
 * Whether members' licences let them merge: identical licences, or none
 * anywhere, merge; SPDX identifiers that differ do not, and neither does a
 * licence on one side against a text on the other that claims terms of its
 * own (`All rights reserved`, `Licensed under …`).
 *
 * @module
 */

/** What the licence check needs of a member. */
export interface LicensedMember {
  /** The member's path, for the report. */
  path: string;
  /** Its frontmatter `license`, if any. */
  license?: string | undefined;
  /** Its body. */
  body: string;
}

const OWN_TERMS = /all rights reserved|licen[cs]ed under|proprietary|copyright\s+(?:©|\(c\))/i;

/**
 * Each member's licence: its `license` field (case folded), `own terms` when
 * the text claims terms without one, or `undefined` for none.
 *
 * @param member The member.
 * @returns The licence.
 */
export function licenceOf(member: LicensedMember): string | undefined {
  const declared = member.license?.trim();
  if (declared) return declared.toLowerCase();
  return OWN_TERMS.test(member.body) ? "own terms" : undefined;
}

/**
 * Why the members cannot merge, if they cannot.
 *
 * @param members The cluster's members.
 * @returns A reason naming the licences and who has them, or `undefined` when they may merge.
 *
 * @example
 * ```ts
 * import { licenceConflict } from "./licence.ts";
 * console.assert(licenceConflict([{ path: "a", license: "MIT", body: "" }, { path: "b", body: "" }]) === undefined);
 * ```
 */
export function licenceConflict(members: readonly LicensedMember[]): string | undefined {
  const byLicence = new Map<string, string[]>();
  for (const member of members) {
    const licence = licenceOf(member);
    if (licence !== undefined) byLicence.set(licence, [...byLicence.get(licence) ?? [], member.path]);
  }
  if (byLicence.size <= 1) return undefined;
  return `licences differ: ${[...byLicence].map(([licence, paths]) => `${licence} (${paths.join(", ")})`).join(" / ")}`;
}
