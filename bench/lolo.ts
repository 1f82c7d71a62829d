// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Leave one library out: every tunable value of the duplicate decision is
 * chosen on one library's judged pairs, and the figures are reported on the
 * other library, both ways. A value that helps one library and hurts the other
 * shows here.
 *
 * Each library is read once (discovery and the embedding model, as a run does;
 * droppers the security scan flags are left out, as a run leaves them), then
 * clustered once per candidate setting, in this process. A setting is scored
 * on a library by its judged pairs (the shared judgments, and every blind audit under `bench/audits/` whose pairs
 * lie in the library: a pair judged more than once keeps its latest verdict): how many pairs judged DIFFERENT it merges
 * (merged, not proposed), how many judged SAME it merges, and, where labels
 * exist, the recall of exact and near copies. The setting chosen on a library
 * merges no pair judged DIFFERENT there, keeps exact+near recall at 0.97 or
 * more, and merges the most pairs judged SAME (ties: the defaults' distance).
 *
 * Usage: deno run -A bench/lolo.ts [--shared ../shared] [--only dev|registry] [--defaults]
 *
 * `--defaults` scores the defaults alone on both libraries (no grid); `--explain VERDICT` prints, with the
 * defaults, the evidence for each pair judged VERDICT that is not merged (SAME) or is (any other verdict).
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { judgePair } from "../src/clustering/evidence.ts";
import { SkillLibrary } from "../src/clustering/library.ts";
import { DEFAULT_THRESHOLDS, type EvidenceThresholds } from "../src/clustering/clustering_settings.ts";
import { developmentLibraries, type Library } from "./judged_libraries.ts";

/** How a setting fares on a library. */
interface Score {
  different: number;
  differentProposed: number;
  same: number;
  sameProposed: number;
  sameTotal: number;
  sharedSame: number;
  sharedSameTotal: number;
  serviceJob: number;
  copyRecall: number | undefined;
  merges: number;
  proposals: number;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    shared: { type: "string", default: "../shared" },
    only: { type: "string" },
    defaults: { type: "boolean", default: false },
    explain: { type: "string" },
  },
});
const shared = resolve(values.shared!);

/** Clusters a library with the thresholds and scores the result. */
async function score(library: Library, thresholds: EvidenceThresholds): Promise<Score> {
  const clusters = await clusterSkills(library.skills, library.vectors, { thresholds });
  const of = (action: string) => {
    const map = new Map<string, number>();
    clusters.forEach((cluster, i) => {
      if (cluster.action === action) { for (const member of cluster.members) map.set(member, i); }
    });
    return (a: string, b: string) => map.has(a) && map.get(a) === map.get(b);
  };
  const merged = of("merge");
  const proposed = of("review");
  const count = (verdict: string, test: (a: string, b: string) => boolean) =>
    library.judged.filter(([v, a, b]) => v === verdict && test(a, b)).length;
  return {
    different: count("DIFFERENT", merged),
    differentProposed: count("DIFFERENT", proposed),
    same: count("SAME", merged),
    sameProposed: count("SAME", proposed),
    sameTotal: count("SAME", () => true),
    sharedSame: count("SAME", (a, b) => library.shared.has([a, b].sort().join("\n")) && merged(a, b)),
    sharedSameTotal: count("SAME", (a, b) => library.shared.has([a, b].sort().join("\n"))),
    serviceJob: count("SAME-SERVICE-DIFFERENT-JOB", merged),
    copyRecall: library.copies.length > 0
      ? library.copies.filter(([a, b]) => merged(a, b)).length / library.copies.length
      : undefined,
    merges: clusters.filter((cluster) => cluster.action === "merge").length,
    proposals: clusters.filter((cluster) => cluster.action === "review").length,
  };
}

/**
 * The settings tried: the defaults, each tunable moved alone over its grid, and the pairs of tunables that act on the
 * same pairs (what copies need, what conclusiveness needs) moved together.
 */
function candidates(): EvidenceThresholds[] {
  const grid: Partial<Record<keyof EvidenceThresholds, number[]>> = {
    near: [0.3, 0.4, 0.5, 0.6, 0.7],
    head: [0.3, 0.4, 0.5, 0.6],
    conclusiveHead: [0.5, 0.6, 0.7, 0.8],
    meaning: [0.7, 0.75, 0.8, 0.85],
    sameTool: [0.2, 0.3, 0.4],
    conclusiveText: [0.35, 0.5, 0.65],
  };
  const together: Array<[keyof EvidenceThresholds, keyof EvidenceThresholds]> = [
    ["near", "head"],
    ["conclusiveHead", "meaning"],
  ];
  const settings: EvidenceThresholds[] = [{ ...DEFAULT_THRESHOLDS }];
  for (const key of Object.keys(grid) as Array<keyof EvidenceThresholds>) {
    for (const value of grid[key]!) settings.push({ ...DEFAULT_THRESHOLDS, [key]: value });
  }
  for (const [first, second] of together) {
    for (const one of grid[first]!) {
      for (const two of grid[second]!) settings.push({ ...DEFAULT_THRESHOLDS, [first]: one, [second]: two });
    }
  }
  const seen = new Set<string>();
  return settings.filter((setting) => !seen.has(JSON.stringify(setting)) && !!seen.add(JSON.stringify(setting)));
}

