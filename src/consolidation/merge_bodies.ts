/**
 * Merges skill bodies section by section, losing nothing and repeating
 * nothing.
 *
 * The richest body is the base. Every other body is read as sections (by
 * heading) of blocks (paragraphs, lists; a fenced code block or a table is
 * always one whole block). A block already covered by the base, word for word
 * or nearly (the same words, at least {@linkcode COVERED} of them shared), is
 * dropped; an uncovered block joins the base section with the same heading,
 * or a section of its own appended after the base's, in the order the members
 * have them. Identical bodies give exactly one copy.
 *
 * @module
 */

/** The share of shared words from which a block counts as already there. */
export const COVERED = 0.8;

/**
 * The share of a body's blocks (by words) that a base already says: 1 for a copy, near 0 for a skill written
 * independently.
 *
 * @param base The base body.
 * @param body Another body.
 * @returns 0–1; 1 when `body` has no blocks.
 */
export function coveredShare(base: string, body: string): number {
  const known = parseSections(base).flatMap((section) => section.blocks.map(words));
  const blocks = parseSections(body).flatMap((section) => section.blocks.map(words));
  let covered = 0;
  let total = 0;
  for (const block of blocks) {
    total += block.size;
    if (known.some((words) => covers(words, block))) covered += block.size;
  }
  return total === 0 ? 1 : covered / total;
}

/** Another implementation of the base's job, kept whole in a section of its own. */
export interface Alternative {
  /** The section's heading text (without `#`). */
  title: string;
  /** Lines said before its body: where it comes from, what it needs. */
  notes: string[];
  /** Its body, as written. */
  body: string;
}

/**
 * Appends other implementations to a master's body, each whole under a level-2 heading of its own, its headings
 * moved below that one: never interleaved with the base's instructions.
 *
 * @param body The master's body (the base with its near copies merged in).
 * @param alternatives The other implementations, in order.
 * @returns The body, LF line ends, ending with one newline.
 *
 * @example
 * ```ts
 * import { withAlternatives } from "./merge_bodies.ts";
 * const body = withAlternatives("# A\n\nUse a.\n", [{ title: "B", notes: ["From b."], body: "# B\n\n## Setup\n\nUse b.\n" }]);
 * console.assert(body === "# A\n\nUse a.\n\n## B\n\nFrom b.\n\n### B\n\n#### Setup\n\nUse b.\n");
 * ```
 */
export function withAlternatives(body: string, alternatives: readonly Alternative[]): string {
  const parts = [body.replace(/\s+$/, "")];
  for (const alternative of alternatives) {
    parts.push(
      `## ${alternative.title}`,
      ...alternative.notes,
      demoteHeadings(alternative.body, 3).replace(/\s+$/, ""),
    );
  }
  return parts.filter((part) => part !== "").join("\n\n") + "\n";
}

/** Moves a body's headings down so that its highest is at `level`, outside code fences. */
function demoteHeadings(body: string, level: number): string {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  let fence: string | undefined;
  const headingLines = new Map<number, number>();
  lines.forEach((line, index) => {
    const open = FENCE.exec(line);
    if (open) {
      if (fence === undefined) fence = open[1];
      else if (open[1]![0] === fence[0] && line.trim() === open[1]) fence = undefined;
      return;
    }
    const heading = fence === undefined ? HEADING.exec(line) : null;
    if (heading) headingLines.set(index, heading[1]!.length);
  });
  if (headingLines.size === 0) return body;
  const shift = level - Math.min(...headingLines.values());
  return lines.map((line, index) => {
    const depth = headingLines.get(index);
    return depth === undefined
      ? line
      : `${"#".repeat(Math.min(6, depth + Math.max(0, shift)))}${line.trimStart().slice(depth)}`;
  }).join("\n");
}

/** A section: its heading line (empty for text before the first heading) and its blocks. */
interface Section {
  heading: string;
  key: string;
  blocks: string[];
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Merges bodies.
 *
 * @param bodies The members' bodies, richest first (the first is the base).
 * @returns The merged body, LF line ends, ending with one newline.
 *
 * @example
 * ```ts
 * import { mergeBodies } from "./merge_bodies.ts";
 * const merged = mergeBodies(["# A\n\nOne.\n", "# A\n\nOne.\n\nTwo.\n\n# B\n\nThree.\n"]);
 * console.assert(merged === "# A\n\nOne.\n\nTwo.\n\n# B\n\nThree.\n");
 * ```
 */
export function mergeBodies(bodies: readonly string[]): string {
  const [base = "", ...others] = bodies;
  const sections = parseSections(base);
  const seen = sections.flatMap((section) => section.blocks.map(words));
  for (const body of others) {
    for (const section of parseSections(body)) {
      const fresh = section.blocks.filter((block) => {
        const tokens = words(block);
        // Said already, or another wording of a paragraph already there (an edit): the base's wording stands, so
        // no instruction appears twice in two versions.
        if (seen.some((known) => covers(known, tokens) || overlap(known, tokens) >= EDITED)) return false;
        seen.push(tokens);
        return true;
      });
      if (fresh.length === 0) continue;
      const target = sections.find((candidate) => candidate.key === section.key);
      if (target) target.blocks.push(...fresh);
      else sections.push({ heading: section.heading, key: section.key, blocks: fresh });
    }
  }
  return sections
    .map((section) => [section.heading, ...section.blocks].filter((part) => part !== "").join("\n\n"))
    .filter((part) => part !== "")
    .join("\n\n") + "\n";
}

/** Splits a body into sections of blocks; code fences and tables stay whole. */
function parseSections(body: string): Section[] {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const sections: Section[] = [{ heading: "", key: "", blocks: [] }];
  let block: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const text = block.join("\n").replace(/\s+$/, "");
    if (text.trim() !== "") sections[sections.length - 1]!.blocks.push(text);
    block = [];
  };
  for (const line of lines) {
    if (fence !== undefined) {
      block.push(line);
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && line.trim() === close[1]) {
        fence = undefined;
        flush();
      }
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      flush();
      fence = open[1];
      block.push(line);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      sections.push({ heading: line.trimEnd(), key: normalise(heading[2] ?? ""), blocks: [] });
    } else if (line.trim() === "") {
      flush();
    } else {
      block.push(line);
    }
  }
  flush();
  return sections.filter((section, index) => index > 0 || section.blocks.length > 0);
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function words(block: string): Set<string> {
  return new Set(normalise(block).split(" ").filter((word) => word !== ""));
}

/** From this share of a block's words found in one block already there, the block is an edit of that one. */
export const EDITED = 0.5;

/** The share of `block`'s words that `known` has. */
function overlap(known: ReadonlySet<string>, block: ReadonlySet<string>): number {
  if (block.size === 0) return 1;
  let shared = 0;
  for (const word of block) if (known.has(word)) shared++;
  return shared / block.size;
}

/** Whether `known` already says what `block` says. */
function covers(known: ReadonlySet<string>, block: ReadonlySet<string>): boolean {
  if (block.size === 0) return true;
  let shared = 0;
  for (const word of block) if (known.has(word)) shared++;
  return shared / block.size >= COVERED && shared / Math.max(known.size, 1) >= COVERED / 2;
}
