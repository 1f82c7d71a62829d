/**
 * A Markdown text's lines, each knowing whether it is inside a fenced code
 * block: a `# comment` in a shell example is no heading, and a `--flag` in
 * prose is no command.
 *
 * @module
 */

/** One line of Markdown. */
export interface MarkdownLine {
  /** The line, without its line end. */
  text: string;
  /** Inside a fenced code block: the fence's info string (`bash`, or empty); absent outside one. */
  code?: string;
  /** Whether the line opens or closes a fence. */
  fence: boolean;
}

/**
 * Reads a text's lines with their fences.
 *
 * @param text Markdown, any line ends.
 * @returns Its lines, in order.
 *
 * @example
 * ```ts
 * import { markdownLines } from "./markdown_lines.ts";
 * const fence = "`".repeat(3);
 * const lines = markdownLines(`# Title\n${fence}bash\n# comment\n${fence}\n`);
 * console.assert(lines[0]!.code === undefined && lines[2]!.code === "bash" && lines[3]!.fence);
 * ```
 */
export function markdownLines(text: string): MarkdownLine[] {
  let fence: string | undefined;
  let info = "";
  return text.replace(/\r\n?/g, "\n").split("\n").map((line) => {
    const open = FENCE.exec(line);
    if (open && fence === undefined) {
      [fence, info] = [open[1]!, open[2] ?? ""];
      return { text: line, fence: true };
    }
    if (open && fence !== undefined && open[1]![0] === fence[0] && open[1]!.length >= fence.length && !open[2]) {
      fence = undefined;
      return { text: line, fence: true };
    }
    return fence === undefined ? { text: line, fence: false } : { text: line, code: info, fence: false };
  });
}

/**
 * A body's title: its first heading outside code, without the `#`s.
 *
 * @param body Markdown.
 * @returns The title, or `undefined` when it has no heading.
 *
 * @example
 * ```ts
 * import { titleOf } from "./markdown_lines.ts";
 * const fence = "`".repeat(3);
 * console.assert(titleOf(`${fence}sh\n# not a title\n${fence}\n\n## Real title ##\n`) === "Real title");
 * ```
 */
export function titleOf(body: string): string | undefined {
  for (const line of markdownLines(body)) {
    const heading = line.code === undefined && !line.fence ? HEADING.exec(line.text) : null;
    if (heading && heading[1]!.trim() !== "") return heading[1]!.trim();
  }
  return undefined;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
