// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Writes blind judging batches of what the real program merges: runs `main.ts --once --dry-run --json` over a
 * copy of a corpus, lists the merged pairs (byte-identical files dropped), samples one pair per merge cluster and
 * as many again uniformly, and writes batches holding each pair's two files (the first 2,000 characters) under an
 * id, with nothing of the program's decision or reasons. Judges answer per id with the rubric of
 * `../shared/notes/judging.md`; `bench/audit_score.ts` counts the verdicts.
 *
 * Usage: deno run -A bench/audit.ts OUT_DIR [--corpus DIR] [--per-batch 20] [--seed 1]
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { runHeartbeatProcess } from "./heartbeat_process.ts";
import { copyTree } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    corpus: { type: "string", default: "../shared/corpora/openclaw-skills" },
    "per-batch": { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
  },
  allowPositionals: true,
});
const out = positionals[0] ?? "bench/audits/out";
let state = Number(values.seed) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const repo = await Deno.makeTempDir({ prefix: "audit-" });
await copyTree(join(values.corpus!, "skills"), join(repo, "skills"));
const report = await runHeartbeatProcess(repo, ["--dry-run"]);
const read = (path: string) => Deno.readTextFileSync(join(repo, path));
const clusters: string[][] = report.clusters
  .filter((cluster: { action: string }) => cluster.action === "merge")
  .map((cluster: { members: string[] }) => cluster.members);
const pairsOf = (members: string[]) =>
  members.flatMap((a, i) => members.slice(i + 1).map((b) => [a, b] as const)).filter(([a, b]) => read(a) !== read(b));
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const chosen = new Map<string, readonly [string, string]>();
for (const members of clusters) {
  const pairs = pairsOf(members);
  if (pairs.length > 0) chosen.set(pick(pairs).join("\n"), pick(pairs));
}
const all = clusters.flatMap(pairsOf);
for (const wanted = chosen.size * 2; chosen.size < Math.min(wanted, all.length);) {
  const pair = pick(all);
  chosen.set(pair.join("\n"), pair);
}
const pairs = [...chosen.values()].sort(() => random() - 0.5);
await Deno.mkdir(out, { recursive: true });
const perBatch = Number(values["per-batch"]);
const key: string[] = ["id\tpath_a\tpath_b"];
for (let start = 0; start < pairs.length; start += perBatch) {
  const lines = [`# Batch ${start / perBatch + 1}\n`];
  pairs.slice(start, start + perBatch).forEach(([a, b], k) => {
    const id = `p${String(start + k + 1).padStart(3, "0")}`;
    key.push(`${id}\t${a}\t${b}`);
    lines.push(
      `## ${id}\n\n### A: ${a}\n\n\`\`\`\`\n${read(a).slice(0, 2000)}\n\`\`\`\`\n\n### B: ${b}\n\n\`\`\`\`\n${
        read(b).slice(0, 2000)
      }\n\`\`\`\`\n`,
    );
  });
  await Deno.writeTextFile(join(out, `batch-${start / perBatch + 1}.md`), lines.join("\n"));
}
await Deno.writeTextFile(join(out, "key.tsv"), key.join("\n") + "\n");
await Deno.remove(repo, { recursive: true });
console.log(
  `${clusters.length} merge clusters, ${all.length} merged pairs not byte-identical; ${pairs.length} sampled`,
);
