// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Each duplicate threshold's floor, measured on both development libraries in process: each library is read once
 * (discovery and the embedding model, droppers left out as a run leaves them), then clustered with one threshold
 * lowered from its default by 0.05 at a time, the others at their defaults, until it merges more than 2.5% more skills
 * than the defaults. One line per threshold and library: each step and the skills in merge clusters there; then every
 * threshold at its floor at once. `bench/threshold_floors.ts` measures the same through the real program's dry runs,
 * one library at a time.
 *
 * Usage: deno run -A bench/threshold_floors_libraries.ts [--shared ../shared] [--only dev|registry] [--keys near,head]
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { clusterSkills } from "../src/clustering/cluster.ts";
import {
  DEFAULT_THRESHOLDS,
  type EvidenceThresholds,
  THRESHOLD_FLOORS,
} from "../src/clustering/clustering_settings.ts";
import { developmentLibraries, type Library } from "./judged_libraries.ts";

/** How much more than the defaults a floor may merge. */
const MARGIN = 1.025;

const { values } = parseArgs({
  args: Deno.args,
  options: { shared: { type: "string", default: "../shared" }, only: { type: "string" }, keys: { type: "string" } },
});
const keys = (values.keys?.split(",") ?? Object.keys(DEFAULT_THRESHOLDS)) as Array<keyof EvidenceThresholds>;

/** The skills a library's merge clusters hold with these thresholds. */
async function merged(library: Library, thresholds: EvidenceThresholds): Promise<number> {
  return (await clusterSkills(library.skills, library.vectors, { thresholds }))
    .filter((cluster) => cluster.action === "merge")
    .reduce((sum, cluster) => sum + cluster.members.length, 0);
}

for (const library of await developmentLibraries(resolve(values.shared!), values.only)) {
  const base = await merged(library, DEFAULT_THRESHOLDS);
  console.log(`${library.name}: the defaults merge ${base}; the margin ${Math.floor(base * MARGIN)}`);
  for (const key of keys) {
    const steps: string[] = [];
    for (let step = 1; DEFAULT_THRESHOLDS[key] - 0.05 * step >= 0.049; step++) {
      const value = Math.round((DEFAULT_THRESHOLDS[key] - 0.05 * step) * 100) / 100;
      const count = await merged(library, { ...DEFAULT_THRESHOLDS, [key]: value });
      steps.push(`${value}: ${count}`);
      if (count > base * MARGIN) break;
    }
    console.log(`  ${key} (default ${DEFAULT_THRESHOLDS[key]}, floor ${THRESHOLD_FLOORS[key]}): ${steps.join(", ")}`);
  }
  console.log(`  every threshold at its floor: ${await merged(library, THRESHOLD_FLOORS)}`);
}
