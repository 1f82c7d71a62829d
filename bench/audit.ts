// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Writes blind judging batches of what the real program merges (or, with `--action review`, proposes for review):
 * runs `main.ts --once --dry-run --json` over a copy of a corpus, lists the merged pairs (byte-identical files
 * dropped; for a proposal, the pairs across its parts: what the owner decides), samples one pair per cluster and
 * as many again uniformly, and writes batches holding each pair's two files (the first 2,000 characters) under an
 * id, with nothing of the program's decision or reasons. Judges answer per id with the rubric of
 * `../shared/notes/judging.md`; `bench/audit_score.ts` counts the verdicts.
 *
 * With `--reuse DIR,…`, pairs an earlier audit already judged (blind, in its `key.tsv` and `verdicts-*.tsv`) keep
 * their verdicts in `verdicts-reused.tsv`, and only the others go into batches.
 *
 * With `--clusters N`, N clusters are drawn uniformly and one pair of each is judged, nothing more: the sample
 * the trust targets are stated over (one pair per merge cluster, uniform over clusters).
 *
 * Usage: deno run -A bench/audit.ts OUT_DIR [--corpus DIR] [--action merge|review] [--per-batch 20] [--seed 1]
 *   [--reuse DIR,…] [--clusters N]
 *
 * @module
 */

import { join } from "node:path";
import { seededRandom, tsvRows } from "./sampling.ts";
import { parseArgs } from "node:util";
import { runHeartbeatProcess } from "./heartbeat_process.ts";
import { copyTree } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    corpus: { type: "string", default: "../shared/corpora/openclaw-skills" },
    "per-batch": { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
    action: { type: "string", default: "merge" },
    reuse: { type: "string", default: "" },
    clusters: { type: "string" },
  },
  allowPositionals: true,
});
const out = positionals[0] ?? "bench/audits/out";
const random = seededRandom(Number(values.seed));

const repo = await Deno.makeTempDir({ prefix: "audit-" });
await copyTree(join(values.corpus!, "skills"), join(repo, "skills"));
const report = await runHeartbeatProcess(repo, ["--dry-run"]);
const read = (path: string) => Deno.readTextFileSync(join(repo, path));
// A cluster's parts: every member its own for a merge; a proposal's parts (its pairs are those across them).
const clusters: string[][][] = report.clusters
  .filter((cluster: { action: string }) => cluster.action === values.action)
  .map((cluster: { members: string[]; parts?: string[][] }) =>
    cluster.parts ?? cluster.members.map((member) => [member])
  );
const pairsOf = (parts: string[][]) =>
  parts.flatMap((part, i) =>
    parts.slice(i + 1).flatMap((other) => part.flatMap((a) => other.map((b) => [a, b] as const)))
  )
    .filter(([a, b]) => read(a) !== read(b));
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const chosen = new Map<string, readonly [string, string]>();
const judgeable = clusters.filter((parts) => pairsOf(parts).length > 0);
// A uniform draw of clusters (a partial Fisher-Yates shuffle), or all of them.
const drawn = values.clusters === undefined ? judgeable : judgeable.slice();
if (values.clusters !== undefined) {
  for (let i = 0; i < Math.min(Number(values.clusters), drawn.length); i++) {
    const j = i + Math.floor(random() * (drawn.length - i));
    [drawn[i], drawn[j]] = [drawn[j]!, drawn[i]!];
  }
  drawn.length = Math.min(Number(values.clusters), drawn.length);
}
for (const parts of drawn) {
  const pairs = pairsOf(parts);
  if (pairs.length === 0) continue;
  const pair = pick(pairs);
  chosen.set(pair.join("\n"), pair);
}
const all = clusters.flatMap(pairsOf);
for (
  const wanted = values.clusters === undefined ? chosen.size * 2 : 0;
  chosen.size < Math.min(wanted, all.length);
) {
  const pair = pick(all);
  chosen.set(pair.join("\n"), pair);
}
const sampled = [...chosen.values()].sort(() => random() - 0.5);
await Deno.mkdir(out, { recursive: true });
const earlier = earlierVerdicts(values.reuse!.split(",").filter((dir) => dir !== ""));
const ids = new Map(sampled.map((pair, k) => [pair, `p${String(k + 1).padStart(3, "0")}`]));
const key = ["id\tpath_a\tpath_b", ...sampled.map((pair) => `${ids.get(pair)}\t${pair[0]}\t${pair[1]}`)];
const reused = sampled.filter((pair) => earlier.has(pairKey(pair)));
if (reused.length > 0) {
  const lines = reused.map((pair) => `${ids.get(pair)}\t${earlier.get(pairKey(pair))}`);
  await Deno.writeTextFile(join(out, "verdicts-reused.tsv"), ["id\tverdict\twhy", ...lines].join("\n") + "\n");
}
const pairs = sampled.filter((pair) => !earlier.has(pairKey(pair)));
const perBatch = Number(values["per-batch"]);
for (let start = 0; start < pairs.length; start += perBatch) {
  const lines = [`# Batch ${start / perBatch + 1}\n`];
  pairs.slice(start, start + perBatch).forEach((pair) => {
    const [a, b] = pair;
    const id = ids.get(pair)!;
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
  `${clusters.length} ${values.action} clusters, ${all.length} pairs not byte-identical; ${sampled.length} sampled, ${reused.length} judged before, ${pairs.length} to judge`,
);

/** The two paths of a pair, in either order, as one key. */
function pairKey([a, b]: readonly [string, string]): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}

/** Verdicts (`verdict\twhy`) of earlier audits, by pair. */
function earlierVerdicts(dirs: readonly string[]): Map<string, string> {
  const verdicts = new Map<string, string>();
  for (const dir of dirs) {
    const paths = new Map(tsvRows(join(dir, "key.tsv")).map(([id, a, b]) => [id!, [a!, b!] as const]));
    for (const entry of Deno.readDirSync(dir)) {
      if (!/^verdicts-.*\.tsv$/.test(entry.name)) continue;
      for (const [id, verdict, why] of tsvRows(join(dir, entry.name))) {
        const pair = paths.get(id!);
        if (pair) verdicts.set(pairKey(pair), `${verdict}\t${why}`);
      }
    }
  }
  return verdicts;
}
