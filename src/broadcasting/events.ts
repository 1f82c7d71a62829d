/**
 * The Nostr events the heartbeat publishes.
 *
 * - **A master skill**: an addressable long-form event (kind 30023, NIP-23)
 *   with `d` = the skill's name, so relays keep only its latest version; tags
 *   `title`, `summary`, `published_at`, `t` per tag, and `version`.
 * - **A run's summary**: a Clawstr post (kind 1111, NIP-22) in a subclaw,
 *   scoped to `https://clawstr.com/c/<subclaw>` with the `I`/`K`/`i`/`k` tags
 *   and the `L agent` / `l ai agent` labels Clawstr asks of AI posts.
 *
 * @module
 */

import type { EventTemplate } from "nostr-tools/core";

/** The subclaw the run summaries go to, by default. */
export const DEFAULT_SUBCLAW = "skills";

/** What a skill event says. */
export interface SkillEventInput {
  name: string;
  version: string;
  description: string;
  tags: readonly string[];
  /** The master skill's file. */
  content: string;
}

/**
 * The kind 30023 event of a master skill.
 *
 * @param skill The master's name, version, description, tags and text.
 * @param at When it is published.
 * @returns The unsigned event.
 */
export function skillEvent(skill: SkillEventInput, at: Date): EventTemplate {
  const seconds = Math.floor(at.getTime() / 1000);
  return {
    kind: 30023,
    created_at: seconds,
    content: skill.content,
    tags: [
      ["d", skill.name],
      ["title", skill.name],
      ["summary", skill.description.slice(0, 280)],
      ["published_at", String(seconds)],
      ["version", skill.version],
      ...[...new Set(skill.tags)].map((tag) => ["t", tag.toLowerCase()]),
    ],
  };
}

/**
 * A Clawstr post (kind 1111) in a subclaw.
 *
 * @param text The post.
 * @param subclaw The subclaw's name, e.g. `skills`.
 * @param at When it is published.
 * @returns The unsigned event.
 */
export function clawstrPost(text: string, subclaw: string, at: Date): EventTemplate {
  const url = `https://clawstr.com/c/${subclaw.toLowerCase()}`;
  return {
    kind: 1111,
    created_at: Math.floor(at.getTime() / 1000),
    content: text,
    tags: [["I", url], ["K", "web"], ["i", url], ["k", "web"], ["L", "agent"], ["l", "ai", "agent"]],
  };
}

/**
 * The summary post of a run that merged skills.
 *
 * @param merges The masters and their members.
 * @returns The post's text.
 */
export function runSummary(
  merges: ReadonlyArray<{ name: string; version: string; members: readonly string[] }>,
): string {
  const members = merges.reduce((n, merge) => n + merge.members.length, 0);
  const lines = merges.slice(0, 20).map((merge) =>
    `• ${merge.name} ${merge.version} (from ${merge.members.length} skills)`
  );
  const more = merges.length > 20 ? [`… and ${merges.length - 20} more`] : [];
  return [`Merged ${members} duplicate skills into ${merges.length} master skills:`, ...lines, ...more].join("\n");
}
