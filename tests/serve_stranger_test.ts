/**
 * What a stranger on the network can do to `serve`, over real HTTP on loopback: hold connections open, trickle
 * headers, send a huge body, flood it without the token, probe prototype names and wrong methods. None of it may stop
 * the process, lock the owner out or leak a path.
 */

import { basename, join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { repositoryWithProposal, SERVE_TOKEN, settledRuns, startServe } from "./serve_harness.ts";
import { commitRepository, optIn, PROJECT_ROOT, runCli, tempDir, writeTree } from "./utils.ts";
import { BACKGROUND } from "./fixtures/libraries.ts";
import { HEADER_TIMEOUT_MS } from "../src/serve/http_server.ts";

/** systemd's default soft limit on open files, which `serve` must live within. */
const SYSTEMD_FILE_LIMIT = 1024;

/** Opens `count` connections to `base` that send nothing; each resolves `closed` when the server hangs up. */
async function idleConnections(base: string, count: number) {
  const { port } = new URL(base);
  const connections: Deno.Conn[] = [];
  const closed: Promise<number>[] = [];
  const opened = performance.now();
  for (let i = 0; i < count; i++) {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    connections.push(connection);
    closed.push((async () => {
      const buffer = new Uint8Array(1024);
      try {
        while ((await connection.read(buffer)) !== null);
      } catch {
        // Reset by the server: closed as well.
      }
      return performance.now() - opened;
    })());
  }
  return {
    connections,
    closed,
    [Symbol.dispose]() {
      for (const connection of connections) {
        try {
          connection.close();
        } catch {
          // Closed by the server.
        }
      }
    },
  };
}

/** The resident memory of a process, in MiB (by `ps`: reading another process's `/proc` needs every permission). */
async function residentMemory(pid: number): Promise<number> {
  const output = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).output();
  return Number(new TextDecoder().decode(output.stdout).trim()) / 1024;
}

/** Samples a process's resident memory while `during` runs; resolves with the most seen, in MiB. */
async function mostMemoryDuring(pid: number, during: () => Promise<void>): Promise<number> {
  let most = await residentMemory(pid);
  let done = false;
  const sampling = (async () => {
    while (!done) most = Math.max(most, await residentMemory(pid));
  })();
  try {
    await during();
  } finally {
    done = true;
    await sampling;
  }
  return Math.max(most, await residentMemory(pid));
}

/** The first line a connection answers. */
async function statusLine(connection: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(1024);
  let text = "";
  while (!text.includes("\r\n")) {
    const read = await connection.read(buffer).catch(() => null);
    if (read === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, read));
  }
  return text.split("\r\n")[0]!;
}

/** Times one request; its body is read whole. */
async function timed(request: () => Promise<Response>): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  const response = await request();
  const body = await response.text();
  return { status: response.status, ms: performance.now() - started, body };
}

Deno.test("serve under a limit of 1,024 open files keeps answering /health within a second and stays alive while 1,100 idle connections are held open", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"], {}, {
    fileLimit: SYSTEMD_FILE_LIMIT,
  });
  await settledRuns(server, basename(repo.path));
  using _held = await idleConnections(server.base, 1100);
  for (let attempt = 0; attempt < 3; attempt++) {
    const health = await timed(() => server.api("/health", { signal: AbortSignal.timeout(5000) }));
    assertEquals(health.status, 200);
    assert(health.ms < 1000, `/health took ${health.ms.toFixed(0)} ms`);
    const api = await timed(() => server.api("/api/repositories", { signal: AbortSignal.timeout(5000) }));
    assertEquals(api.status, 200);
    assert(api.ms < 1000, `/api/repositories took ${api.ms.toFixed(0)} ms`);
  }
  assertStringIncludes(await server.stderr(), "Heartbeat stopped", "it stopped when told to, not before");
});

Deno.test("under a limit of 256 open files, which serve's permissions cannot read, 400 idle connections held by a stranger make no run fail", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"], {}, { fileLimit: 256 });
  const name = basename(repo.path);
  await settledRuns(server, name);
  using _held = await idleConnections(server.base, 400);
  const started = await server.api(`/api/repositories/${name}/runs`, { method: "POST" });
  assertEquals(started.status, 202);
  await started.body?.cancel();
  const [run] = await settledRuns(server, name, 2);
  const report = await (await server.api(`/api/repositories/${name}/runs/${run!.runId}`)).json();
  assertEquals([run!.status, report.error], ["ok", undefined]);
  assertStringIncludes(await server.stderr(), "Out of file descriptors with");
});

