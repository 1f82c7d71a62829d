/**
 * The cap on one file's diagnostics: a few of each rule, then one that counts
 * the rest. A skill file is contributor-written, and one file can break a rule
 * once per line (200,000 duplicate keys in 1 MiB); the report, the log, the
 * cache and the workers' messages must stay the size of the library, not of
 * what one file can make of it.
 *
 * @module
 */

import type { FileDiagnostic } from "./frontmatter.ts";

/**
 * How many diagnostics of one rule a file keeps. Real files stay far below it (on the 2,417 files of the shared
 * corpus, at most 4 of one rule in a file); a person fixing a file learns its shape from the first 20.
 */
export const MAX_DIAGNOSTICS_PER_RULE = 20;

/**
 * Keeps the first {@linkcode MAX_DIAGNOSTICS_PER_RULE} diagnostics of each rule, in order, and replaces the rest of
 * each rule with one diagnostic of that rule that counts them, as severe as the worst it replaces (so an error still
 * excludes the file), at the line of the first.
 *
 * @param diagnostics One file's diagnostics.
 * @returns The kept ones and the summaries, each summary after its rule's last kept one.
 *
 * @example
 * ```ts
 * import { capDiagnostics, MAX_DIAGNOSTICS_PER_RULE } from "./diagnostic_cap.ts";
 * const many = Array.from({ length: 1000 }, (_, i) => ({
 *   line: i + 2, severity: "warning" as const, rule: "frontmatter/duplicate-key", message: "twice",
 * }));
 * const capped = capDiagnostics(many);
 * console.assert(capped.length === MAX_DIAGNOSTICS_PER_RULE + 1);
 * console.assert(capped.at(-1)!.message === "… and 980 more of this rule in this file");
 * ```
 */
export function capDiagnostics(diagnostics: readonly FileDiagnostic[]): FileDiagnostic[] {
  const kept: FileDiagnostic[] = [];
  const over = new Map<string, { first: FileDiagnostic; count: number; worst: FileDiagnostic["severity"] }>();
  const counts = new Map<string, number>();
  for (const diagnostic of diagnostics) {
    const count = (counts.get(diagnostic.rule) ?? 0) + 1;
    counts.set(diagnostic.rule, count);
    if (count <= MAX_DIAGNOSTICS_PER_RULE) {
      kept.push(diagnostic);
      continue;
    }
    const summary = over.get(diagnostic.rule);
    if (!summary) over.set(diagnostic.rule, { first: diagnostic, count: 1, worst: diagnostic.severity });
    else {
      summary.count++;
      if (SEVERITY_RANK[diagnostic.severity] > SEVERITY_RANK[summary.worst]) summary.worst = diagnostic.severity;
    }
  }
  if (over.size === 0) return kept;
  // Each summary goes right after the last kept diagnostic of its rule.
  const capped: FileDiagnostic[] = [];
  const placed = new Map<string, number>();
  for (const diagnostic of kept) {
    capped.push(diagnostic);
    const count = (placed.get(diagnostic.rule) ?? 0) + 1;
    placed.set(diagnostic.rule, count);
    const summary = over.get(diagnostic.rule);
    if (summary && count === MAX_DIAGNOSTICS_PER_RULE) {
      capped.push({
        ...(summary.first.line === undefined ? {} : { line: summary.first.line }),
        severity: summary.worst,
        rule: diagnostic.rule,
        message: `… and ${summary.count.toLocaleString("en-US")} more of this rule in this file`,
      });
    }
  }
  return capped;
}

/** Which severity outranks which, for a summary that stands for several. */
const SEVERITY_RANK: Readonly<Record<FileDiagnostic["severity"], number>> = { info: 0, warning: 1, error: 2 };
