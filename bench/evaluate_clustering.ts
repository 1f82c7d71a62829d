// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures the real program's merge decisions: copies a corpus into a
 * temporary repository, runs `main.ts --once --dry-run --json` with the
 * heartbeat task's permissions, and scores its duplicate clusters against the
 * labelled pairs: pairwise precision over all merged labelled pairs, recall
 * per kind.
 *
 * Usage: deno run -A bench/evaluate_clustering.ts [--shared ../shared] [-- extra program flags]
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runHeartbeatProcess } from "./heartbeat_process.ts";
import { readPairs } from "./metrics.ts";
import { copyTree } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { shared: { type: "string", default: "../shared" } },
  allowPositionals: true,
});
const shared = resolve(values.shared!);

/** Scores one corpus; returns the figures. */
async function evaluate(corpus: string, pairsFile: string, judgedFile: string | undefined, extra: string[] = []) {
  const repo = await Deno.makeTempDir({ prefix: "clustering-eval-" });
  await copyTree(join(shared, "corpora", corpus, "skills"), join(repo, "skills"));
  const started = performance.now();
  const report = await runHeartbeatProcess(repo, ["--dry-run", ...extra]);
  const seconds = (performance.now() - started) / 1000;
  await Deno.remove(repo, { recursive: true });
  const clusterOf = new Map<string, number>();
  const proposalOf = new Map<string, number>();
  report.clusters.forEach((cluster: { kind: string; action: string; members: string[] }, index: number) => {
    const into = cluster.action === "merge" ? clusterOf : cluster.action === "review" ? proposalOf : undefined;
    for (const member of into ? cluster.members : []) into!.set(member, index);
  });
  const together = (of: Map<string, number>, a: string, b: string) => of.has(a) && of.get(a) === of.get(b);
  const merged = (a: string, b: string) => together(clusterOf, a, b);
  const proposed = (a: string, b: string) => together(proposalOf, a, b);
  // Malware droppers (and their copies) never merge, by design: recall is over pairs of skills that may merge.
  const quarantined = new Set(
    report.discovery.diagnostics.filter((d: { rule: string }) => d.rule.startsWith("security/"))
      .map((d: { path: string }) => d.path),
  );
  const byKind = new Map<string, { total: number; merged: number; proposed: number }>();
  let leftOut = 0;
  for (const pair of readPairs(join(shared, "bench", pairsFile))) {
    if (quarantined.has(pair.a) || quarantined.has(pair.b)) {
      leftOut++;
      continue;
    }
    const entry = byKind.get(pair.kind) ?? { total: 0, merged: 0, proposed: 0 };
    entry.total++;
    if (proposed(pair.a, pair.b) && !merged(pair.a, pair.b)) entry.proposed++;
    if (merged(pair.a, pair.b)) {
      entry.merged++;
      if (pair.label === 0 && Deno.env.get("SHOW_WRONG")) {
        console.log(
          `  wrong: ${pair.kind} ${pair.a} ${pair.b}`,
          JSON.stringify(report.clusters[clusterOf.get(pair.a)!]),
        );
      }
    }
    if (!merged(pair.a, pair.b) && pair.label === 1 && Deno.env.get("SHOW_MISSED") === pair.kind) {
      console.log(`  missed: ${pair.kind} ${pair.a} ${pair.b}`);
    }
    byKind.set(pair.kind, entry);
  }
  // The blind judgments of pairs an earlier release merged (named corpus only): what each verdict became now.
  const judged = new Map<string, { total: number; merged: number; proposed: number }>();
  if (judgedFile) {
    for (const line of Deno.readTextFileSync(join(shared, "bench", judgedFile)).trim().split("\n").slice(1)) {
      const [judgement, a, b] = line.split("\t") as [string, string, string];
      const verdict = quarantined.has(a) || quarantined.has(b) ? `${judgement} (a dropper)` : judgement;
      const entry = judged.get(verdict) ?? { total: 0, merged: 0, proposed: 0 };
      entry.total++;
      if (merged(a, b)) entry.merged++;
      else if (proposed(a, b)) entry.proposed++;
      if (Deno.env.get("SHOW_JUDGED") === verdict && (merged(a, b) || proposed(a, b))) {
        console.log(`  ${verdict} ${merged(a, b) ? "merged" : "proposed"}: ${a} ${b}`);
      }
      judged.set(verdict, entry);
    }
  }
  const sum = (kinds: string[], field: "total" | "merged" | "proposed") =>
    kinds.reduce((n, k) => n + (byKind.get(k)?.[field] ?? 0), 0);
  const good = sum(["exact", "near", "same-name"], "merged");
  const bad = sum(["family", "random"], "merged");
  return {
    corpus,
    precision: good / (good + bad),
    wrong: bad,
    exactNearRecall: sum(["exact", "near"], "merged") / sum(["exact", "near"], "total"),
    sameNameRecall: sum(["same-name"], "merged") / sum(["same-name"], "total"),
    sameNameProposed: sum(["same-name"], "proposed") / sum(["same-name"], "total"),
    wrongProposed: sum(["family", "random"], "proposed"),
    leftOut,
    judged,
    mergeClusters: report.clusters.filter((c: { action: string }) => c.action === "merge").length,
    reviewClusters: report.clusters.filter((c: { action: string }) => c.action === "review").length,
    relatedClusters: report.clusters.filter((c: { kind: string }) => c.kind === "related").length,
    seconds: Math.round(seconds * 10) / 10,
  };
}

if (import.meta.main) {
  for (
    const [corpus, pairs, judged] of [["openclaw-skills", "openclaw-pairs.tsv", "judged-pairs.tsv"], [
      "openclaw-skills-anon",
      "openclaw-anon-pairs.tsv",
      undefined,
    ]]
  ) {
    const result = await evaluate(corpus!, pairs!, judged, positionals);
    console.log(
      `${result.corpus}: precision ${result.precision.toFixed(4)} (${result.wrong} wrong), exact+near recall ${
        result.exactNearRecall.toFixed(3)
      }, same-name recall ${result.sameNameRecall.toFixed(3)} (+${
        result.sameNameProposed.toFixed(3)
      } proposed; ${result.wrongProposed} family/random proposed; ${result.leftOut} pairs with a dropper left out); ${result.mergeClusters} merge, ${result.reviewClusters} review and ${result.relatedClusters} related clusters; ${result.seconds} s`,
    );
    for (const [verdict, { total, merged, proposed }] of [...result.judged].sort()) {
      console.log(`  judged ${verdict}: ${merged} of ${total} merged, ${proposed} more proposed for review`);
    }
  }
}
