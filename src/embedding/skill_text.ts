/**
 * Which text of a skill is embedded: its name, description, headings and the
 * start of its body. Measured here before the project started: this beats
 * embedding whole bodies, whose long tails of examples and boilerplate blur
 * what the skill is for.
 *
 * @module
 */

import type { Section } from "../discovery/sections.ts";

/** How much of the body's start a skill keeps for embedding, in characters. */
export const EXCERPT_CHARS = 1000;

/** How many headings go into the embedded text. */
const HEADINGS = 16;

/** How long the embedded text may be, in characters, before the tokenizer's own limit. */
export const EMBEDDING_TEXT_CHARS = 1200;

/**
 * The start of a body, white space collapsed, for embedding. Kept on the
 * skill so its text can be embedded without reading the file again.
 *
 * @param body The body text.
 * @returns At most {@linkcode EXCERPT_CHARS} characters.
 */
export function bodyExcerpt(body: string): string {
  return body.slice(0, EXCERPT_CHARS * 2).replace(/\s+/g, " ").trim().slice(0, EXCERPT_CHARS);
}

/** What the embedded text is made of. */
export interface EmbeddableSkill {
  name: string;
  description: string;
  sections: readonly Section[];
  excerpt: string;
}

/**
 * The text embedded for a skill: name, description, headings, body excerpt,
 * one per line.
 *
 * @param skill The skill's parts.
 * @returns The text, at most {@linkcode EMBEDDING_TEXT_CHARS} characters.
 *
 * @example
 * ```ts
 * import { skillEmbeddingText } from "./skill_text.ts";
 * const text = skillEmbeddingText({ name: "weather", description: "Forecasts.", sections: [], excerpt: "Use it." });
 * console.assert(text === "weather\nForecasts.\nUse it.");
 * ```
 */
export function skillEmbeddingText(skill: EmbeddableSkill): string {
  const headings = skill.sections.filter((section) => section.level > 0).slice(0, HEADINGS).map((s) => s.heading);
  return [skill.name, skill.description, headings.join(" · "), skill.excerpt]
    .filter((part) => part !== "")
    .join("\n")
    .slice(0, EMBEDDING_TEXT_CHARS);
}
