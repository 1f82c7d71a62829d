// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * The floor under the API's largest answer: how long one body of a given size
 * takes over loopback from a bare `Deno.serve` that does nothing else (bytes
 * encoded once, as `serve` keeps its answers), read by Deno's `fetch` and by
 * `curl`. `serve`'s whole report of a 20,000-skill dry run is 32 MiB.
 *
 * Usage: deno run -A bench/transfer_floor.ts [--mib 32] [--requests 20]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { curlMs, quantile } from "./request_timing.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { mib: { type: "string", default: "32" }, requests: { type: "string", default: "20" } },
});
const body = new TextEncoder().encode("x".repeat(Number(values.mib) * 1024 * 1024));
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Response(body));
const url = `http://127.0.0.1:${server.addr.port}/`;

/** The median of `requests` timings, in ms. */
async function median(request: () => Promise<number>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < Number(values.requests); i++) times.push(await request());
  return quantile(times, 0.5).toFixed(1);
}

const viaFetch = await median(async () => {
  const started = performance.now();
  const bytes = await (await fetch(url)).arrayBuffer();
  if (bytes.byteLength !== body.byteLength) throw new Error(`read ${bytes.byteLength} bytes`);
  return performance.now() - started;
});
const viaCurl = await median(() => curlMs(url));
console.log(`${values.mib} MiB over loopback, median of ${values.requests}: fetch ${viaFetch} ms, curl ${viaCurl} ms`);
await server.shutdown();
