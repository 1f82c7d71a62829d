// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * How fast a run stops when asked: the program as a process (`--once --dry-run --json`, cold: the state directory
 * removed first), sent SIGTERM after each of the given delays in turn. Each line gives the delay, the phase the report
 * says was interrupted, and the time from the signal to the process's exit (with its report on stdout).
 *
 * Usage: deno run -A bench/stop_latency.ts REPO [--after 2,10,25,40] [--real]
 *
 * `--real` runs without `--dry-run` (the repository must have opted in, and its tree is changed as a run would).
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { heartbeatCommand } from "./heartbeat_process.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { after: { type: "string", default: "2,10,25,40" }, real: { type: "boolean", default: false } },
  allowPositionals: true,
});
if (!positionals[0]) {
  console.error("Usage: stop_latency.ts REPO [--after 2,10,25,40] [--real]");
  Deno.exit(2);
}
const repo = positionals[0];

for (const seconds of values.after.split(",").map(Number)) {
  await Deno.remove(join(repo, ".heartbeat"), { recursive: true }).catch(() => {});
  const args = ["--once", "--json", ...(values.real ? [] : ["--dry-run"])];
  const run = heartbeatCommand(repo, args).spawn();
  const output = run.output();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const signalled = performance.now();
  run.kill("SIGTERM");
  const { code, stdout } = await output;
  const ms = Math.round(performance.now() - signalled);
  let where = "no report";
  try {
    const report = JSON.parse(new TextDecoder().decode(stdout));
    const phases = ["discovery", "clustering", "consolidation", "publishing", "launching", "broadcasting"];
    where = report.status === "interrupted"
      ? `interrupted in ${phases.find((phase) => report[phase]?.status === "interrupted")}`
      : `finished (${report.status})`;
  } catch { /* reported as "no report" */ }
  console.log(`SIGTERM after ${seconds} s: exit ${code} ${ms} ms later, ${where}`);
}
