/**
 * A real Nostr relay for the tests: `tests/relay/relay.mjs` (@nostr-relay/core
 * with SQLite) under Node, on loopback, as a separate process. The test task
 * installs its packages (`npm install --prefix tests/relay`).
 *
 * @module
 */

import type { Event } from "nostr-tools/core";
import { join } from "node:path";
import { PROJECT_ROOT, readUntil } from "./utils.ts";
import { assertEquals } from "./assert.ts";
import { nostrRelayClient, type RelayClient } from "../src/nostr/relay_client.ts";

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
  /** Answer `rate-limited:` to an event that comes less than this many ms after the last one taken. */
  rateLimitMs?: number;
  /** Turn on NIP-42 AUTH for this host name. */
  auth?: string;
  /** Append every EVENT received, with when it arrived, to this file as JSON lines. */
  log?: string;
  /** Publish this NIP-11 `limitation` object, and refuse events over its content length or tag count. */
  limits?: Record<string, number>;
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
  if (options.rateLimitMs !== undefined) args.push("--rate-limit", String(options.rateLimitMs));
  if (options.auth) args.push("--auth", options.auth);
  if (options.log) args.push("--log", options.log);
  if (options.limits) args.push("--limits", JSON.stringify(options.limits));
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
    // The client asks for the relay's information document (NIP-11) first: this relay publishes none.
    if (request.headers.get("upgrade") !== "websocket") return new Response(null, { status: 404 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}`, [Symbol.asyncDispose]: () => server.shutdown() };
}

/** A hostile relay's frame: text, or bytes sent as a binary frame. */
type Frame = string | Uint8Array;

/** How a hostile relay misbehaves. Without options it answers like a relay: `OK true` to an EVENT, `EOSE` to a REQ. */
export interface HostileRelayOptions {
  /** Send a binary frame when a client connects and before each answer. */
  binary?: boolean;
  /**
   * Answer only with malformed messages: not JSON (with ANSI escapes), not an array, an unknown type, and an
   * EVENT, OK and EOSE of the wrong shape (an `OK` whose `true` is the string `"false"`); never a valid answer.
   */
  malformed?: boolean;
  /** Send this NOTICE when a client connects. */
  notice?: string;
  /** Refuse every EVENT (`OK false`) and REQ (`CLOSED`) with this reason. */
  refuse?: string;
  /**
   * Close the connection right after it opens, after the first REQ, after the first EVENT, or after an AUTH
   * challenge (sent on connect, then `auth-required:` to the first EVENT or REQ, then the close).
   */
  closeAfter?: "open" | "req" | "event" | "auth";
  /** Answer every REQ with this event, again and again, and never EOSE. */
  endless?: Event;
}

/** A 9 MB NOTICE. */
export const HUGE_NOTICE: string = `${"flood ".repeat(1_500_000)}end`;

/** A NOTICE that, printed as it is, forges a `--json` report line and clears the terminal. */
export const FORGED_REPORT_NOTICE = '\n{"runId":"FAKE","status":"ok"}\n\x1b[2J\x1b[31mred alert\x1b[0m\r\x07';

/**
 * A relay that misbehaves on purpose (Deno.serve on loopback, port 0), for the tests of untrusted relay input.
 *
 * @param options The misbehaviours.
 * @returns Its URL; disposing it stops it.
 */
export function startHostileRelay(options: HostileRelayOptions = {}): AsyncDisposable & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    // The client asks for the relay's information document (NIP-11) first: this relay publishes none.
    if (request.headers.get("upgrade") !== "websocket") return new Response(null, { status: 404 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    const send = (...frames: Frame[]) => {
      for (const frame of frames) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    };
    // Bytes that would clear a terminal, were they printed.
    const sendBinary = () => options.binary && send(new Uint8Array([0x1b, 0x5b, 0x32, 0x4a, 0, 0xff]));
    const stream = async (subscription: string, event: Event) => {
      const frame = JSON.stringify(["EVENT", subscription, event]);
      while (socket.readyState === WebSocket.OPEN) {
        // Only as fast as the socket drains, so the relay itself does not pile up memory.
        if (socket.bufferedAmount < 1_000_000) send(frame);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    };
    socket.onopen = () => {
      sendBinary();
      if (options.notice !== undefined) send(JSON.stringify(["NOTICE", options.notice]));
      if (options.closeAfter === "auth") send(JSON.stringify(["AUTH", "challenge-1"]));
      if (options.closeAfter === "open") socket.close();
    };
    socket.onmessage = ({ data }) => {
      const [type, first] = JSON.parse(data) as [string, unknown];
      sendBinary();
      if (type === "EVENT") answerEvent((first as Event).id);
      if (type === "REQ") answerReq(first as string);
      if ((type === "EVENT" || type === "REQ") && closesAfter(type)) socket.close();
    };
    const answerEvent = (id: string) => {
      if (options.malformed) return send(...MALFORMED, JSON.stringify(["OK", id, "false", "blocked"]));
      if (options.closeAfter === "auth") return send(JSON.stringify(["OK", id, false, "auth-required: sign in"]));
      send(JSON.stringify(["OK", id, options.refuse === undefined, options.refuse ?? ""]));
    };
    const answerReq = (subscription: string) => {
      if (options.malformed) {
        return send(
          ...MALFORMED,
          JSON.stringify(["EVENT", subscription, { id: "not hex", kind: "1", tags: "none", content: 7 }]),
          JSON.stringify(["EOSE", subscription, "and more"]),
        );
      }
      if (options.closeAfter === "auth") {
        return send(JSON.stringify(["CLOSED", subscription, "auth-required: sign in"]));
      }
      if (options.refuse !== undefined) return send(JSON.stringify(["CLOSED", subscription, options.refuse]));
      if (options.endless) return void stream(subscription, options.endless);
      send(JSON.stringify(["EOSE", subscription]));
    };
    const closesAfter = (type: "EVENT" | "REQ") =>
      options.closeAfter === "auth" || options.closeAfter === type.toLowerCase();
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}`, [Symbol.asyncDispose]: () => server.shutdown() };
}

