/**
 * The section a master gives a member that is not a near copy of its base:
 * where it comes from, how it stands to the instructions above it, what it
 * needs, and its body whole.
 *
 * How it stands is said, not left to the reader:
 *
 * - **another version of the same skill** (its name, or half its text): which
 *   of the two is current, by version or date, and that where they differ
 *   the current one is followed; when neither says, the instructions above
 *   are the master's own;
 * - **another implementation**: that it is followed on its own, not mixed with
 *   the instructions above (and which of the two is newer, when both say);
 * - **its tools**: the commands its examples run and the binaries it requires,
 *   compared with the base's: "the same tools" when they are, its own (and the
 *   shared ones) when they are not. A section is never said to differ from the
 *   base in what it uses when it does not.
 *
 * @module
 */

import { posix } from "node:path";
import type { Skill } from "../discovery/skill.ts";
import { commandsOf } from "./identifiers.ts";
import { titleOf } from "./markdown_lines.ts";
import type { Alternative } from "./merge_bodies.ts";
import { describeRecency, type Recency } from "./recency.ts";

/** How a member stands to the base: another version of the same skill, or another implementation of its job. */
export interface Relation {
  kind: "version" | "implementation";
  /** Above 0 when the member says it is newer than the base, below 0 older; undefined when they do not say. */
  order: number | undefined;
  recency: Recency;
  baseRecency: Recency;
}

/** A member kept whole in a section of its own. */
export interface AlternativeSource {
  /** The member (the first of its copies). */
  skill: Skill;
  /** Its body, with what its copies add. */
  body: string;
  /** The paths of all its copies, its own first. */
  copies: readonly string[];
  relation: Relation;
}

/**
 * The tools a member uses: the commands its shell examples run and the binaries its metadata requires.
 *
 * @param skill The member.
 * @param body Its body.
 * @returns Command names.
 *
 * @example
 * ```ts ignore
 * import { toolsOf } from "./alternative_section.ts";
 * toolsOf(skill, body); // Set { "tmux", "jq" }
 * ```
 */
export function toolsOf(skill: Skill, body: string): Set<string> {
  return new Set([...commandsOf(body), ...strings(requiresOf(skill).bins)]);
}

/**
 * A member's section.
 *
 * @param source The member, its copies and how it stands to the base.
 * @param baseTools What the instructions above use (see {@linkcode toolsOf}).
 * @returns The section: its title, notes and body.
 *
 * @example
 * ```ts ignore
 * import { alternativeSection, toolsOf } from "./alternative_section.ts";
 * const section = alternativeSection({ skill, body, copies: [skill.path], relation: { kind: "implementation" } }, toolsOf(base, baseBody));
 * ```
 */
export function alternativeSection(source: AlternativeSource, baseTools: ReadonlySet<string>): Alternative {
  const { skill, body, copies, relation } = source;
  const paths = copies.map(quote);
  const from = `merged from ${paths.length > 1 ? `${paths.slice(0, -1).join(", ")} and ${paths.at(-1)}` : paths[0]}`;
  const tools = toolsOf(skill, body);
  const own = [...tools].filter((tool) => !baseTools.has(tool));
  const shared = [...tools].filter((tool) => baseTools.has(tool));
  const requires = requiresOf(skill);
  const needs = [...strings(requires.bins), ...strings(requires.env)].map(quote);
  const installs = (Array.isArray(skill.openclaw?.install) ? skill.openclaw.install : []).flatMap((step) => {
    const record = (step ?? {}) as Record<string, unknown>;
    const what = [record.formula, record.package, record.module].find((value) => typeof value === "string");
    return typeof what === "string"
      ? [`${typeof record.kind === "string" ? `${record.kind} ` : ""}${quote(what)}`]
      : [];
  });
  return {
    title: `Alternative: ${titleOf(body) ?? skill.name} (${posix.dirname(skill.path)}${
      skill.author ? `, by ${skill.author}` : ""
    })`,
    notes: [
      [
        relationNote(relation, from),
        own.length > 0
          ? `Its own commands: ${own.map(quote).join(", ")}${
            shared.length > 0 ? `; like the instructions above, it also uses ${shared.map(quote).join(", ")}` : ""
          }.`
          : shared.length > 0
          ? `It uses the same tools as the instructions above (${shared.map(quote).join(", ")}).`
          : "",
        relation.kind === "version" ? "" : ON_ITS_OWN,
      ].filter((part) => part !== "").join(" "),
      [
        needs.length > 0 ? `Requires ${needs.join(", ")}.` : "",
        installs.length > 0 ? `Install: ${installs.join(", ")}.` : "",
      ].filter((part) => part !== "").join(" "),
    ].filter((note) => note !== ""),
    body,
  };
}

/** What the section is to the instructions above, and which of the two to follow where they differ. */
function relationNote(relation: Relation, from: string): string {
  const { kind, order } = relation;
  const dates = `${describeRecency(relation.recency)}; the instructions above are ${
    describeRecency(relation.baseRecency)
  }`;
  if (kind === "version") {
    if (order !== undefined && order < 0) {
      return `An older version of this skill (${dates}), ${from}. The instructions above are current: where the two ` +
        "differ, follow them; this section is kept for what only it says.";
    }
    if (order !== undefined && order > 0) {
      return `A newer version of this skill (${dates}), ${from}. This section is current: where the two differ, ` +
        "follow it.";
    }
    return `Another version of this skill, ${from}; nothing tells which of the two is newer. The instructions above ` +
      "are this master's own: where the two differ, follow them, and use this section for what only it covers.";
  }
  const age = order === undefined || order === 0
    ? ""
    : `, ${order < 0 ? "older" : "newer"} than the instructions above (${dates})`;
  return `Another implementation${age}, ${from}.`;
}

/**
 * How to use another implementation: on its own, whatever its tools. Which of two implementations is newer does not
 * make one replace the other (a generic guide and one framework's guide may both be current).
 */
const ON_ITS_OWN = "Follow it on its own: do not mix it with the instructions above.";

function requiresOf(skill: Skill): Record<string, unknown> {
  return (skill.openclaw?.requires ?? {}) as Record<string, unknown>;
}

function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : []).filter((item): item is string => typeof item === "string");
}

function quote(text: string): string {
  return `\`${text}\``;
}
