import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startGitServer } from "./git_http_server.ts";
import { deployment } from "../src/deploy/deployment.ts";
import { systemClock } from "../src/clock.ts";
import { commitRepository, git, PROJECT_ROOT, tempDir, tempRepo } from "./utils.ts";

const TOKEN = "deploy-test-token-4711";
const ADMIN = "deploy-admin-token-0815";

/** A free loopback port. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Asks the entry's server until it answers. */
async function waitForServer(url: string, child: Deno.ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await (await fetch(url)).body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill();
  throw new Error("the Deploy entry did not start listening");
}

Deno.test("the Deno Deploy entry answers its health check and runs two heartbeats over HTTPS-style git with a token, the second rebased past a push it raced", async () => {
  await using root = await tempDir();
  await using skills = await tempRepo();
  const bare = join(root.path, "skills.git");
  await commitRepository(skills.path, bare);
  let raced = false;
  await using server = startGitServer({
    root: root.path,
    token: TOKEN,
    // The second heartbeat's push races a push of the owner's (a note beside the skills, nothing it changed).
    beforePush: async (push) => {
      if (push !== 2 || raced) return;
      raced = true;
      await git(skills.path, "pull", "-q", bare, "main");
      await Deno.writeTextFile(join(skills.path, "NOTES.md"), "The owner's notes.\n");
      await git(skills.path, "add", "NOTES.md");
      await git(skills.path, "commit", "-q", "-m", "owner's notes");
      await git(skills.path, "push", "-q", bare, "HEAD:main");
    },
  });
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), join(PROJECT_ROOT, "deploy.ts")],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? root.path,
      NO_COLOR: "1",
      PORT: String(port),
      SKILLS_REPOSITORY: server.url("skills.git"),
      GIT_TOKEN: TOKEN,
      HEARTBEAT_ADMIN_TOKEN: ADMIN,
      HEARTBEAT_KV_PATH: join(root.path, "state.kv"),
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  try {
    await waitForServer(`${base}/health`, child);
    const waiting = await fetch(`${base}/health`);
    assertEquals(waiting.status, 200);
    const before = await waiting.json();
    assertEquals([before.program, before.status, before.problems], ["clawstr-heartbeat", "waiting", []]);

    const refused = await fetch(`${base}/run`, { method: "POST", headers: { authorization: "Bearer wrong" } });
    assertEquals(refused.status, 401);
    await refused.body?.cancel();

    const run = () => fetch(`${base}/run`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
    const first = await run();
    const firstText = await first.text();
    assertEquals(first.status, 200, firstText);
    assert(!firstText.includes(TOKEN) && !firstText.includes(ADMIN), "no token in the answer");
    const firstReport = JSON.parse(firstText).outcomes[0].report;
    assertEquals(firstReport.status, "ok");
    assert(firstReport.consolidation.merged.length > 0, "the bundled skills hold duplicates");
    assertEquals([firstReport.publishing.committed, firstReport.publishing.pushed], [true, true]);

    // The owner adds a copy of a skill; the next heartbeat merges it.
    await git(skills.path, "pull", "-q", bare, "main");
    await Deno.copyFile(join(skills.path, "skills/freshrss.md"), join(skills.path, "skills/freshrss-copy.md"));
    await git(skills.path, "add", "-A");
    await git(skills.path, "commit", "-q", "-m", "a copy of freshrss");
    await git(skills.path, "push", "-q", bare, "HEAD:main");

    const second = await run();
    const secondReport = JSON.parse(await second.text()).outcomes[0].report;
    assertEquals(secondReport.status, "ok", JSON.stringify(secondReport.publishing));
    assertEquals([secondReport.publishing.committed, secondReport.publishing.pushed], [true, true]);
    assert(raced, "the owner's push raced the heartbeat's");

    const log = (await git(bare, "log", "--format=%s", "main")).trim().split("\n");
    assertEquals(log.length, 5, log.join("\n"));
    assertStringIncludes(log[0]!, "clawstr-heartbeat: merge");
    assertEquals(log.slice(1, 3), ["owner's notes", "a copy of freshrss"]);
    assertStringIncludes(log[3]!, "clawstr-heartbeat: merge");
    const tree = await git(bare, "ls-tree", "-r", "--name-only", "main");
    assert(!tree.includes("skills/freshrss-copy.md"), "the copy was merged and archived");
    assertStringIncludes(tree, "NOTES.md");

    const after = await (await fetch(`${base}/health`)).json();
    assertEquals([after.status, after.repositories[0].lastRun.status], ["ok", "ok"]);
  } finally {
    child.kill();
    await child.status;
    const [stdout, stderr] = await output;
    for (const text of [stdout, stderr]) assert(!text.includes(TOKEN) && !text.includes(ADMIN), "no token in the log");
  }
});

Deno.test("a cron tick queues one message per repository; the queue runs each once, and a repeated message in the same slot runs nothing", async () => {
  await using root = await tempDir();
  for (const name of ["alpha", "beta"]) {
    await using skills = await tempRepo();
    await commitRepository(skills.path, join(root.path, `${name}.git`));
  }
  await using server = startGitServer({ root: root.path, token: TOKEN });
  const outcomes: Array<[string, string]> = [];
  using app = deployment({
    env: {
      SKILLS_REPOSITORY: `${server.url("alpha.git")}, ${server.url("beta.git")}`,
      GIT_TOKEN: TOKEN,
      HEARTBEAT_KV_PATH: join(root.path, "deploy.kv"),
    },
    version: "0.0.0-test",
    clock: systemClock,
    onOutcome: (repository, outcome) => outcomes.push([repository, outcome.status]),
  });
  assertEquals(app.cron, "0 */6 * * *");
  const listening = app.listen();
  const until = async (count: number) => {
    for (let i = 0; i < 600 && outcomes.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return outcomes.slice().sort();
  };
  assertEquals(await app.tick(), ["alpha", "beta"]);
  assertEquals(await until(2), [["alpha", "ran"], ["beta", "ran"]]);
  for (const name of ["alpha", "beta"]) {
    assertStringIncludes(
      await git(join(root.path, `${name}.git`), "log", "-1", "--format=%s", "main"),
      "clawstr-heartbeat: merge",
    );
  }
  // At least once: the same slot's messages again (a second tick, or a redelivery) run nothing.
  await app.tick();
  assertEquals((await until(4)).filter(([, status]) => status === "not-due").length, 2);
  const health = await (await app.fetch(new Request("http://deploy.invalid/health"))).json();
  assertEquals(health.repositories.map((r: { name: string; status: string }) => [r.name, r.status]), [["alpha", "ok"], [
    "beta",
    "ok",
  ]]);
  app[Symbol.dispose]();
  await listening.catch(() => {});
});

Deno.test("without its variables the Deploy entry reports itself misconfigured, naming each one, and runs nothing", async () => {
  using app = deployment({ env: { GIT_TOKEN: "x" }, version: "0.0.0-test", clock: systemClock });
  const health = await app.fetch(new Request("http://deploy.invalid/health"));
  assertEquals(health.status, 503);
  const body = await health.json();
  assertEquals(body.status, "misconfigured");
  assertStringIncludes(body.problems.join("\n"), "SKILLS_REPOSITORY is not set");
  assertEquals(await app.tick(), [], "nothing is queued");
  const run = await app.fetch(new Request("http://deploy.invalid/run", { method: "POST" }));
  assertEquals(run.status, 404, "POST /run is off without HEARTBEAT_ADMIN_TOKEN");
  await run.body?.cancel();
});