/** How far a setting is from the defaults: the sum of its moves. */
function distance(setting: EvidenceThresholds): number {
  return (Object.keys(setting) as Array<keyof EvidenceThresholds>)
    .reduce((sum, key) => sum + Math.abs(setting[key] - DEFAULT_THRESHOLDS[key]), 0);
}

/** The setting chosen on a library: no DIFFERENT merged, copies recalled, the most SAME merged. */
function choose(scored: Array<[EvidenceThresholds, Score]>): [EvidenceThresholds, Score] {
  const allowed = scored.filter(([, s]) => s.different === 0 && (s.copyRecall === undefined || s.copyRecall >= 0.97));
  const pool = allowed.length > 0 ? allowed : scored;
  return pool.sort(([x, s], [y, t]) => t.same - s.same || s.different - t.different || distance(x) - distance(y))[0]!;
}

function describe(s: Score): string {
  return `DIFFERENT merged ${s.different} (+${s.differentProposed} proposed), SAME merged ${s.same} of ${s.sameTotal} (${
    Math.round((100 * s.same) / s.sameTotal)
  }%, +${s.sameProposed} proposed; of the shared judgments ${s.sharedSame} of ${s.sharedSameTotal}), SAME-SERVICE-DIFFERENT-JOB merged ${s.serviceJob}${
    s.copyRecall === undefined ? "" : `, exact+near recall ${s.copyRecall.toFixed(3)}`
  }; ${s.merges} merges, ${s.proposals} proposals`;
}

/** Prints the evidence for the pairs judged `verdict` that the defaults get wrong. */
async function explain(library: Library, verdict: string): Promise<void> {
  const sorted = [...library.skills].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const index = new Map(sorted.map((skill, i) => [skill.path, i]));
  const skills = new SkillLibrary(sorted, { vectors: sorted.map((skill) => library.vectors.get(skill.contentHash)) });
  const clusters = await clusterSkills(library.skills, library.vectors, {});
  const actionOf = (a: string, b: string) =>
    clusters.find((cluster) => cluster.members.includes(a) && cluster.members.includes(b))?.action ?? "apart";
  for (const [v, a, b] of library.judged) {
    if (v !== verdict) continue;
    const action = actionOf(a, b);
    if ((verdict === "SAME") === (action === "merge")) continue;
    const evidence = judgePair(skills, index.get(a)!, index.get(b)!, DEFAULT_THRESHOLDS);
    const [i, j] = [index.get(a)!, index.get(b)!];
    console.log(
      `${library.name} ${action}: ${a.split("/").at(-2)} | ${b.split("/").at(-2)}: ${evidence.reason} [content ${
        skills.contentSimilarity(i, j).toFixed(2)
      }, head ${skills.headSimilarity(i, j).toFixed(2)}, text ${skills.textSimilarity(i, j).toFixed(2)}]`,
    );
  }
}

function changed(setting: EvidenceThresholds): string {
  const moves = (Object.keys(setting) as Array<keyof EvidenceThresholds>)
    .filter((key) => setting[key] !== DEFAULT_THRESHOLDS[key]).map((key) => `${key} ${setting[key]}`);
  return moves.length === 0 ? "the defaults" : moves.join(", ");
}

if (import.meta.main) {
  const libraries = await developmentLibraries(shared, values.only);
  if (values.explain !== undefined) {
    for (const library of libraries) await explain(library, values.explain);
  } else if (values.defaults) {
    for (const library of libraries) {
      console.log(`${library.name}, the defaults: ${describe(await score(library, DEFAULT_THRESHOLDS))}`);
    }
  } else {
    const settings = candidates();
    const scores: Array<Array<[EvidenceThresholds, Score]>> = [];
    for (const library of libraries) {
      const scored: Array<[EvidenceThresholds, Score]> = [];
      for (const setting of settings) scored.push([setting, await score(library, setting)]);
      scores.push(scored);
    }
    libraries.forEach((library, i) => {
      const [chosen, own] = choose(scores[i]!);
      console.log(`chosen on ${library.name}: ${changed(chosen)}`);
      console.log(`  on ${library.name} (tuned): ${describe(own)}`);
      libraries.forEach((other, j) => {
        if (j === i) return;
        const [, there] = scores[j]!.find(([setting]) => setting === chosen)!;
        console.log(`  on ${other.name} (left out): ${describe(there)}`);
      });
    });
  }
}