Deno.test("a connection that trickles its headers, or sends nothing, is closed after the header timeout", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  using idle = await idleConnections(server.base, 10);
  using tricklers = await idleConnections(server.base, 10);
  const encoder = new TextEncoder();
  const trickle = async (text: string) => {
    for (const connection of tricklers.connections) await connection.write(encoder.encode(text)).catch(() => {});
  };
  await trickle("GET /health HTTP/1.1\r\n");
  const dripping = setInterval(() => trickle("X-Slow: 1\r\n"), 500);
  try {
    const deadline = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), HEADER_TIMEOUT_MS + 5000));
    const closedAfter = await Promise.race([Promise.all([...idle.closed, ...tricklers.closed]), deadline]);
    assert(closedAfter !== "open", `connections still open ${HEADER_TIMEOUT_MS + 5000} ms after they were opened`);
    const earliest = Math.min(...closedAfter);
    assert(earliest >= HEADER_TIMEOUT_MS - 1000, `closed after ${earliest.toFixed(0)} ms, before the timeout`);
  } finally {
    clearInterval(dripping);
  }
});

Deno.test("an oversized POST body is refused with 413 without being read whole: the server's memory barely moves", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const name = basename(repo.path);
  await settledRuns(server, name);
  const before = await residentMemory(server.pid);
  const bodyBytes = 256 * 1024 * 1024;
  const { port } = new URL(server.base);
  let sent = 0;
  let text = "";
  const most = await mostMemoryDuring(server.pid, async () => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    // A server that reads the whole body and answers late (or never) fails the test rather than hangs it.
    const deadline = setTimeout(() => connection.close(), 30_000);
    const answer = statusLine(connection);
    await connection.write(new TextEncoder().encode(
      `POST /api/repositories/${name}/reviews/r00000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${SERVE_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`,
    ));
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    try {
      for (; sent < bodyBytes; sent += chunk.length) await connection.write(chunk);
    } catch {
      // The server closed the connection: what it should do.
    }
    text = await answer;
    clearTimeout(deadline);
    try {
      connection.close();
    } catch {
      // Closed at the deadline.
    }
  });
  assertStringIncludes(text, " 413 ");
  assert(sent < bodyBytes, "the server closed the connection rather than read the whole body");
  assert(most - before < 64, `resident memory grew by ${(most - before).toFixed(0)} MiB`);
  const chunked = await server.api(`/api/repositories/${name}/reviews/r00000000`, {
    method: "POST",
    body: new Blob([new Uint8Array(64 * 1024).fill(0x20)]).stream(),
    duplex: "half",
  } as RequestInit);
  assertEquals(chunked.status, 413, "a streamed body is cut off at the limit too");
  await chunked.body?.cancel();
});

Deno.test("a stranger pipelining two thousand requests on each of 50 connections moves serve's memory by under 100 MiB, and the owner is answered within a second", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  await settledRuns(server, basename(repo.path));
  const { port } = new URL(server.base);
  const flood = new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(2000));
  const before = await residentMemory(server.pid);
  let owner = { status: 0, ms: Infinity, body: "" };
  const most = await mostMemoryDuring(server.pid, async () => {
    const connections: Deno.Conn[] = [];
    for (let i = 0; i < 50; i++) {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      connection.write(flood).catch(() => {});
      connections.push(connection);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    owner = await timed(() => server.api("/api/repositories", { signal: AbortSignal.timeout(5000) }))
      .catch((error) => ({ status: 0, ms: Infinity, body: String(error) }));
    for (const connection of connections) {
      try {
        connection.close();
      } catch {
        // Closed by the server.
      }
    }
  });
  assertEquals(owner.status, 200, owner.body);
  assert(owner.ms < 1000, `the owner's request took ${owner.ms.toFixed(0)} ms`);
  assert(most - before < 100, `resident memory grew by ${(most - before).toFixed(0)} MiB`);
});

Deno.test("a repository whose folder's name holds a dot (my.skills) is served under that name and its heartbeat loop runs", async () => {
  await using parent = await tempDir();
  const repo = join(parent.path, "my.skills");
  await writeTree(repo, BACKGROUND);
  await optIn(repo);
  await commitRepository(repo);
  await using server = await startServe(parent.path, ["my.skills", "--no-push", "--dry-run"]);
  const [run] = await settledRuns(server, "my.skills");
  assertEquals(run!.status, "ok");
  const listing = await (await server.api("/api/repositories")).json();
  assertEquals(listing.map((repository: { name: string }) => repository.name), ["my.skills"]);
});

