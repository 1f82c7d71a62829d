// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * What `clawstr-heartbeat serve` costs: its resident memory once idle with
 * three repositories (after each of three rounds of runs), and how fast its API answers about a large library's
 * last run. The program runs as its own process with the heartbeat task's
 * flags, as a user would run it.
 *
 * Usage:
 *   deno run -A bench/serve_bench.ts idle [--repeat 3]
 *   deno run -A bench/serve_bench.ts api REPO [--requests 100]   (REPO: a git repository; the runs are dry)
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { residentMemory } from "./resident_memory.ts";
import { curlMs, quantile } from "./request_timing.ts";
import { BENCH_TOKEN, settle, startServe } from "./serve_process.ts";
import { BUNDLED_SKILLS, commitRepository, copyTree, optIn } from "../tests/utils.ts";

/** How many runs each repository makes before the idle measurements (one measurement after each round). */
const ROUNDS = 3;

async function idle(repeat: number): Promise<void> {
  for (let i = 0; i < repeat; i++) {
    const parent = await Deno.makeTempDir({ prefix: "serve-bench-" });
    const names = ["one", "two", "three"];
    for (const name of names) {
      const repo = join(parent, name);
      await Deno.mkdir(repo);
      await copyTree(BUNDLED_SKILLS, join(repo, "skills"));
      await optIn(repo);
      await commitRepository(repo);
    }
    const { child, api } = await startServe(parent, [...names, "--no-push"]);
    const afterRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The first round is the runs due at start; each later one is started through the API, all three at once.
      for (const name of round === 0 ? [] : names) {
        const started = await api(`/api/repositories/${name}/runs`, "POST");
        if (started.status !== 202) throw new Error(`POST ${name}: ${started.status} ${await started.text()}`);
      }
      await settle(api, names);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      afterRuns.push(residentMemory(child.pid).rss);
    }
    child.kill("SIGTERM");
    await child.status;
    // Started again in the same slot, no run is due: what serving costs before the model is ever loaded.
    const restarted = await startServe(parent, [...names, "--no-push"]);
    await settle(restarted.api, names);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const serving = residentMemory(restarted.child.pid).rss;
    restarted.child.kill("SIGTERM");
    await restarted.child.status;
    console.log(
      `idle with 3 repositories: RSS ${
        afterRuns.map((rss) => rss.toFixed(0)).join(", ")
      } MiB after 1–${ROUNDS} runs each, ${serving.toFixed(0)} MiB serving with no run yet`,
    );
    await Deno.remove(parent, { recursive: true });
  }
}

async function apiLatency(repo: string, requests: number): Promise<void> {
  const started = performance.now();
  const name = repo.replace(/\/$/, "").split("/").at(-1)!;
  const { child, api, base } = await startServe(join(repo, ".."), [name, "--dry-run"]);
  // The run the API answers about is this process's own: one the schedule starts, or else one asked for (409: running).
  const asked = await api(`/api/repositories/${name}/runs`, "POST");
  if (asked.status !== 202 && asked.status !== 409) throw new Error(`POST: ${asked.status} ${await asked.text()}`);
  await settle(api, [name]);
  console.log(
    `the run (dry; cold unless the state directory is warm) of ${name} settled after ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  const { runs } = await (await api(`/api/repositories/${name}/runs`)).json();
  const paths = [
    "/api/repositories",
    `/api/repositories/${name}/runs`,
    `/api/repositories/${name}/runs/${runs[0].runId}`,
    `/api/repositories/${name}/clusters`,
    `/api/repositories/${name}/reviews`,
    `/api/repositories/${name}/skills`,
    `/api/repositories/${name}/status`,
  ];
  for (const path of paths) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      const body = await (await api(path)).arrayBuffer();
      times.push(performance.now() - t);
      bytes = body.byteLength;
      // Under the rate limit (10 a second after a burst of 60).
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5200));
    }
    const at = (q: number) => quantile(times, q).toFixed(1);
    console.log(
      `${path.replace(name, "REPO")}: median ${at(0.5)} ms, p95 ${at(0.95)} ms, ${(bytes / 1024).toFixed(0)} KiB`,
    );
  }
  // The whole report's time is its transfer (bench/transfer_floor.ts): read by curl as well as by Deno's fetch.
  const times: number[] = [];
  for (let i = 0; i < 20; i++) times.push(await curlMs(`${base}${paths[2]}`, [`authorization: Bearer ${BENCH_TOKEN}`]));
  console.log(`the whole report read by curl: median ${quantile(times, 0.5).toFixed(1)} ms`);
  child.kill("SIGTERM");
  await child.status;
}

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { repeat: { type: "string", default: "3" }, requests: { type: "string", default: "100" } },
});
if (positionals[0] === "idle") await idle(Number(values.repeat));
else if (positionals[0] === "api" && positionals[1]) await apiLatency(positionals[1], Number(values.requests));
else console.error("Usage: serve_bench.ts idle [--repeat 3] | api REPO [--requests 100]");
