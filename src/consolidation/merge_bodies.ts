/**
 * Merges skill bodies section by section, losing nothing and repeating
 * nothing.
 *
 * The richest body is the base. Every other body is read as sections (by
 * heading) of blocks (paragraphs, lists; a fenced code block or a table is
 * always one whole block). A block already covered by the base, word for word
 * or nearly (the same words, at least {@linkcode COVERED} of them shared), is
 * dropped, unless it names identifiers nothing before it does (then those
 * lines are kept, attributed to their member); an uncovered block joins the
 * base section with the same heading, or a section of its own appended after
 * the base's, in the order the members have them. Identical bodies give
 * exactly one copy.
 *
 * @module
 */

import { identifiersOf } from "./identifiers.ts";

/** The share of shared words from which a block counts as already there. */
export const COVERED = 0.8;

/**
 * A body's blocks, read once, to ask of other bodies how much of them it already says.
 *
 * @example
 * ```ts
 * import { BodyIndex } from "./merge_bodies.ts";
 * const base = new BodyIndex("# A\n\nUse a.\n\nThen b.\n");
 * console.assert(base.coveredShare("# A\n\nUse a.\n") === 1 && base.coveredShare("Other text.\n") === 0);
 * ```
 */
export class BodyIndex {
  readonly #known: KnownBlocks;
  readonly #reader: BlockReader;

  /**
   * @param body The body.
   * @param reader Reads blocks, remembering them; one per master drafted, so its members' blocks are read once.
   */
  constructor(body: string, reader: BlockReader = new BlockReader()) {
    this.#reader = reader;
    this.#known = new KnownBlocks(parseSections(body).flatMap((section) => section.blocks), reader);
  }

  /**
   * The share of another body's blocks (by words) this one already says: 1 for a copy, near 0 for a skill written
   * independently.
   *
   * @param body Another body.
   * @returns 0–1; 1 when `body` has no blocks.
   */
  coveredShare(body: string): number {
    let covered = 0;
    let total = 0;
    for (const block of parseSections(body).flatMap((section) => section.blocks)) {
      const read = this.#reader.read(block);
      total += read.words.size;
      if (this.#known.says(read, false)) covered += read.words.size;
    }
    return total === 0 ? 1 : covered / total;
  }
}

/** A block's normalised text and its words. */
interface ReadBlock {
  text: string;
  words: Set<string>;
}

/**
 * Reads blocks, remembering what it read: a cluster's members share most of their blocks (copies, near copies), and
 * each is read by the base's index, the merge and the alternatives' comparison. One reader per master drafted, so
 * nothing outlives the draft (several repositories may be planned in one process).
 */
export class BlockReader {
  readonly #read = new Map<string, ReadBlock>();
  readonly #identifiers = new Map<string, Set<string>>();

  /**
   * @param block A block as written.
   * @returns The identifiers it names (see {@linkcode identifiersOf}).
   */
  identifiers(block: string): Set<string> {
    let identifiers = this.#identifiers.get(block);
    if (!identifiers) this.#identifiers.set(block, identifiers = identifiersOf(block));
    return identifiers;
  }

  /**
   * @param block A block as written.
   * @returns Its normalised text and words.
   */
  read(block: string): ReadBlock {
    const known = this.#read.get(block);
    if (known) return known;
    const text = normalise(block);
    const read = { text, words: new Set(text.split(" ").filter((word) => word !== "")) };
    this.#read.set(block, read);
    return read;
  }
}

/**
 * Blocks already said: exact copies found at once, the rest by their words, through an index from each word to the
 * blocks that have it (a long body compared block by block with every block of another was most of planning's time).
 */
class KnownBlocks {
  readonly #exact = new Set<string>();
  readonly #words: Array<Set<string>> = [];
  readonly #blocksWith = new Map<string, number[]>();
  readonly #reader: BlockReader;

  constructor(blocks: readonly string[], reader: BlockReader) {
    this.#reader = reader;
    for (const block of blocks) this.#add(reader.read(block));
  }

