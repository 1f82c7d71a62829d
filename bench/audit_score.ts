// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Counts the verdicts of a blind audit written by `bench/audit.ts`: every `verdicts-*.tsv` in the folder
 * (`id`, `verdict`, `why`), matched to `key.tsv`.
 *
 * Usage: deno run --allow-read bench/audit_score.ts AUDIT_DIR
 *
 * @module
 */

import { join } from "node:path";
import { tsvRows } from "./sampling.ts";

const dir = Deno.args[0] ?? ".";
const key = new Map(tsvRows(join(dir, "key.tsv")).map(([id, a, b]) => [id!, `${a} ${b}`]));
const counts = new Map<string, number>();
const different: string[] = [];
for (const entry of Deno.readDirSync(dir)) {
  if (!/^verdicts-.*\.tsv$/.test(entry.name)) continue;
  for (const [id, verdict, why] of tsvRows(join(dir, entry.name))) {
    if (!key.has(id!)) throw new Error(`${entry.name}: unknown id ${id}`);
    counts.set(verdict!, (counts.get(verdict!) ?? 0) + 1);
    if (verdict === "DIFFERENT") different.push(`${id} ${key.get(id!)}: ${why}`);
  }
}
const judged = [...counts.values()].reduce((sum, n) => sum + n, 0);
console.log(`${judged} pairs judged: ${[...counts].sort().map(([v, n]) => `${v} ${n}`).join(", ")}`);
for (const line of different.sort()) console.log(`  DIFFERENT ${line}`);