Deno.test("HEARTBEAT_TOKEN in .env protects the API: 401 without it, 200 with it", async () => {
  await using repo = await repositoryWithProposal();
  const token = "token-from-dot-env-2718281828";
  await Deno.writeTextFile(join(repo.path, ".env"), `HEARTBEAT_TOKEN=${token}\n`);
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"], { HEARTBEAT_TOKEN: null });
  const without = await server.api("/api/repositories", { token: null });
  assertEquals(without.status, 401);
  await without.body?.cancel();
  const withToken = await server.api("/api/repositories", { token });
  assertEquals(withToken.status, 200);
  await withToken.body?.cancel();
  assert(!(await server.stderr()).includes(token), "the token is never printed");
});

Deno.test("an unauthenticated flood does not rate-limit the owner's authenticated requests", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const flood = await Promise.all(
    Array.from(
      { length: 150 },
      (_, i) =>
        server.api(i % 2 ? "/api/repositories" : "/health", { token: i % 3 ? null : "wrong-token-of-some-length" })
          .then(async (response) => {
            await response.body?.cancel();
            return response.status;
          }),
    ),
  );
  assert(flood.includes(429), `the flood itself is limited: ${[...new Set(flood)]}`);
  for (let i = 0; i < 30; i++) {
    const owner = await server.api("/api/repositories");
    assertEquals(owner.status, 200, `the owner's request ${i + 1}`);
    await owner.body?.cancel();
  }
});

Deno.test("prototype names answer 404, and no answer holds the install's path or an error's message", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const name = basename(repo.path);
  const paths = [
    "/dashboard/constructor",
    "/dashboard/__proto__",
    "/dashboard/toString",
    "/dashboard/hasOwnProperty",
    "/api/repositories/constructor/runs",
    "/api/repositories/__proto__/runs",
    `/api/repositories/${name}/runs/constructor`,
    `/api/repositories/${name}/runs/__proto__`,
  ];
  for (const path of paths) {
    const answer = await server.api(path);
    const body = await answer.text();
    assertEquals(answer.status, 404, path);
    assert(!body.includes(PROJECT_ROOT) && !body.includes(repo.path), `${path} answered ${body}`);
  }
});

Deno.test("a wrong method answers 405 with Allow naming the methods the path has", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const name = basename(repo.path);
  const cases = [
    ["DELETE", `/api/repositories/${name}/runs`, "GET, HEAD, POST"],
    ["POST", "/health", "GET, HEAD"],
    ["PUT", "/dashboard/index.html", "GET, HEAD"],
    ["GET", `/api/repositories/${name}/reviews/r00000000`, "POST"],
  ] as const;
  for (const [method, path, allow] of cases) {
    const answer = await server.api(path, { method });
    assertEquals(answer.status, 405, `${method} ${path}`);
    assertEquals(answer.headers.get("allow"), allow, `${method} ${path}`);
    await answer.body?.cancel();
  }
});

Deno.test("an empty limit= or offset= answers 400, not an empty page", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const name = basename(repo.path);
  await settledRuns(server, name);
  for (const query of ["limit=", "offset=", "limit=%20"]) {
    const answer = await server.api(`/api/repositories/${name}/clusters?${query}`);
    assertEquals(answer.status, 400, query);
    await answer.body?.cancel();
  }
});

Deno.test("serve's refusals of an address are one line naming the flag and the fix, without a stack trace, exit 2", async () => {
  await using repo = await repositoryWithProposal();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const cases = [
    { args: ["--hostname", "0.0.0.0"], env: {}, says: "--hostname 0.0.0.0 is not a loopback address" },
    { args: ["--hostname", "10.0.0.1"], env: { HEARTBEAT_TOKEN: SERVE_TOKEN }, says: "--allow-net" },
    { args: ["--port", String(taken.addr.port)], env: { HEARTBEAT_TOKEN: SERVE_TOKEN }, says: "--port" },
  ];
  for (const { args, env, says } of cases) {
    const refused = await runCli(["serve", ...args], {
      cwd: repo.path,
      env,
      wrapper: ["sh", "-c", `ulimit -n ${SYSTEMD_FILE_LIMIT} && exec "$@"`, "sh"],
    });
    const lines = refused.stderr.trim().split("\n");
    assertEquals([refused.code, lines.length], [2, 1], `${args.join(" ")}: ${refused.stderr}`);
    assertStringIncludes(lines[0]!, says);
    assert(lines[0]!.startsWith("clawstr-heartbeat: "), lines[0]);
  }
});
