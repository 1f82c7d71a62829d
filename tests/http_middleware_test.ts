/**
 * The pieces `serve` and the Deploy entry guard their HTTP with, each on its own: the token comparison, the
 * connection guard and cap, the middleware, and the cron job's name.
 */

import { Hono } from "hono";
import { getLogger } from "@logtape/logtape";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { bearerMatches } from "../src/bearer_token.ts";
import { ConfigError } from "../src/config.ts";
import { Secret } from "../src/secret.ts";
import { ConnectionGuard, MAX_REQUESTS_IN_PROGRESS } from "../src/serve/connection_guard.ts";
import { connectionCap } from "../src/serve/connection_cap.ts";
import { rateLimiter } from "../src/serve/rate_limit.ts";
import { authenticate, type AuthenticatedEnv, requireToken } from "../src/http/bearer_auth.ts";
import { internalError } from "../src/http/internal_error.ts";
import { limitRequests } from "../src/http/limit_requests.ts";
import { methodNotAllowed } from "../src/http/method_not_allowed.ts";
import { cronJobName } from "../src/scheduler.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import { UsageError } from "../src/usage_error.ts";
import { deployment } from "../src/deploy/deployment.ts";
import { systemClock } from "../src/clock.ts";

Deno.test("bearerMatches compares two digests of equal length in constant time, whatever the lengths of the token and the guess", () => {
  const token = new Secret("a-token-of-twenty-four-ch");
  const compared: Array<[number, number]> = [];
  const spy = (given: Uint8Array, expected: Uint8Array) => {
    compared.push([given.length, expected.length]);
    return given.every((byte, i) => byte === expected[i]);
  };
  const guesses = [
    undefined,
    "",
    "Bearer a",
    "Bearer a-token",
    `Bearer ${token.reveal()}x`,
    `Bearer ${"z".repeat(500)}`,
  ];
  for (const guess of guesses) assertEquals(bearerMatches(guess, token, { compare: spy }), false, String(guess));
  assertEquals(bearerMatches(`Bearer ${token.reveal()}`, token, { compare: spy }), true);
  assertEquals(compared.length, guesses.length + 1, "every guess is compared, none refused early by its length");
  assert(compared.every(([given, expected]) => given === 32 && expected === 32), JSON.stringify(compared));
});

/** A guard on a clock the test sets, and connections that note their closing by name. */
function guardedConnections(
  maxConnections: number,
  timeouts = { headerTimeoutMs: 10_000, inactivityTimeoutMs: 60_000 },
) {
  const clock = { time: 0 };
  const guard = new ConnectionGuard({ maxConnections, ...timeouts, now: () => clock.time });
  const closed: string[] = [];
  const connection = (name: string) => ({ name, close: () => closed.push(name) });
  return { clock, guard, closed, connection };
}

Deno.test("at the cap the connection idle longest is evicted, never one with a request in progress; when all are busy the newcomer is refused", () => {
  const { clock, guard, closed, connection } = guardedConnections(3);
  const [busy, oldIdle, newIdle] = [connection("busy"), connection("old idle"), connection("new idle")];
  guard.admit(busy);
  clock.time = 1;
  guard.admit(oldIdle);
  clock.time = 2;
  guard.admit(newIdle);
  guard.requestStarted(busy);
  guard.active(oldIdle); // Trickled bytes do not make a connection less idle: it has sent no request.
  assertEquals(guard.admit(connection("owner")), true);
  assertEquals(closed, ["old idle"]);
  const full = guardedConnections(1);
  const only = full.connection("only");
  full.guard.admit(only);
  full.guard.requestStarted(only);
  assertEquals(full.guard.admit(full.connection("refused")), false);
  assertEquals(full.closed, ["refused"]);
});

Deno.test("at the cap a connection that was answered well is evicted only after every connection that never was", () => {
  const { clock, guard, closed, connection } = guardedConnections(3);
  const [owner, refused, silent] = [connection("owner"), connection("refused"), connection("silent")];
  for (const each of [owner, refused]) {
    guard.admit(each);
    guard.requestStarted(each);
  }
  guard.requestFinished(owner, 200);
  guard.requestFinished(refused, 429);
  clock.time = 1;
  guard.admit(silent);
  guard.admit(connection("newcomer 1"));
  guard.admit(connection("newcomer 2"));
  assertEquals(closed, ["refused", "silent"]);
  guard.admit(connection("newcomer 3"));
  assertEquals(closed, ["refused", "silent", "newcomer 1"], "the owner's kept connection outlasts the newcomers");
});

