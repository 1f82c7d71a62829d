// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * A library at scale, as a user runs it: the program as a process with the
 * heartbeat task's flags, `--once --dry-run --json`, three times — cold (the
 * state directory removed), warm (nothing changed) and after a share of the
 * skill files changed (one line appended to each, chosen by a seeded random).
 * Each line gives the wall time, peak RSS and CPU share (from GNU `time`) and
 * the report's per-phase times. The changed files are restored afterwards.
 *
 * Usage: deno run -A bench/scale_run.ts REPO [--change 0.01] [--seed 1] [--runs cold,warm,changed]
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { seededRandom } from "./sampling.ts";
import { heartbeatCommand } from "./heartbeat_process.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    change: { type: "string", default: "0.01" },
    seed: { type: "string", default: "1" },
    runs: { type: "string", default: "cold,warm,changed" },
  },
  allowPositionals: true,
});
if (!positionals[0]) {
  console.error("Usage: scale_run.ts REPO [--change 0.01] [--seed 1] [--runs cold,warm,changed]");
  Deno.exit(2);
}
const repo: string = positionals[0];

/** One run of the program under GNU time: its report and what time measured. */
async function measuredRun(): Promise<{ wall: number; rssMiB: number; cpu: string; timings: Record<string, number> }> {
  const timeFile = await Deno.makeTempFile();
  try {
    const output = await heartbeatCommand(repo, ["--once", "--dry-run", "--json"], {
      wrapper: ["/usr/bin/time", "-o", timeFile, "-f", "%e %M %P"],
    }).output();
    const [wall, rss, cpu] = (await Deno.readTextFile(timeFile)).trim().split("\n").at(-1)!.split(" ");
    const report = JSON.parse(new TextDecoder().decode(output.stdout));
    if (report.status !== "ok") throw new Error(`the run ${report.status}: ${report.error}`);
    return { wall: Number(wall), rssMiB: Math.round(Number(rss) / 1024), cpu: cpu!, timings: report.timings };
  } finally {
    await Deno.remove(timeFile);
  }
}

/** Every `SKILL.md` under the repository's `skills/`, sorted. */
function skillFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      if (entry.isDirectory) walk(join(path, entry.name));
      else if (entry.name === "SKILL.md" || (entry.name.endsWith(".md") && path === dir)) {
        files.push(join(path, entry.name));
      }
    }
  };
  walk(dir);
  return files.sort();
}

const print = (label: string, run: Awaited<ReturnType<typeof measuredRun>>) => {
  const { discovery, clustering, consolidation, total } = run.timings;
  console.log(
    `${label.padEnd(8)} wall ${run.wall.toFixed(1)} s, peak ${run.rssMiB} MiB, CPU ${run.cpu}; ` +
      `discovery ${discovery} ms, embedding + clustering ${clustering} ms, consolidation ${consolidation} ms, total ${total} ms`,
  );
};

const runs = new Set(values.runs.split(","));
if (runs.has("cold")) {
  await Deno.remove(join(repo, ".heartbeat"), { recursive: true }).catch(() => {});
  print("cold", await measuredRun());
}
if (runs.has("warm")) print("warm", await measuredRun());
if (runs.has("changed")) {
  const files = skillFiles(join(repo, "skills"));
  const random = seededRandom(Number(values.seed));
  const chosen = files.filter(() => random() < Number(values.change));
  const originals = new Map(chosen.map((file) => [file, Deno.readFileSync(file)]));
  try {
    for (const file of chosen) Deno.writeTextFileSync(file, "\nChanged since the last run.\n", { append: true });
    print(`changed`, await measuredRun());
    console.log(`(${chosen.length} of ${files.length} skill files changed)`);
  } finally {
    for (const [file, bytes] of originals) Deno.writeFileSync(file, bytes);
  }
}
