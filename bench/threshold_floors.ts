// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * How much each duplicate threshold's floor lets an unattended run merge: the
 * real program's dry run (`--once --dry-run --json`, the heartbeat task's
 * flags) over a repository, with thresholds set through
 * `--duplicate-thresholds`. One line per run: the thresholds changed, the
 * masters planned, the skills they merge, the files archived, the proposals,
 * and the skills merged against the defaults' run.
 *
 * By default it runs the defaults, each threshold at its floor (the others at
 * their defaults), and every threshold at its floor at once. `--grid` instead
 * lowers each threshold from its default by `--step` down to `--step` (the
 * way the floors were chosen): below a floor the program refuses to start, and
 * the line says so.
 *
 * Usage: deno run -A bench/threshold_floors.ts REPO [--grid] [--step 0.05]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  DEFAULT_THRESHOLDS,
  type EvidenceThresholds,
  THRESHOLD_FLOORS,
} from "../src/clustering/clustering_settings.ts";
import { heartbeatCommand } from "./heartbeat_process.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { grid: { type: "boolean", default: false }, step: { type: "string", default: "0.05" } },
  allowPositionals: true,
});
if (!positionals[0]) {
  console.error("Usage: threshold_floors.ts REPO [--grid] [--step 0.05]");
  Deno.exit(2);
}
const repo: string = positionals[0];
const step = Number(values.step);

type Name = keyof EvidenceThresholds;
const NAMES = Object.keys(DEFAULT_THRESHOLDS) as Name[];

/** What one dry run planned, or why it did not start. */
type Outcome = { masters: number; skills: number; archived: number; proposals: number } | { refused: string };

async function dryRun(thresholds: Partial<EvidenceThresholds>): Promise<Outcome> {
  const flag = Object.entries(thresholds).map(([name, value]) => `${name}=${value}`).join(",");
  const args = ["--once", "--dry-run", "--json", ...(flag === "" ? [] : ["--duplicate-thresholds", flag])];
  const output = await heartbeatCommand(repo, args).output();
  if (output.code === 2) return { refused: new TextDecoder().decode(output.stderr).trim() };
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  if (report.status !== "ok") throw new Error(`the run ${report.status}: ${report.error}`);
  const merged: Array<{ members: string[] }> = report.consolidation.merged;
  return {
    masters: merged.length,
    skills: merged.reduce((sum, merge) => sum + merge.members.length, 0),
    archived: report.consolidation.archived.length,
    proposals: report.clusters.filter((cluster: { action: string }) => cluster.action === "review").length,
  };
}

const base = await dryRun({});
if ("refused" in base) throw new Error(base.refused);
const print = (label: string, outcome: Outcome) => {
  const text = "refused" in outcome
    ? `refused at start: ${outcome.refused}`
    : `${outcome.masters} masters, ${outcome.skills} skills merged (${
      (outcome.skills / base.skills).toFixed(2)
    }× the defaults), ${outcome.archived} files archived, ${outcome.proposals} proposals`;
  console.log(`${label.padEnd(36)} ${text}`);
};
print("defaults", base);

if (values.grid) {
  for (const name of NAMES) {
    // Whole steps below the default, rounded so that 0.9 − 0.05 prints as 0.85.
    for (let value = DEFAULT_THRESHOLDS[name] - step; value > step / 2; value -= step) {
      const rounded = Math.round(value * 1000) / 1000;
      print(`${name}=${rounded}`, await dryRun({ [name]: rounded }));
    }
  }
} else {
  for (const name of NAMES) {
    if (THRESHOLD_FLOORS[name] < DEFAULT_THRESHOLDS[name]) {
      print(`${name}=${THRESHOLD_FLOORS[name]}`, await dryRun({ [name]: THRESHOLD_FLOORS[name] }));
    }
  }
  print("every threshold at its floor", await dryRun(THRESHOLD_FLOORS));
}
