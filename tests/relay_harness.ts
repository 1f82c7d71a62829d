/**
 * A real Nostr relay for the tests: `tests/relay/relay.mjs` (@nostr-relay/core
 * with SQLite) under Node, on loopback, as a separate process. The test task
 * installs its packages (`npm install --prefix tests/relay`).
 *
 * @module
 */

import { join } from "node:path";
import { PROJECT_ROOT, readUntil } from "./utils.ts";

/** A running relay. */
export interface TestRelay extends AsyncDisposable {
  /** Its URL, `ws://127.0.0.1:PORT`. */
  url: string;
  /** Its port. */
  port: number;
  /** Stops it. */
  stop(): Promise<void>;
}

/** How the relay behaves. */
export interface RelayOptions {
  /** Listen on this port (0: any free one). */
  port?: number;
  /** Keep events in this SQLite file, so a restarted relay still has them. */
  db?: string;
  /** Refuse every event with `OK false` and this reason. */
  refuse?: string;
  /** Turn on NIP-42 AUTH for this host name. */
  auth?: string;
}

/**
 * Starts a relay and waits until it listens.
 *
 * @param options Port, storage, refusal, AUTH.
 * @returns The relay.
 */
export async function startRelay(options: RelayOptions = {}): Promise<TestRelay> {
  const args = ["relay.mjs", "--port", String(options.port ?? 0)];
  if (options.db) args.push("--db", options.db);
  if (options.refuse) args.push("--refuse", options.refuse);
  if (options.auth) args.push("--auth", options.auth);
  const child = new Deno.Command("node", {
    args,
    cwd: join(PROJECT_ROOT, "tests", "relay"),
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const { text, rest } = await readUntil(child.stdout, /\n/);
  const port = JSON.parse(text.split("\n")[0]!).port as number;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill("SIGTERM");
    await child.status;
    await rest.cancel();
  };
  return { url: `ws://127.0.0.1:${port}`, port, stop, [Symbol.asyncDispose]: stop };
}

/**
 * A WebSocket server on loopback that accepts connections and never answers
 * a message: a relay that black-holes what it is sent.
 *
 * @returns Its URL; disposing it stops it.
 */
export function startMuteRelay(): AsyncDisposable & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}`, [Symbol.asyncDispose]: () => server.shutdown() };
}