/** Messages no relay may send: not JSON (with an ANSI escape), not an array, an unknown type, an empty array. */
const MALFORMED: readonly Frame[] = ['\x1b[31m{"not json', '{"kind":1}', '["SURPRISE","sub:1"]', "null", "[]"];

/**
 * A relay that completes the WebSocket handshake and drops the TCP connection at once, without a close frame, as a
 * crashing relay or a proxy does: the client learns of it between connecting and its first message. (Deno.serve
 * closes only cleanly, after the client has used the open connection.)
 *
 * @returns Its URL; disposing it stops it.
 */
export function startDroppingRelay(): AsyncDisposable & { url: string } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    // A client gone mid-handshake is no concern of this relay's.
    for await (const connection of listener) acceptAndDrop(connection).catch(() => {});
  })();
  return {
    url: `ws://127.0.0.1:${listener.addr.port}`,
    [Symbol.asyncDispose]: async () => {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

/** Answers a WebSocket handshake with its `101`, then closes the TCP connection. */
async function acceptAndDrop(connection: Deno.Conn): Promise<void> {
  try {
    const { text } = await readUntil(connection.readable, /\r\n\r\n/);
    const key = /^sec-websocket-key:\s*(\S+)/im.exec(text)?.[1] ?? "";
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(`${key}${WEBSOCKET_GUID}`));
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    await connection.write(new TextEncoder().encode(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
  } finally {
    connection.close();
  }
}

/** The GUID of the WebSocket handshake (RFC 6455). */
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Every `!clawnch` post on a relay (asserting that it answered). */
export async function launchPosts(url: string): Promise<Event[]> {
  const reader = readerClient();
  try {
    const found = await reader.query([{ kinds: [1, 1111] }], [url]);
    assertEquals(found.answered, [url], "the relay answered");
    return found.events.filter((event) => event.content.startsWith("!clawnch"));
  } finally {
    reader.close();
  }
}

/** A client that only reads: it has no key to answer an AUTH with. */
export function readerClient(): RelayClient {
  return nostrRelayClient({
    sign: () => {
      throw new Error("no AUTH expected");
    },
    timeoutMs: 1500,
  });
}
