// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Whether `serve` still answers while a run works: `serve --dry-run` on one repository (its state directory removed,
 * so the first run is cold), `/health` asked every 25 ms from another process until that run is over. Prints the
 * answers' latency (median, 99th percentile, worst) and the run's length.
 *
 * Usage: deno run -A bench/serve_during_run.ts REPO
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { settle, startServe } from "./serve_process.ts";

const repo = Deno.args[0];
if (!repo) {
  console.error("Usage: serve_during_run.ts REPO");
  Deno.exit(2);
}
await Deno.remove(join(repo, ".heartbeat"), { recursive: true }).catch(() => {});
const name = basename(repo);
const started = performance.now();
const serve = await startServe(dirname(repo), [name, "--dry-run"]);
const latencies: number[] = [];
/** The slow answers: when they were asked (seconds into the run) and how long they took. */
const slow: string[] = [];
let running = true;
const polling = (async () => {
  while (running) {
    const asked = performance.now();
    const response = await fetch(`${serve.base}/health`);
    await response.body?.cancel();
    const ms = performance.now() - asked;
    latencies.push(ms);
    if (ms > 100) slow.push(`${((asked - started) / 1000).toFixed(1)} s: ${ms.toFixed(0)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
})();
await settle(serve.api, [name]);
running = false;
await polling;
const runSeconds = (performance.now() - started) / 1000;
serve.child.kill("SIGTERM");
await serve.child.status;
latencies.sort((a, b) => a - b);
const at = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!;
console.log(
  `${latencies.length} answers to /health during a ${runSeconds.toFixed(1)} s run: median ${at(0.5).toFixed(1)} ms, ` +
    `99th percentile ${at(0.99).toFixed(1)} ms, worst ${latencies.at(-1)!.toFixed(1)} ms`,
);
if (slow.length > 0) console.log(`slower than 100 ms: ${slow.join(", ")}`);
