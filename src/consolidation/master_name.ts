/**
 * The name of a master skill: a valid AgentSkills slug, the best-supported
 * member name. Never a `_Master` suffix: a master keeps a member's name, so
 * a second run finds the same name rather than `X_Master_Master`.
 *
 * @module
 */

/** What naming needs of a member. */
export interface NamedMember {
  /** The member's name. */
  name: string;
  /** Its folder or file name. */
  slug: string;
  /** How much content it has (its size), for ties. */
  size: number;
  /** Whether it is a master from an earlier run: a master keeps its name. */
  master?: boolean;
}

/**
 * Turns any name into an AgentSkills slug: lower case, letters and digits,
 * single hyphens, at most 64 characters.
 *
 * @param name Any name.
 * @returns The slug; `skill` when nothing is left.
 *
 * @example
 * ```ts
 * import { toSlug } from "./master_name.ts";
 * console.assert(toSlug("Solana Trader_v2!") === "solana-trader-v2");
 * ```
 */
export function toSlug(name: string): string {
  const slug = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
  return slug === "" ? "skill" : slug;
}

/**
 * Chooses the master's name: a master from an earlier run keeps its name;
 * otherwise the slug most members share (by name or folder), ties broken by
 * the shorter name (`solana-trader` over `solana-trader-v2`), then the larger
 * member, then alphabetically.
 *
 * @param members The cluster's members.
 * @returns A valid slug.
 */
export function masterName(members: readonly NamedMember[]): string {
  const master = members.find((member) => member.master);
  if (master) return toSlug(master.name);
  const support = new Map<string, { count: number; size: number }>();
  for (const member of members) {
    for (const candidate of new Set([toSlug(member.name), toSlug(member.slug)])) {
      const entry = support.get(candidate) ?? { count: 0, size: 0 };
      entry.count++;
      entry.size = Math.max(entry.size, member.size);
      support.set(candidate, entry);
    }
  }
  return [...support].sort(([a, x], [b, y]) =>
    y.count - x.count || a.length - b.length || y.size - x.size || (a < b ? -1 : a > b ? 1 : 0)
  )[0]![0];
}
