/**
 * `clawstr-heartbeat serve` as the serving benchmarks start it: its own
 * process with the heartbeat task's flags and variables, on a free loopback
 * port, and a client that speaks its API with the token.
 *
 * @module
 */

import { heartbeatCommand, type HeartbeatCommandOptions } from "./heartbeat_process.ts";

/** The token the benchmarks serve with. */
export const BENCH_TOKEN = "bench-token-0123456789";

/** A running `serve`. */
export interface ServeProcess {
  /** The process. */
  child: Deno.ChildProcess;
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Sends a request with the token. */
  api(path: string, method?: string): Promise<Response>;
}

/**
 * Starts `serve` in `cwd`; resolves once it listens.
 *
 * @param cwd The working directory (the repositories are relative to it).
 * @param args The arguments after `serve`.
 * @param options A wrapper to start it under (`sh -c 'ulimit -n 1024 && exec "$@"' sh`).
 * @returns The process, its address and an API client.
 */
export async function startServe(
  cwd: string,
  args: readonly string[],
  options: Pick<HeartbeatCommandOptions, "wrapper"> = {},
): Promise<ServeProcess> {
  const child = heartbeatCommand(cwd, ["serve", "--port", "0", ...args], {
    env: { HEARTBEAT_TOKEN: BENCH_TOKEN },
    ...options,
  }).spawn();
  child.stdout.cancel();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let base: string | undefined;
  while (base === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(text);
    text += value;
    base = /serving \d+ repositories on (http:\/\/[^/\s]+)\//.exec(text)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done);
  })();
  const api = (path: string, method = "GET") =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  return { child, base, api };
}

/**
 * Waits until every repository has had a run and none runs.
 *
 * @param api The API client.
 * @param names The repositories.
 */
export async function settle(api: (path: string) => Promise<Response>, names: readonly string[]): Promise<void> {
  for (;;) {
    const listing: Array<{ name: string; running: boolean; lastRun: unknown }> = await (await api("/api/repositories"))
      .json();
    if (names.every((name) => listing.find((r) => r.name === name && !r.running && r.lastRun))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
