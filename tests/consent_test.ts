import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runCli, tempRepo } from "./utils.ts";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd, stderr: "null" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("a repository that has not opted in is never changed: every run is a dry run that says how to opt in", async () => {
  await using repo = await tempRepo(undefined, { optedIn: false });
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"]]) await git(repo.path, ...args);
  await git(repo.path, "-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-q", "-m", "skills");
  const head = await git(repo.path, "rev-parse", "HEAD");
  const result = await runCli(["--once"], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(
    result.stdout,
    "dry run: this repository has not opted in, so nothing changed; clawstr-heartbeat init opts in",
  );
  assertStringIncludes(result.stdout, "3 to merge");
  assertEquals(await git(repo.path, "rev-parse", "HEAD"), head);
  assertEquals(await git(repo.path, "status", "--porcelain", "--", "skills"), "");
  const json = JSON.parse((await runCli(["--once", "--json"], { cwd: repo.path })).stdout);
  assertEquals([json.dryRun, json.notOptedIn, json.consolidation.merged.length > 0], [true, true, true]);

  // heartbeat init writes and commits the settings; from then on the run merges and commits.
  const init = await runCli(["init"], { cwd: repo.path, env: { AGENT_NAME: "Keeper" } });
  assertEquals(init.code, 0, init.stderr);
  assertStringIncludes(init.stdout, "Opted in: wrote heartbeat.json and committed it.");
  const settings = JSON.parse(Deno.readTextFileSync(join(repo.path, "heartbeat.json")));
  assertEquals([settings.agentName, settings.pinned, settings.relays.length > 0], ["Keeper", [], true]);
  assertEquals(await git(repo.path, "log", "-1", "--format=%s"), "clawstr-heartbeat: opt in (heartbeat.json)");
  assertStringIncludes((await runCli(["init"], { cwd: repo.path })).stdout, "has opted in already; nothing changed");
  const run = JSON.parse((await runCli(["--once", "--no-push", "--json"], { cwd: repo.path })).stdout);
  assertEquals([run.dryRun, run.notOptedIn], [false, undefined]);
  assert(run.publishing.committed, run.publishing.reason);
});

Deno.test("a settings file that is not settings is one clear error naming the file and the key", async () => {
  await using repo = await tempRepo();
  Deno.writeTextFileSync(join(repo.path, "heartbeat.json"), '{ "pinned": "skills/a.md" }');
  const result = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, 'heartbeat.json: "pinned" must be a list of non-empty strings');
  Deno.writeTextFileSync(join(repo.path, "heartbeat.json"), '{ "thresholds": { "nearly": 0.5 } }');
  assertStringIncludes(
    (await runCli(["--once", "--dry-run"], { cwd: repo.path })).stderr,
    'unknown threshold "nearly"',
  );
});

Deno.test("an init whose commit a hook refuses leaves heartbeat.json written but not staged, so the next run can commit", async () => {
  await using repo = await tempRepo(undefined, { optedIn: false });
  await git(repo.path, "init", "-q", "-b", "main");
  await git(repo.path, "add", "-A");
  await git(repo.path, "commit", "-q", "-m", "skills");
  const hook = join(repo.path, ".git", "hooks", "pre-commit");
  await Deno.writeTextFile(hook, "#!/bin/sh\necho 'commits are closed today' >&2\nexit 1\n");
  await Deno.chmod(hook, 0o755);
  const result = await runCli(["init"], { cwd: repo.path });
  assertStringIncludes(result.stderr, "was written but not committed");
  assert(await Deno.stat(join(repo.path, "heartbeat.json")).then(() => true, () => false), "heartbeat.json is written");
  assertEquals(await git(repo.path, "diff", "--cached", "--name-only"), "", "nothing is left staged");
});
