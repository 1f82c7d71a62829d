// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Writes a blind audit of the masters the real program writes: copies a corpus into a repository (opted in, under
 * git), runs `main.ts --once --no-push --json` there, draws masters at random and lists, for each, the master's file
 * and its members' archived originals. Judges read them whole and answer, per master, whether an agent could follow
 * it, whether anything in it contradicts, and whether any member's teaching was lost. `--score` counts the verdicts.
 *
 * The repository is kept at `--work` (default `/tmp/master-audit`) so judges can read it; a new run replaces it.
 *
 * Usage: deno run -A bench/master_audit.ts OUT_DIR [--corpus DIR] [--masters 30] [--per-batch 10] [--seed 1]
 *        deno run -A bench/master_audit.ts OUT_DIR --score
 *
 * @module
 */

import { join } from "node:path";
import { seededRandom, tsvRows } from "./sampling.ts";
import { parseArgs } from "node:util";
import { runHeartbeatProcess } from "./heartbeat_process.ts";
import { commitRepository, copyTree, optIn } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    corpus: { type: "string", default: "../shared/corpora/openclaw-skills" },
    masters: { type: "string", default: "30" },
    "per-batch": { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    work: { type: "string", default: "/tmp/master-audit" },
    score: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const out = positionals[0] ?? "bench/audits/masters";

if (values.score) {
  const counts = new Map<string, number>();
  const failures: string[] = [];
  for (const entry of Deno.readDirSync(out)) {
    if (!/^verdicts-.*\.tsv$/.test(entry.name)) continue;
    for (const [id, verdict, followable, contradiction, lost, why] of tsvRows(join(out, entry.name))) {
      counts.set(verdict!, (counts.get(verdict!) ?? 0) + 1);
      for (const [flag, value] of [["not followable", followable], ["contradiction", contradiction], ["lost", lost]]) {
        if (value === "yes" && flag !== "not followable") counts.set(flag!, (counts.get(flag!) ?? 0) + 1);
        if (value === "no" && flag === "not followable") counts.set(flag, (counts.get(flag) ?? 0) + 1);
      }
      if (verdict !== "PASS") failures.push(`  ${id}: ${why}`);
    }
  }
  console.log([...counts].sort().map(([k, n]) => `${k} ${n}`).join(", "));
  for (const failure of failures.sort()) console.log(failure);
  Deno.exit(0);
}

const random = seededRandom(Number(values.seed));
const repo = values.work!;
await Deno.remove(repo, { recursive: true }).catch(() => {});
await Deno.mkdir(repo, { recursive: true });
await copyTree(join(values.corpus!, "skills"), join(repo, "skills"));
await optIn(repo);
await commitRepository(repo);
const report = await runHeartbeatProcess(repo, ["--no-push"]);
const index: Array<{ original: string; archived: string; master: string; hash?: string }> = JSON.parse(
  Deno.readTextFileSync(join(repo, ".archive", "index.json")),
);
const masters: string[] = [
  ...new Set<string>(report.consolidation.merged.map((merge: { master: string }) => merge.master)),
];
const chosen: string[] = [];
while (chosen.length < Math.min(Number(values.masters), masters.length)) {
  const master = masters[Math.floor(random() * masters.length)]!;
  if (!chosen.includes(master)) chosen.push(master);
}
await Deno.mkdir(out, { recursive: true });
const perBatch = Number(values["per-batch"]);
const key = ["id\tmaster\tmembers"];
for (let start = 0; start < chosen.length; start += perBatch) {
  const lines = [`# Batch ${start / perBatch + 1}\n`];
  chosen.slice(start, start + perBatch).forEach((master, k) => {
    const id = `m${String(start + k + 1).padStart(2, "0")}`;
    const members = index.filter((entry) => entry.master === master && entry.hash !== undefined)
      .map((entry) => join(repo, entry.archived));
    key.push(`${id}\t${master}\t${members.length}`);
    lines.push(`## ${id}\n\n- master: ${join(repo, master)}`, ...members.map((member) => `- member: ${member}`), "");
  });
  await Deno.writeTextFile(join(out, `batch-${start / perBatch + 1}.md`), lines.join("\n"));
}
await Deno.writeTextFile(join(out, "key.tsv"), key.join("\n") + "\n");
console.log(
  `${masters.length} masters written; ${chosen.length} drawn into ${Math.ceil(chosen.length / perBatch)} batches`,
);
