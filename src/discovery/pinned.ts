/**
 * Pinned skills: the owner's "never touch this". A skill is pinned by its
 * path or name in `heartbeat.json`'s `pinned` list, or by `pinned: true` in its
 * own frontmatter. Pinned skills take part in no cluster: never merged, never
 * archived, never a master's base.
 *
 * @module
 */

import type { Skill } from "./skill.ts";

/**
 * Whether a skill is pinned.
 *
 * @param skill The skill.
 * @param pins Paths (repository-relative) or names from the settings file.
 * @returns `true` when it must be left alone.
 *
 * @example
 * ```ts
 * import { isPinned } from "./pinned.ts";
 * const skill = { path: "skills/style/SKILL.md", name: "style", frontmatter: {} };
 * console.assert(isPinned(skill, ["style"]) && !isPinned(skill, []));
 * console.assert(isPinned({ ...skill, frontmatter: { pinned: true } }, []));
 * ```
 */
export function isPinned(
  skill: Pick<Skill, "path" | "name" | "frontmatter">,
  pins: readonly string[],
): boolean {
  return skill.frontmatter.pinned === true || pins.includes(skill.path) || pins.includes(skill.name);
}