Deno.test("the guard closes a connection without a complete request after the header timeout, and a request that moves no byte after the inactivity timeout", () => {
  const { clock, guard, closed, connection } = guardedConnections(10, { headerTimeoutMs: 10, inactivityTimeoutMs: 60 });
  const [trickler, answered, stalled, streaming] = ["trickler", "answered", "stalled", "streaming"].map(connection);
  for (const each of [trickler!, answered!, stalled!, streaming!]) guard.admit(each);
  for (const each of [answered!, stalled!, streaming!]) guard.requestStarted(each);
  clock.time = 5;
  guard.requestFinished(answered!, 200);
  clock.time = 11;
  guard.active(trickler!);
  assertEquals(guard.sweep(), 1);
  assertEquals(closed, ["trickler"]);
  clock.time = 14;
  assertEquals(guard.sweep(), 0, "answered at 5: idle for 9 only");
  clock.time = 50;
  guard.active(streaming!);
  clock.time = 70;
  guard.sweep();
  assertEquals(closed, ["trickler", "answered", "stalled"]);
  assertEquals(guard.size, 1);
});

Deno.test("at the cap with no connection idle, a stranger's request stalled for a second is closed, the one stalled longest first; the owner's requests never are", () => {
  const { clock, guard, closed, connection } = guardedConnections(4);
  const [owner, reading, stalled, stalledLonger] = ["owner", "reading", "stalled", "stalled longer"].map(connection);
  for (const each of [owner!, reading!, stalled!, stalledLonger!]) guard.admit(each);
  guard.requestStarted(owner!, true);
  for (const each of [reading!, stalled!, stalledLonger!]) guard.requestStarted(each);
  clock.time = 500;
  guard.active(stalled!);
  guard.active(reading!);
  clock.time = 1200;
  guard.active(reading!);
  const newcomer = connection("newcomer 1");
  assertEquals(guard.admit(newcomer), true);
  assertEquals(closed, ["stalled longer"], "owner stalled since 0 too, but is the owner's");
  guard.requestStarted(newcomer);
  clock.time = 1400;
  assertEquals(guard.admit(connection("newcomer 2")), false, "stalled for 900 ms only: still moving");
  clock.time = 1600;
  assertEquals(guard.admit(connection("newcomer 3")), true);
  assertEquals(closed, ["stalled longer", "newcomer 2", "stalled"]);
});

Deno.test("at the cap the owner's idle connection is closed only after every stranger's idle one and stalled request", () => {
  const { clock, guard, closed, connection } = guardedConnections(3);
  const [owner, stranger, stalled] = [connection("owner"), connection("stranger"), connection("stalled")];
  for (const each of [owner, stranger, stalled]) {
    guard.admit(each);
    guard.requestStarted(each, each === owner);
  }
  guard.requestFinished(owner, 200);
  guard.requestFinished(stranger, 200);
  clock.time = 2000;
  for (const name of ["newcomer 1", "newcomer 2", "newcomer 3"]) {
    const newcomer = connection(name);
    assertEquals(guard.admit(newcomer), true, name);
    guard.requestStarted(newcomer);
  }
  assertEquals(closed, ["stranger", "stalled", "owner"]);
  assertEquals(guard.admit(connection("newcomer 4")), false, "every request in progress is moving");
});

Deno.test("a connection with more requests in progress than the limit is closed, and its requests past the limit are refused", () => {
  const { guard, closed, connection } = guardedConnections(2);
  const pipeliner = connection("pipeliner");
  guard.admit(pipeliner);
  const allowed = Array.from({ length: MAX_REQUESTS_IN_PROGRESS + 3 }, () => guard.requestStarted(pipeliner));
  assertEquals(allowed.filter(Boolean).length, MAX_REQUESTS_IN_PROGRESS);
  assertEquals(closed, ["pipeliner"]);
  assertEquals(guard.size, 0);
});

Deno.test("out of descriptors, the cap drops to half the connections open (never below 16) and those over it are closed as at the cap", () => {
  const { guard, closed, connection } = guardedConnections(512);
  const open = Array.from({ length: 100 }, (_, i) => connection(`c${i}`));
  for (const each of open) guard.admit(each);
  for (const each of open.slice(0, 60)) guard.requestStarted(each, true);
  assertEquals(guard.outOfDescriptors(), 50);
  assertEquals(closed, open.slice(60).map((each) => each.name), "the idle ones; the owner's requests in progress stay");
  assertEquals(guard.size, 60);
  assertEquals(guard.admit(connection("newcomer")), false, "over the new cap, with every request the owner's");
  for (const each of open.slice(0, 60)) guard.requestFinished(each, 200);
  for (let i = 0; i < 5; i++) guard.outOfDescriptors();
  assertEquals([guard.maxConnections, guard.size], [16, 16]);
});

