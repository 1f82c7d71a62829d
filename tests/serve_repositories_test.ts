import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { settledRuns, startServe } from "./serve_harness.ts";
import { commitRepository, git, optIn, tempDir, writeTree } from "./utils.ts";
import { BACKGROUND } from "./fixtures/libraries.ts";

/** A git server that accepts connections and answers nothing for `holdMs`, then hangs up: a slow remote. */
function startSilentServer(holdMs: number): AsyncDisposable & { url: string } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const connection of listener) {
      open.add(connection);
      setTimeout(() => {
        open.delete(connection);
        connection.close();
      }, holdMs);
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/skills.git`,
    [Symbol.asyncDispose]: async () => {
      listener.close();
      for (const connection of open) connection.close();
      await Promise.resolve();
    },
  };
}

/** Three opted-in repositories below `parent`, each with a duplicate to merge and push, and the remote given. */
async function repositories(parent: string, remotes: Record<string, string>): Promise<void> {
  const [path, text] = Object.entries(BACKGROUND)[0]!;
  for (const [name, remote] of Object.entries(remotes)) {
    const repo = join(parent, name);
    await writeTree(repo, { ...BACKGROUND, [path.replace(/\.md$/, "-copy.md")]: text });
    await optIn(repo);
    await commitRepository(repo);
    await git(repo, "remote", "add", "origin", remote);
  }
}

Deno.test("of three repositories served together, one with a broken remote and one with a slow one, the healthy one completes on time", async () => {
  await using parent = await tempDir();
  await using slow = startSilentServer(8000);
  const bare = join(parent.path, "remote.git");
  await git(parent.path, "init", "-q", "--bare", "-b", "main", bare);
  await repositories(parent.path, {
    healthy: bare,
    broken: join(parent.path, "no-such-remote.git"),
    slow: slow.url,
  });
  const started = Date.now();
  await using server = await startServe(parent.path, ["healthy", "broken", "slow"]);
  const [healthy] = await settledRuns(server, "healthy");
  const [broken] = await settledRuns(server, "broken");
  const healthyAfter = Date.now() - started;
  const listing = await (await server.api("/api/repositories")).json();
  const slowState = listing.find((repository: { name: string }) => repository.name === "slow");
  const publishing = async (name: string, runId: string) =>
    (await (await server.api(`/api/repositories/${name}/runs/${runId}`)).json()).publishing;
  assertEquals((await publishing("healthy", healthy!.runId)).pushed, true);
  const brokenPush = await publishing("broken", broken!.runId);
  assertEquals([brokenPush.status, brokenPush.committed, brokenPush.pushed], ["failed", true, false]);
  assert(slowState.running, "the slow repository is still pushing");
  assert(healthyAfter < 8000, `the healthy repository finished after ${healthyAfter} ms, not held up by the slow one`);
  assertEquals(
    (await git(bare, "log", "-1", "--format=%s", "main")).trim().startsWith("clawstr-heartbeat: merge"),
    true,
  );
  const [slowRun] = await settledRuns(server, "slow");
  assertEquals((await publishing("slow", slowRun!.runId)).pushed, false);
  const health = await (await server.api("/health", { token: null })).json();
  assertEquals(health.repositories.map((repository: { name: string }) => repository.name), [
    "healthy",
    "broken",
    "slow",
  ]);
});

Deno.test("with --watch, a burst of edits, additions and deletions makes exactly one run, and the next burst one more", async () => {
  await using parent = await tempDir();
  await repositories(parent.path, { library: join(parent.path, "remote.git") });
  await git(parent.path, "init", "-q", "--bare", "-b", "main", join(parent.path, "remote.git"));
  await using server = await startServe(parent.path, ["library", "--watch", "--no-push"]);
  assertEquals((await settledRuns(server, "library")).length, 1);
  // Quiet time for the start's own writes to pass unnoticed.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assertEquals((await settledRuns(server, "library")).length, 1, "the run's own writes start no run");

  const skills = join(parent.path, "library", "skills");
  const burst = async (n: number) => {
    await Deno.writeTextFile(
      join(skills, `added-${n}.md`),
      `---\nname: added-${n}\ndescription: Added ${n}.\n---\nBody.\n`,
    );
    await Deno.writeTextFile(
      join(skills, "calendar.md"),
      `---\nname: calendar\ndescription: Edited ${n}.\n---\nBody ${n}.\n`,
    );
    await Deno.remove(join(skills, n === 1 ? "spotify.md" : "translate.md"));
  };
  await burst(1);
  const afterFirst = await settledRunsAfterQuiet(server, 2);
  assertEquals(afterFirst.length, 2, "one run for the first burst");
  await burst(2);
  const afterSecond = await settledRunsAfterQuiet(server, 3);
  assertEquals(afterSecond.length, 3, "one more for the second");
  assertEquals(afterSecond.map((run) => run.status), ["ok", "ok", "ok"]);
});

/** The runs once `count` have finished and a further quiet spell brought no other. */
async function settledRunsAfterQuiet(server: Parameters<typeof settledRuns>[0], count: number) {
  await settledRuns(server, "library", count);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return await settledRuns(server, "library", count);
}
