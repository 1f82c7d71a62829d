// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Writes a blind check of the security scan: every file the scan flags in a corpus and as many unflagged files as
 * asked, drawn at random, shuffled together into batches of paths (nothing says which were flagged). Judges read each
 * file whole and answer MALICIOUS, BENIGN or UNSURE; `--score DIR` then counts precision (malicious among flagged)
 * and misses (malicious among unflagged).
 *
 * Usage: deno run -A bench/scan_audit.ts OUT_DIR [--corpus DIR] [--unflagged 100] [--per-batch 32] [--seed 1]
 *        deno run -A bench/scan_audit.ts OUT_DIR --score
 *
 * @module
 */

import { join } from "node:path";
import { seededRandom, tsvRows } from "./sampling.ts";
import { parseArgs } from "node:util";
import { discoverSkills } from "../src/discovery/discover.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    corpus: { type: "string", default: "../shared/corpora/openclaw-skills" },
    unflagged: { type: "string", default: "100" },
    "per-batch": { type: "string", default: "32" },
    seed: { type: "string", default: "1" },
    score: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const out = positionals[0] ?? "bench/audits/scan";

if (values.score) {
  const key = new Map(tsvRows(join(out, "key.tsv")).map(([id, path, flagged]) => [id!, { path: path!, flagged }]));
  const counts = new Map<string, number>();
  const notes: string[] = [];
  for (const entry of Deno.readDirSync(out)) {
    if (!/^verdicts-.*\.tsv$/.test(entry.name)) continue;
    for (const [id, verdict, why] of tsvRows(join(out, entry.name))) {
      const file = key.get(id!);
      if (!file) throw new Error(`${entry.name}: unknown id ${id}`);
      const cell = `${file.flagged === "yes" ? "flagged" : "unflagged"} ${verdict}`;
      counts.set(cell, (counts.get(cell) ?? 0) + 1);
      if (cell === "flagged BENIGN" || cell === "unflagged MALICIOUS" || verdict === "UNSURE") {
        notes.push(`  ${cell} ${file.path}: ${why}`);
      }
    }
  }
  for (const [cell, n] of [...counts].sort()) console.log(`${cell}: ${n}`);
  for (const note of notes.sort()) console.log(note);
  Deno.exit(0);
}

const random = seededRandom(Number(values.seed));
const repo = values.corpus!;
const { report } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, "skills"), ruleSets: [] });
const flagged = new Set((report.quarantined ?? []).map((file) => file.path));
const others = [...new Set(report.diagnostics.map((d) => d.path)), ...(await allSkillFiles(join(repo, "skills")))]
  .filter((path, i, all) => !flagged.has(path) && all.indexOf(path) === i);
const unflagged: string[] = [];
while (unflagged.length < Math.min(Number(values.unflagged), others.length)) {
  const path = others[Math.floor(random() * others.length)]!;
  if (!unflagged.includes(path)) unflagged.push(path);
}
const files = [...flagged, ...unflagged].map((path) => ({ path, flagged: flagged.has(path) }))
  .sort(() => random() - 0.5);
await Deno.mkdir(out, { recursive: true });
const perBatch = Number(values["per-batch"]);
const key = ["id\tpath\tflagged"];
for (let start = 0; start < files.length; start += perBatch) {
  const lines = [`# Batch ${start / perBatch + 1}\n`, "Read each file whole:\n"];
  files.slice(start, start + perBatch).forEach((file, k) => {
    const id = `f${String(start + k + 1).padStart(3, "0")}`;
    key.push(`${id}\t${file.path}\t${file.flagged ? "yes" : "no"}`);
    lines.push(`- ${id}: ${join(repo, file.path)}`);
  });
  await Deno.writeTextFile(join(out, `batch-${start / perBatch + 1}.md`), lines.join("\n") + "\n");
}
await Deno.writeTextFile(join(out, "key.tsv"), key.join("\n") + "\n");
console.log(
  `${flagged.size} flagged and ${unflagged.length} unflagged files in ${Math.ceil(files.length / perBatch)} batches`,
);

/** Every `.md` file below a directory, repository-relative. */
async function allSkillFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string, rel: string) => {
    for await (const entry of Deno.readDir(path)) {
      if (entry.isDirectory) await walk(join(path, entry.name), `${rel}/${entry.name}`);
      else if (entry.name === "SKILL.md") found.push(`${rel}/${entry.name}`);
    }
  };
  await walk(dir, "skills");
  return found.sort();
}
