import { basename } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PROPOSED_PAIR, repositoryWithProposal, SERVE_TOKEN, settledRuns, startServe } from "./serve_harness.ts";
import { runCli } from "./utils.ts";

Deno.test("serve asks every API request for the token: none, a wrong one and one without the Bearer scheme get 401, the health probe needs none", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push"]);
  const none = await server.api("/api/repositories", { token: null });
  assertEquals(none.status, 401);
  assertStringIncludes((await none.json()).error, "bearer token");
  const wrong = await server.api("/api/repositories", { token: `${SERVE_TOKEN}x` });
  assertEquals(wrong.status, 401);
  await wrong.body?.cancel();
  // The token alone, without "Bearer", is not the scheme asked for.
  const bare = await fetch(`${server.base}/api/repositories`, { headers: { authorization: SERVE_TOKEN } });
  assertEquals(bare.status, 401);
  await bare.body?.cancel();
  const right = await server.api("/api/repositories");
  assertEquals(right.status, 200);
  assertEquals((await right.json()).map((r: { name: string }) => r.name), [basename(repo.path)]);
  const health = await server.api("/health", { token: null });
  assertEquals(health.status, 200);
  assertEquals((await health.json()).program, "clawstr-heartbeat");
  const text = await server.stderr();
  assert(!text.includes(SERVE_TOKEN), "the token is never printed");
});

Deno.test("every endpoint answers the last run: runs, one report, clusters with diffs, reviews, skills, quarantine and status; bad input gets a 4xx", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const name = basename(repo.path);
  const [run] = await settledRuns(server, name);
  assertEquals(run!.status, "ok");
  const get = async (path: string) => {
    const response = await server.api(`/api/repositories/${name}${path}`);
    assertEquals(response.status, 200, path);
    return await response.json();
  };
  const report = await get(`/runs/${run!.runId}`);
  assertEquals(report.runId, run!.runId);
  assert(typeof report.timings.total === "number");
  // Kept answers are encoded once and sent again whole: a second answer is the first.
  assertEquals(await get(`/runs/${run!.runId}`), report);
  const clusters = await get("/clusters");
  assert(clusters.clusters.length > 0);
  assert(
    clusters.merged.some((merge: { diff?: string }) => merge.diff?.includes("+++ b/skills/")),
    "a dry run's diffs",
  );
  const reviews = (await get("/reviews")).proposals;
  assertEquals(reviews.map((proposal: { members: string[] }) => proposal.members), [PROPOSED_PAIR]);
  const firstCluster = await get("/clusters?limit=1");
  assertEquals([firstCluster.total, firstCluster.clusters.length], [clusters.total, 1]);
  for (const query of ["limit=-1", "limit=5000", "offset=x"]) {
    const response = await server.api(`/api/repositories/${name}/clusters?${query}`);
    assertEquals(response.status, 400, query);
    await response.body?.cancel();
  }
  const skills = await get("/skills");
  assert(skills.found > 0);
  assert(Array.isArray(await get("/quarantine")));
  const status = await get("/status");
  assertEquals(status.git.status, "ok");

  const missing = [
    ["/api/repositories/nowhere/runs", 404],
    [`/api/repositories/${name}/runs/not-a-run`, 404],
    ["/api/nothing", 404],
  ] as const;
  for (const [path, code] of missing) {
    const response = await server.api(path);
    assertEquals(response.status, code, path);
    assert(typeof (await response.json()).error === "string");
  }
  const id = reviews[0].id;
  const badBodies = ["not json", JSON.stringify({ decision: "maybe" }), JSON.stringify([])];
  for (const body of badBodies) {
    const response = await server.api(`/api/repositories/${name}/reviews/${id}`, { method: "POST", body });
    assertEquals(response.status, 400, body);
    await response.body?.cancel();
  }
  const unknown = await server.api(`/api/repositories/${name}/reviews/r00000000`, {
    method: "POST",
    body: JSON.stringify({ decision: "approve" }),
  });
  assertEquals(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("twenty concurrent requests to run start exactly one run; the rest get 409", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push"]);
  const name = basename(repo.path);
  await settledRuns(server, name);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => server.api(`/api/repositories/${name}/runs`, { method: "POST" })),
  );
  const codes = answers.map((answer) => answer.status).sort();
  await Promise.all(answers.map((answer) => answer.body?.cancel()));
  assertEquals(codes, [202, ...Array(19).fill(409)]);
  const runs = await settledRuns(server, name, 2);
  assertEquals(runs.length, 2, "the start's run and exactly one more");
});

