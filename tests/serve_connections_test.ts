/**
 * `serve`'s HTTP server in this process, over real connections on loopback: what one connection may make it do at once
 * (pipelined requests), who is closed to make room at the cap when every connection has a request in progress (a
 * stranger reading answers slowly, never the owner), and what a slow reader of a kept answer costs.
 */

import { getLogger } from "@logtape/logtape";
import { assert, assertEquals } from "./assert.ts";
import { serveConnections, type ServeConnectionsOptions } from "../src/serve/http_server.ts";
import { MAX_REQUESTS_IN_PROGRESS } from "../src/serve/connection_guard.ts";
import { sharedBody } from "../src/http/shared_body.ts";
import { apiApp } from "../src/serve/api.ts";
import type { RepositoryRunner } from "../src/serve/repository_runner.ts";
import type { RunReport } from "../src/report.ts";

/** The owner's `Authorization` header in these tests. */
const OWNER = "Bearer the-owner";

/** Serves `fetch` on a free loopback port until disposed. */
function served(
  fetch: ServeConnectionsOptions["fetch"],
  options: Partial<ServeConnectionsOptions> = {},
): AsyncDisposable & { port: number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const stop = new AbortController();
  const serving = serveConnections(listener, {
    fetch,
    isOwner: (authorization) => authorization === OWNER,
    maxConnections: 64,
    signal: stop.signal,
    logger: getLogger(["test", "serve"]),
    ...options,
  });
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await serving;
    },
  };
}

/** Sends `text` on a new connection and reads what comes back until the server closes it (or `ms` pass). */
async function exchange(port: number, text: string, ms = 5000): Promise<{ answer: string; closed: boolean }> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  await connection.write(new TextEncoder().encode(text)).catch(() => {});
  let answer = "";
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    connection.close();
  }, ms);
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (let read; (read = await connection.read(buffer)) !== null;) {
      answer += new TextDecoder().decode(buffer.subarray(0, read));
    }
  } catch {
    // Reset by the server, or closed here at the deadline.
  }
  clearTimeout(deadline);
  if (!timedOut) connection.close();
  return { answer, closed: !timedOut };
}

Deno.test("a connection that pipelines two thousand requests is closed and no more than the limit reach the application; ten pipelined are all answered", async () => {
  let handled = 0;
  await using server = served(() => {
    handled++;
    return new Response("ok");
  });
  const request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const flood = await exchange(server.port, request.repeat(2000));
  assert(flood.closed, "the server closed the connection");
  assert(handled <= MAX_REQUESTS_IN_PROGRESS, `${handled} pipelined requests reached the application`);
  handled = 0;
  const few = await exchange(
    server.port,
    request.repeat(9) + request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"),
  );
  assertEquals(few.answer.match(/HTTP\/1\.1 200 OK/g)?.length, 10);
  assertEquals(handled, 10);
});

Deno.test("at the cap, strangers' requests stalled on answers they do not read are closed for the owner's new connection, and the owner's own stream is not", async () => {
  const big = new Uint8Array(32 * 1024 * 1024).fill(0x61);
  await using server = served((request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/big") {
      return new Response(sharedBody(big), { headers: { "content-length": String(big.length) } });
    }
    if (pathname === "/stream") {
      let ticks: ReturnType<typeof setInterval> | undefined;
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            ticks = setInterval(() => controller.enqueue(new TextEncoder().encode("tick\n")), 100);
          },
          cancel() {
            clearInterval(ticks);
          },
        }),
      );
    }
    return new Response("ok");
  }, { maxConnections: 3 });
  // The owner's event stream, read as it comes.
  const stream = await fetch(`http://127.0.0.1:${server.port}/stream`, { headers: { authorization: OWNER } });
  const ticks = stream.body!.getReader();
  await ticks.read();
  // Two strangers fill the cap with requests for a large answer, and read none of it.
  const strangers: Deno.Conn[] = [];
  for (let i = 0; i < 2; i++) {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await connection.write(new TextEncoder().encode("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    strangers.push(connection);
  }
  try {
    // Long enough for the strangers' answers to stall (no byte moved for a second).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const owner = await fetch(`http://127.0.0.1:${server.port}/`, {
      headers: { authorization: OWNER, connection: "close" },
      signal: AbortSignal.timeout(5000),
    }).then(async (answer) => `${answer.status} ${await answer.text()}`, (error) => `refused: ${error}`);
    assertEquals(owner, "200 ok");
    const after = await ticks.read();
    assert(!after.done && new TextDecoder().decode(after.value).includes("tick"), "the owner's stream still runs");
  } finally {
    await ticks.cancel();
    for (const connection of strangers) {
      try {
        connection.close();
      } catch {
        // Closed by the server to make room.
      }
    }
  }
});

