// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * What a stranger holding thousands of connections does to `serve`: the real
 * program, started as systemd would (a limit of 1,024 open files), serving a
 * copy of the bundled skills; once its first run is over, a stranger opens
 * 3,000 connections, half of them idle and half trickling a request's headers
 * a line a second, and holds them (with `--reopen`, opens again at once each
 * one the server closes: a flood of new connections; with `--pipeline N`, each
 * connection sends N requests at once, pipelined, and reads no answer).
 * Meanwhile the owner's
 * new authenticated requests (`/health` and an API request) are timed (each
 * must be answered within a second), and serve's resident memory is sampled
 * (it must stay under 300 MB).
 *
 * Usage: deno run -A bench/serve_load.ts [--connections 3000] [--seconds 15] [--file-limit 1024] [--reopen]
 *   [--pipeline 2000]
 *
 * The script itself holds the connections: run it where its own limit on open files allows that many (`ulimit -n`).
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { residentMemory } from "./resident_memory.ts";
import { quantile } from "./request_timing.ts";
import { BENCH_TOKEN, settle, startServe } from "./serve_process.ts";
import { BUNDLED_SKILLS, commitRepository, copyTree, optIn } from "../tests/utils.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    connections: { type: "string", default: "3000" },
    seconds: { type: "string", default: "15" },
    "file-limit": { type: "string", default: "1024" },
    reopen: { type: "boolean", default: false },
    pipeline: { type: "string", default: "0" },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const fileLimit = Number(values["file-limit"]);
const pipeline = Number(values.pipeline);

/**
 * The stranger: opens `count` connections, half idle, half trickling headers (or, with `pipeline`, each sending that
 * many requests at once); with `reopen`, reopens any closed.
 */
function stranger(port: number, count: number, { reopen, pipeline }: { reopen: boolean; pipeline: number }) {
  const encoder = new TextEncoder();
  const flood = encoder.encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(pipeline));
  const open = new Set<Deno.Conn>();
  const trickling = new Set<Deno.Conn>();
  let stopped = false;
  let opened = 0;
  let closedByServer = 0;
  let refused = 0;
  const hold = async (trickles: boolean): Promise<void> => {
    for (let first = true; !stopped && (first || reopen); first = false) {
      let connection: Deno.Conn;
      try {
        connection = await Deno.connect({ hostname: "127.0.0.1", port });
      } catch {
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      opened++;
      open.add(connection);
      if (pipeline > 0) {
        connection.write(flood).catch(() => {});
      } else if (trickles) {
        trickling.add(connection);
        connection.write(encoder.encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")).catch(() => {});
      }
      const buffer = new Uint8Array(1024);
      try {
        while ((await connection.read(buffer)) !== null);
      } catch {
        // Reset: closed as well.
      }
      open.delete(connection);
      trickling.delete(connection);
      if (!stopped) closedByServer++;
      try {
        connection.close();
      } catch {
        // Closed already.
      }
    }
  };
  const holders = Array.from({ length: count }, (_, i) => hold(i % 2 === 1));
  const dripping = setInterval(() => {
    for (const connection of trickling) connection.write(encoder.encode("X-Slow: 1\r\n")).catch(() => {});
  }, 1000);
  return {
    stats: () => ({ open: open.size, opened, closedByServer, refused }),
    async stop() {
      stopped = true;
      clearInterval(dripping);
      for (const connection of open) {
        try {
          connection.close();
        } catch {
          // Closed already.
        }
      }
      // A connect still waiting (its SYN dropped by a full accept queue) may take two minutes to give up: not waited for.
      await Promise.race([Promise.all(holders), new Promise((resolve) => setTimeout(resolve, 2000))]);
    },
  };
}

/** Times one request, read whole; a request not answered within 5 s counts as 5 s. */
async function timed(url: string, token: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

const parent = await Deno.makeTempDir({ prefix: "serve-load-" });
const repo = join(parent, "skills-repo");
await Deno.mkdir(repo);
await copyTree(BUNDLED_SKILLS, join(repo, "skills"));
await optIn(repo);
await commitRepository(repo);
const wrapper = ["sh", "-c", `ulimit -n ${fileLimit} && exec "$@"`, "sh"];
const { child, base, api } = await startServe(parent, ["skills-repo", "--dry-run"], { wrapper });
try {
  await settle(api, ["skills-repo"]);
  const beforeRss = residentMemory(child.pid).rss;
  let mostRss = beforeRss;
  const sampling = setInterval(() => mostRss = Math.max(mostRss, residentMemory(child.pid).rss), 100);
  const { runs } = await (await api("/api/repositories/skills-repo/runs")).json();
  const attack = stranger(Number(new URL(base).port), connections, { reopen: values.reopen, pipeline });
  // Let the stranger's connections pile up before the owner asks.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const paths = ["/health", `/api/repositories/skills-repo/runs/${runs[0].runId}`];
  const times = new Map<string, number[]>(paths.map((path) => [path, []]));
  const statuses = new Set<number>();
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const path of paths) {
      const { ms, status } = await timed(`${base}${path}`, BENCH_TOKEN);
      times.get(path)!.push(ms);
      statuses.add(status);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const held = attack.stats();
  await attack.stop();
  clearInterval(sampling);
  const alive = (await timed(`${base}/health`, BENCH_TOKEN)).status === 200;
  const { peak } = residentMemory(child.pid);
  console.log(
    `stranger: ${connections} connections (${
      pipeline > 0 ? `each pipelining ${pipeline} requests` : "half trickling headers"
    })${values.reopen ? ", each reopened when closed" : ""}, ` +
      `${held.opened} opened over the run, ` +
      `${held.closedByServer} closed by serve, ${held.refused} refused; ${held.open} open at the end`,
  );
  for (const [path, ms] of times) {
    console.log(
      `owner's ${path.replace(/runs\/.*/, "runs/RUN")}: ${ms.length} requests, median ${
        quantile(ms, 0.5).toFixed(1)
      } ms, slowest ${Math.max(...ms).toFixed(1)} ms`,
    );
  }
  console.log(
    `answers ${[...statuses].sort().join(", ")}; serve ${alive ? "alive" : "DEAD"}; RSS ${beforeRss.toFixed(0)} MiB ` +
      `before, at most ${mostRss.toFixed(0)} MiB under load; peak RSS over its life ${peak.toFixed(0)} MiB`,
  );
} finally {
  try {
    child.kill("SIGTERM");
  } catch {
    // Exited already.
  }
  await child.status;
  await Deno.remove(parent, { recursive: true });
}
// The stranger's connects still waiting (with --reopen) would hold the process for minutes.
Deno.exit(0);