Deno.test("an approval through the API reaches the next run, which merges the pair and leaves nothing waiting for review", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push"]);
  const name = basename(repo.path);
  await settledRuns(server, name);
  const [proposal] = (await (await server.api(`/api/repositories/${name}/reviews`)).json()).proposals;
  const approved = await server.api(`/api/repositories/${name}/reviews/${proposal.id}`, {
    method: "POST",
    body: JSON.stringify({ decision: "approve" }),
  });
  assertEquals(approved.status, 200);
  assertEquals((await approved.json()).decision, "approved");
  assertEquals((await server.api(`/api/repositories/${name}/runs`, { method: "POST" })).status, 202);
  const [latest] = await settledRuns(server, name, 2);
  const report = await (await server.api(`/api/repositories/${name}/runs/${latest!.runId}`)).json();
  const merged = report.consolidation.merged.find((merge: { members: string[] }) =>
    PROPOSED_PAIR.every((path) => merge.members.includes(path))
  );
  assert(merged, "the approved pair was merged by the next run");
  assertEquals((await (await server.api(`/api/repositories/${name}/reviews`)).json()).proposals, []);
});

Deno.test("a web page of another origin may change nothing, and without a token only a loopback host name is answered", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"], { HEARTBEAT_TOKEN: "" });
  const name = basename(repo.path);
  await settledRuns(server, name);
  const crossSite = await server.api(`/api/repositories/${name}/runs`, {
    method: "POST",
    token: null,
    headers: { origin: "https://evil.example" },
  });
  assertEquals(crossSite.status, 403);
  await crossSite.body?.cancel();
  // fetch sets Host itself: a page at a DNS name rebound to 127.0.0.1 is spoken for by hand.
  const { port } = new URL(server.base);
  const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await connection.write(
    new TextEncoder().encode("GET /api/repositories HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
  );
  const rebound = await new Response(connection.readable).text();
  assertStringIncludes(rebound.split("\r\n")[0]!, " 403 ", "a DNS name rebound to 127.0.0.1 is refused");
  const local = await server.api("/api/repositories", { token: null });
  assertEquals(local.status, 200, "the owner's own browser and scripts on this machine are answered");
  await local.body?.cancel();
  const sameOrigin = await server.api(`/api/repositories/${name}/runs`, {
    method: "POST",
    token: null,
    headers: { origin: server.base },
  });
  assertEquals(sameOrigin.status, 202);
  await sameOrigin.body?.cancel();
});

Deno.test("a client over the rate limit gets 429 with Retry-After", async () => {
  await using repo = await repositoryWithProposal();
  await using server = await startServe(repo.path, ["--no-push", "--dry-run"]);
  const codes: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 100; i++) {
    const response = await server.api("/health", { token: null });
    codes.push(response.status);
    if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
    await response.body?.cancel();
  }
  assert(codes.includes(200) && codes.includes(429), String(codes));
  assert(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
});

Deno.test("serve refuses a non-loopback address without a token, and a short token", async () => {
  await using repo = await repositoryWithProposal();
  const open = await runCli(["serve", "--hostname", "0.0.0.0"], { cwd: repo.path });
  assertEquals(open.code, 2);
  assertStringIncludes(
    open.stderr,
    "is not a loopback address: set HEARTBEAT_TOKEN (in the environment or .env) first",
  );
  const short = await runCli(["serve"], { cwd: repo.path, env: { HEARTBEAT_TOKEN: "short" } });
  assertEquals(short.code, 2);
  assertStringIncludes(short.stderr, "HEARTBEAT_TOKEN must be at least 16 characters long");
});
