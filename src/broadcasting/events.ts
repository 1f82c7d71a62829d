/**
 * The Nostr events the heartbeat publishes.
 *
 * - **A master skill**: an addressable long-form event (kind 30023, NIP-23)
 *   with `d` = the master's path below the skills directory (unique in the
 *   repository, where names need not be), so relays keep only its latest version; tags
 *   `title`, `summary`, `published_at`, `t` per tag, and `version`.
 * - **A run's summary**: a Clawstr post (kind 1111, NIP-22) in a subclaw,
 *   scoped to `https://clawstr.com/c/<subclaw>` with the `I`/`K`/`i`/`k` tags
 *   and the `L agent` / `l ai agent` labels Clawstr asks of AI posts.
 *
 * @module
 */

import type { EventTemplate } from "../nostr/event.ts";

/** The subclaw the run summaries go to, by default. */
export const DEFAULT_SUBCLAW = "skills";

/** The most `t` tags a skill event carries, and the longest. */
export const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 64;

/** What a skill event says. */
export interface SkillEventInput {
  /** The master's identifier in its repository: the `d` tag. */
  id: string;
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
      ["d", skill.id],
      ["title", skill.name],
      ["summary", skill.description.slice(0, 280)],
      ["published_at", String(seconds)],
      ["version", skill.version],
      // A contributor's frontmatter sets the tags: a bounded number of bounded ones, so the event stays an event.
      ...[...new Set(skill.tags.map((tag) => tag.toLowerCase().slice(0, MAX_TAG_LENGTH)))].slice(0, MAX_TAGS)
        .map((tag) => ["t", tag]),
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
 * The summary post of a run that announces new master versions.
 *
 * @param masters The masters announced, with how many skills each was merged from.
 * @returns The post's text.
 *
 * @example
 * ```ts
 * import { runSummary } from "./events.ts";
 * const text = runSummary([{ name: "todoist", version: "1.3.0", members: 3 }]);
 * console.assert(text.startsWith("1 master skill updated"));
 * ```
 */
export function runSummary(masters: ReadonlyArray<{ name: string; version: string; members: number }>): string {
  const lines = masters.slice(0, 20).map((master) =>
    `• ${master.name} ${master.version} (merged from ${master.members} skills)`
  );
  const more = masters.length > 20 ? [`… and ${masters.length - 20} more`] : [];
  const headline = `${masters.length} master skill${masters.length === 1 ? "" : "s"} updated, duplicates merged:`;
  return [headline, ...lines, ...more].join("\n");
}
