/**
 * Provenance: the `merged_from` frontmatter of a master skill, listing every
 * skill merged into it. Clustering reads it to recognise masters from earlier
 * runs; consolidation writes it.
 *
 * ```yaml
 * merged_from:
 *   - name: todoist
 *     version: 1.2.0
 *     path: skills/todoist-cli/SKILL.md
 *     author: alice
 *     hash: 3f1c…   # SHA-256 of the member's file as it was merged
 * ```
 *
 * @module
 */

/** One skill merged into a master. */
export interface ProvenanceEntry {
  /** The member's name. */
  name: string;
  /** Its version, when it had one. */
  version?: string;
  /** Where it was, relative to the repository (it now lives in the archive). */
  path: string;
  /** Its author, when known. */
  author?: string;
  /** SHA-256 of its file as merged, hex. */
  hash: string;
}

/** The frontmatter key holding provenance. */
export const PROVENANCE_KEY = "merged_from";

/**
 * Reads a skill's provenance.
 *
 * @param frontmatter The skill's frontmatter.
 * @returns The entries, or `undefined` when the skill is not a master. Malformed entries are skipped.
 */
export function readProvenance(frontmatter: Record<string, unknown>): ProvenanceEntry[] | undefined {
  const value = frontmatter[PROVENANCE_KEY];
  if (!Array.isArray(value)) return undefined;
  const entries: ProvenanceEntry[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const record = item as Record<string, unknown>;
    if (typeof record.name !== "string" || typeof record.path !== "string" || typeof record.hash !== "string") continue;
    entries.push({
      name: record.name,
      path: record.path,
      hash: record.hash,
      ...(typeof record.version === "string" ? { version: record.version } : {}),
      ...(typeof record.author === "string" ? { author: record.author } : {}),
    });
  }
  return entries;
}