  /** Whether a block is said already (or, with `edits`, is another wording of one). */
  says(block: ReadBlock, edits: boolean): boolean {
    if (this.#exact.has(block.text)) return true;
    if (block.words.size === 0) return this.#words.length > 0;
    // How many of the block's words each known block has: only blocks sharing a word are counted at all.
    const shared = new Map<number, number>();
    for (const word of block.words) {
      for (const known of this.#blocksWith.get(word) ?? []) shared.set(known, (shared.get(known) ?? 0) + 1);
    }
    for (const [known, count] of shared) {
      if (covers(this.#words[known]!.size, block.words.size, count)) return true;
      if (edits && count / block.words.size >= EDITED) return true;
    }
    return false;
  }

  /** Adds a block unless it is said already or an edit of one; returns whether it was added. */
  addUnlessSaid(block: string): boolean {
    const read = this.#reader.read(block);
    if (this.says(read, true)) return false;
    this.#add(read);
    return true;
  }

  #add(block: ReadBlock): void {
    if (this.#exact.has(block.text)) return;
    this.#exact.add(block.text);
    const index = this.#words.push(block.words) - 1;
    for (const word of block.words) {
      const blocks = this.#blocksWith.get(word);
      if (blocks) blocks.push(index);
      else this.#blocksWith.set(word, [index]);
    }
  }
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
    parts.push(`## ${alternative.title}`);
    for (const note of alternative.notes) parts.push(note);
    parts.push(demoteHeadings(alternative.body, 3).replace(/\s+$/, ""));
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
  const shift = level - [...headingLines.values()].reduce((least, depth) => Math.min(least, depth));
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

/** How {@linkcode mergeBodies} reads and names its bodies. */
export interface MergeOptions {
  /** Reads blocks, remembering them (see {@linkcode BlockReader}). */
  reader?: BlockReader;
  /**
   * Each body's source, as a variant of a block is attributed to it ("`skills/x/SKILL.md` (by bob)"), in the order
   * of the bodies; one without is "another member".
   */
  sources?: readonly string[];
}

/**
 * Merges bodies.
 *
 * A block another body says already, or says in other words, is not repeated, unless it carries identifiers the
 * merged text does not have yet (its own variables, parameters, flags, paths or commands: a copy that renamed the
 * socket variable after its own bot, a list with one more parameter). Then what carries them (the lines of a code
 * block, the rows of a table, the items of a list, a paragraph whole) is kept below the base's block, attributed
 * to its source: a member's own teaching is never dropped as a near duplicate.
 *
 * @param bodies The members' bodies, richest first (the first is the base).
 * @param options How to read and name them.
 * @returns The merged body, LF line ends, ending with one newline.
 *
 * @example
 * ```ts
 * import { mergeBodies } from "./merge_bodies.ts";
 * const merged = mergeBodies(["# A\n\nOne.\n", "# A\n\nOne.\n\nTwo.\n\n# B\n\nThree.\n"]);
 * console.assert(merged === "# A\n\nOne.\n\nTwo.\n\n# B\n\nThree.\n");
 * const variant = mergeBodies(["Set `ACME_DIR` first.\n", "Set `BETA_DIR` first.\n"], { sources: ["a", "`b`"] });
 * console.assert(variant === "Set `ACME_DIR` first.\n\n`b` has its own here:\n\nSet `BETA_DIR` first.\n");
 * ```
 */
export function mergeBodies(bodies: readonly string[], options: MergeOptions = {}): string {
  const { reader = new BlockReader(), sources = [] } = options;
  const [base = "", ...others] = bodies;
  const sections = parseSections(base);
  const known = new KnownBlocks(sections.flatMap((section) => section.blocks), reader);
  const taught = new Set(
    sections.flatMap((section) => section.blocks.flatMap((block) => [...reader.identifiers(block)])),
  );
  others.forEach((body, index) => {
    const source = sources[index + 1] ?? "Another member";
    for (const section of parseSections(body)) {
      const fresh: string[] = [];
      for (const block of section.blocks) {
        const identifiers = reader.identifiers(block);
        const own = new Set([...identifiers].filter((identifier) => !taught.has(identifier)));
        for (const identifier of identifiers) taught.add(identifier);
        // Said already, or another wording of a paragraph already there (an edit): the base's wording stands, so
        // no instruction appears twice in two versions; only what the member names that nothing else does is kept.
        if (known.addUnlessSaid(block)) fresh.push(block);
        else if (own.size > 0) fresh.push(`${source} has its own here:`, variantOf(block, own));
      }
      if (fresh.length === 0) continue;
      const target = sections.find((candidate) => candidate.key === section.key);
      if (!target) sections.push({ heading: section.heading, key: section.key, blocks: fresh });
      else for (const block of fresh) target.blocks.push(block);
    }
  });
  return sections
    .map((section) => [section.heading, ...section.blocks].filter((part) => part !== "").join("\n\n"))
    .filter((part) => part !== "")
    .join("\n\n") + "\n";
}

/**
 * The part of a block that carries identifiers: a code block's fences and the lines with them, a table's header and
 * the rows with them, a list's items with them; a paragraph whole.
 */
function variantOf(block: string, own: ReadonlySet<string>): string {
  const lines = block.split("\n");
  const first = lines[0]!;
  const carries = (text: string) => [...identifiersOf(text)].some((identifier) => own.has(identifier));
  if (FENCE.test(first)) {
    const closed = lines.length > 1 && FENCE.test(lines.at(-1)!);
    const inner = lines.slice(1, closed ? -1 : undefined);
    // Each line is read inside the block's own fence: a shell line's command counts only in a shell block.
    const kept = inner.filter((line) => carries(`${first}\n${line}\n${closed ? lines.at(-1) : first}`));
    return [first, ...kept, ...(closed ? [lines.at(-1)!] : [])].join("\n");
  }
  if (first.trimStart().startsWith("|")) return [...lines.slice(0, 2), ...lines.slice(2).filter(carries)].join("\n");
  if (LIST_ITEM.test(first)) {
    const items: string[][] = [];
    for (const line of lines) {
      if (LIST_ITEM.test(line) || items.length === 0) items.push([line]);
      else items.at(-1)!.push(line);
    }
    return items.filter((item) => carries(item.join("\n"))).map((item) => item.join("\n")).join("\n");
  }
  return block;
}

const LIST_ITEM = /^\s{0,3}(?:[-*+]|\d+[.)])\s/;

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

/** From this share of a block's words found in one block already there, the block is an edit of that one. */
export const EDITED = 0.5;

/**
 * Whether a known block already says what a block says, from their word counts and the words they share.
 *
 * @param known Words of the known block.
 * @param block Words of the block (more than none).
 * @param shared Words they share.
 */
function covers(known: number, block: number, shared: number): boolean {
  return shared / block >= COVERED && shared / Math.max(known, 1) >= COVERED / 2;
}
