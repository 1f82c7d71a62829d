/**
 * Unified diffs of master skills, for dry runs: what a run would change.
 *
 * @module
 */

/** Above this many lines on either side, the diff shows a whole replacement rather than aligning lines. */
const MAX_ALIGNED_LINES = 3000;

/**
 * A unified diff between two texts.
 *
 * @param before The old text.
 * @param after The new text.
 * @param path The file's path, for the headers.
 * @param context Unchanged lines shown around each change.
 * @returns The diff; empty when the texts are equal.
 *
 * @example
 * ```ts
 * import { unifiedDiff } from "./unified_diff.ts";
 * console.assert(unifiedDiff("a\nb\n", "a\nc\n", "x.md").includes("-b\n+c"));
 * ```
 */
export function unifiedDiff(before: string, after: string, path: string, context = 3): string {
  if (before === after) return "";
  const a = before.replace(/\r\n?/g, "\n").split("\n");
  const b = after.replace(/\r\n?/g, "\n").split("\n");
  const edits = a.length > MAX_ALIGNED_LINES || b.length > MAX_ALIGNED_LINES ? replaceAll(a, b) : align(a, b);
  const lines = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.op === " ") {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are closer than twice the context.
    for (let j = i; j < edits.length; j++) {
      if (edits[j]!.op !== " ") end = j;
      else if (j - end > 2 * context) break;
    }
    const hunk = edits.slice(start, Math.min(edits.length, end + context + 1));
    const oldStart = edits[start]!.a + 1;
    const newStart = edits[start]!.b + 1;
    const oldCount = hunk.filter((e) => e.op !== "+").length;
    const newCount = hunk.filter((e) => e.op !== "-").length;
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const e of hunk) lines.push(`${e.op}${e.text}`);
    i = end + context + 1;
  }
  return lines.join("\n") + "\n";
}

/**
 * The diff of a planned master against the file it replaces, through the drafts of earlier runs when given.
 *
 * @param merge The master's path and texts.
 * @param drafts Earlier runs' diffs of the same texts.
 * @returns The diff.
 */
export function masterDiff(
  merge: { master: string; before: string; after: string },
  drafts?: { diff(texts: { path: string; before: string; after: string }, compute: () => string): string },
): string {
  const compute = () => unifiedDiff(merge.before, merge.after, merge.master);
  return drafts ? drafts.diff({ path: merge.master, before: merge.before, after: merge.after }, compute) : compute();
}

interface Edit {
  op: " " | "-" | "+";
  text: string;
  /** Line index in the old text (of the next old line, for insertions). */
  a: number;
  /** Line index in the new text. */
  b: number;
}

/** Longest-common-subsequence alignment of two line lists. */
function align(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] = a[i] === b[j]
        ? lengths[(i + 1) * (m + 1) + j + 1]! + 1
        : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) edits.push({ op: " ", text: a[i]!, a: i++, b: j++ });
    else if (i < n && (j === m || lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!)) {
      edits.push({ op: "-", text: a[i]!, a: i++, b: j });
    } else edits.push({ op: "+", text: b[j]!, a: i, b: j++ });
  }
  return edits;
}

function replaceAll(a: readonly string[], b: readonly string[]): Edit[] {
  return [
    ...a.map((text, i) => ({ op: "-" as const, text, a: i, b: 0 })),
    ...b.map((text, j) => ({ op: "+" as const, text, a: a.length, b: j })),
  ];
}