/** Opens `count` connections to `port` at once and resets each (RST) as soon as it is open. */
async function resetConnections(port: number, count: number): Promise<void> {
  const { connect } = await import("node:net");
  await Promise.all(Array.from({ length: count }, () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.resetAndDestroy();
        resolve();
      });
      socket.once("error", reject);
    })));
}

Deno.test("connections their clients reset before they were accepted neither hold up the next one nor close anyone's", async () => {
  await using server = served(() => new Response("ok"));
  // The owner's keep-alive connection, answered once and idle.
  const owner = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const ask = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${OWNER}\r\n\r\n`;
  const answerOf = async () => {
    const buffer = new Uint8Array(1024);
    const read = await owner.read(buffer).catch(() => null);
    return read === null ? "closed" : new TextDecoder().decode(buffer.subarray(0, read)).split("\r\n")[0];
  };
  try {
    await owner.write(new TextEncoder().encode(ask));
    assertEquals(await answerOf(), "HTTP/1.1 200 OK");
    // Reset by another process, all at once: most are reset before this one's accept loop comes to them.
    const resetter = await new Deno.Command(Deno.execPath(), {
      args: ["eval", `${resetConnections}; await resetConnections(${server.port}, 500);`],
      stdout: "null",
    }).output();
    assert(resetter.success, new TextDecoder().decode(resetter.stderr));
    const started = performance.now();
    const next = await fetch(`http://127.0.0.1:${server.port}/`, {
      headers: { connection: "close" },
      signal: AbortSignal.timeout(15_000),
    });
    assertEquals(await next.text(), "ok");
    const ms = performance.now() - started;
    assert(ms < 1000, `the next connection was answered after ${ms.toFixed(0)} ms`);
    await owner.write(new TextEncoder().encode(ask)).catch(() => {});
    assertEquals(await answerOf(), "HTTP/1.1 200 OK", "the owner's idle connection is still open");
  } finally {
    owner.close();
  }
});

Deno.test("the API hands a kept report and a dashboard file to each request as the same bytes, not a copy per request", async () => {
  const report = { runId: "20261207T000000Z-abcdef", status: "ok", clusters: [] } as unknown as RunReport;
  const runner = {
    name: "skills",
    running: false,
    reports: () => [report],
    history: () => Promise.resolve([]),
  } as unknown as RepositoryRunner;
  const app = apiApp({
    runners: [runner],
    version: "0.0.0-test",
    rateLimit: { burst: 100, perSecond: 100 },
    secrets: [],
  });
  for (const path of [`/api/repositories/skills/runs/${report.runId}`, "/dashboard/vendor/uplot.mjs"]) {
    const answers = [];
    for (let i = 0; i < 2; i++) {
      const answer = await app.request(path, { headers: { host: "127.0.0.1:8787" } }, { remote: "127.0.0.1" });
      assertEquals(answer.status, 200, path);
      const reader = answer.body!.getReader();
      const { value } = await reader.read();
      await reader.cancel();
      answers.push({ bytes: value!, length: answer.headers.get("content-length") });
    }
    const [first, second] = answers;
    assert(first!.bytes.buffer === second!.bytes.buffer, `${path}: each request got a copy`);
    assertEquals(first!.length, String(first!.bytes.length), `${path}: the whole answer, its length announced`);
  }
});