Deno.test("the connection cap stays under the limit on open files, leaving the heartbeat its own descriptors", () => {
  assertEquals(connectionCap(undefined, undefined), 512);
  assertEquals(connectionCap(undefined, 1024), 512);
  assertEquals(connectionCap(undefined, 256), 128);
  assertEquals(connectionCap(700, 1024), 700);
  assertEquals(connectionCap(5000, undefined), 5000);
  const refused = assertThrows(() => connectionCap(900, 1024), ConfigError);
  assertStringIncludes(refused.message, "--max-connections 900 is more than the 768 connections");
});

Deno.test("an unauthenticated flood counts against strangers only: the owner's token keeps its own rate limit", async () => {
  const token = new Secret("the-owners-token-0123456789");
  const app = new Hono<AuthenticatedEnv>();
  app.use(authenticate(token));
  app.use(
    limitRequests<AuthenticatedEnv>(rateLimiter({ burst: 5, perSecond: 0.001 }), (c) => String(c.var.authenticated)),
  );
  app.get("/api", requireToken({ realm: "test", variable: "TOKEN" }), (c) => c.text("ok"));
  const statuses = async (count: number, authorization?: string) => {
    const found = [];
    for (let i = 0; i < count; i++) {
      found.push((await app.request("/api", { headers: authorization ? { authorization } : {} })).status);
    }
    return found;
  };
  assertEquals(await statuses(8), [401, 401, 401, 401, 401, 429, 429, 429]);
  assertEquals(await statuses(5, `Bearer ${token.reveal()}`), [200, 200, 200, 200, 200]);
});

Deno.test("a path that exists with another method answers 405 with Allow; one that does not, 404", async () => {
  const app = new Hono();
  app.get("/runs", (c) => c.text("list"));
  app.post("/runs", (c) => c.text("started"));
  app.post("/runs/:id/decision", (c) => c.text("decided"));
  app.notFound(methodNotAllowed(app, (c) => c.json({ error: "not found" }, 404)));
  const deleted = await app.request("/runs", { method: "DELETE" });
  assertEquals([deleted.status, deleted.headers.get("allow")], [405, "GET, HEAD, POST"]);
  const got = await app.request("/runs/r1/decision");
  assertEquals([got.status, got.headers.get("allow")], [405, "POST"]);
  assertEquals((await app.request("/nothing")).status, 404);
});

Deno.test("a handler's error answers a generic 500 that holds neither its message nor a path", async () => {
  const app = new Hono();
  app.get("/fails", () => {
    throw new Error("ENOENT: /opt/clawstr-heartbeat/src/serve/dashboard/constructor");
  });
  app.onError(internalError(getLogger(["test"])));
  const answer = await app.request("/fails");
  assertEquals(answer.status, 500);
  assertEquals(await answer.json(), { error: "internal error" });
});

Deno.test("the Deploy entry answers 405 with Allow for a wrong method, and a generic 404 elsewhere", async () => {
  using app = deployment({ env: { GIT_TOKEN: "x" }, version: "0.0.0-test", clock: systemClock });
  const wrong = await app.fetch(new Request("http://deploy.invalid/run"));
  assertEquals([wrong.status, wrong.headers.get("allow")], [405, "POST"]);
  await wrong.body?.cancel();
  const health = await app.fetch(new Request("http://deploy.invalid/health", { method: "POST" }));
  assertEquals([health.status, health.headers.get("allow")], [405, "GET, HEAD"]);
  await health.body?.cancel();
  const missing = await app.fetch(new Request("http://deploy.invalid/constructor"));
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("a cron job's name is made of what Deno.cron takes, and stays unique", () => {
  const taken = new Set<string>();
  for (const name of ["clawstr-heartbeat-my.skills", "clawstr-heartbeat-my-skills", "clawstr-heartbeat-tmp.XYZ"]) {
    taken.add(cronJobName(name, taken));
  }
  assertEquals([...taken], [
    "clawstr-heartbeat-my-skills",
    "clawstr-heartbeat-my-skills-2",
    "clawstr-heartbeat-tmp-XYZ",
  ]);
  const long = cronJobName(`clawstr-heartbeat-${"ü".repeat(100)}`, taken);
  assert(long.length <= 64 && /^[A-Za-z0-9 _-]+$/.test(long), long);
});

Deno.test("serve's --max-connections takes a whole number of connections, 1 or more", () => {
  const serve = parseCommandLine(["serve", "--max-connections", "64"]);
  assertEquals(serve.name === "serve" && serve.options.maxConnections, 64);
  const byDefault = parseCommandLine(["serve"]);
  assertEquals(byDefault.name === "serve" && byDefault.options.maxConnections, undefined);
  for (const bad of ["0", "-3", "1.5", "many", ""]) {
    assertThrows(() => parseCommandLine(["serve", "--max-connections", bad]), UsageError, "--max-connections");
  }
});
