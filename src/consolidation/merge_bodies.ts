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
        if (seen.some((known) => covers(known, tokens))) return false;
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

/** Whether `known` already says what `block` says. */
function covers(known: ReadonlySet<string>, block: ReadonlySet<string>): boolean {
  if (block.size === 0) return true;
  let shared = 0;
  for (const word of block) if (known.has(word)) shared++;
  return shared / block.size >= COVERED && shared / Math.max(known.size, 1) >= COVERED / 2;
}
