/**
 * Splits a Markdown body into sections by ATX headings (`#` … `######`),
 * ignoring `#` lines inside fenced code blocks.
 *
 * @module
 */

/** A section of a skill's body. */
export interface Section {
  /** The heading's text; empty for the part before the first heading. */
  heading: string;
  /** 1–6, or 0 for the part before the first heading. */
  level: number;
  /** The 1-based line of the file where the section starts. */
  line: number;
  /** How many lines the section spans, heading included. */
  lines: number;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Outlines a body.
 *
 * @param body The body text.
 * @param firstLine The 1-based line of the file where the body starts.
 * @returns The sections in order; a body with text before its first heading
 *   starts with a level-0 section.
 *
 * @example
 * ```ts
 * import { outlineSections } from "./sections.ts";
 * const sections = outlineSections("# A\ntext\n~~~\n# not a heading\n~~~\n## B\n", 5);
 * console.assert(sections.map((s) => s.heading).join() === "A,B" && sections[1]?.line === 10);
 * ```
 */
export function outlineSections(body: string, firstLine: number): Section[] {
  const sections: Section[] = [];
  let fence: string | undefined;
  let lineNumber = firstLine;
  let current: Section | undefined;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf("\n", start);
    if (end < 0) end = body.length;
    // Only lines starting (after up to three spaces) with #, ` or ~ can be headings or fences.
    let first = start;
    while (first < end && first - start < 3 && body.charCodeAt(first) === 0x20) first++;
    const lead = body.charCodeAt(first);
    const markup = lead === 0x23 || lead === 0x60 || lead === 0x7e;
    const text = markup ? body.slice(start, end).replace(/\r$/, "") : "";
    const fenceMatch = markup ? FENCE.exec(text) : null;
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) fence = undefined;
    } else if (fenceMatch) {
      fence = fenceMatch[1];
    } else {
      const heading = markup ? HEADING.exec(text) : null;
      if (heading) {
        current = { heading: (heading[2] ?? "").trim(), level: heading[1]!.length, line: lineNumber, lines: 0 };
        sections.push(current);
      } else if (!current && body.slice(start, end).trim() !== "") {
        current = { heading: "", level: 0, line: firstLine, lines: lineNumber - firstLine };
        sections.push(current);
      }
    }
    if (current) current.lines++;
    if (end === body.length) break;
    start = end + 1;
    lineNumber++;
  }
  return sections;
}
