import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { commitRepository, git, runCli, tempRepo } from "./utils.ts";

/** A remote whose pre-receive hook turns every push away, as a protected branch does. */
async function rejectPushes(remote: string): Promise<void> {
  const hook = join(remote, "hooks", "pre-receive");
  await Deno.writeTextFile(hook, "#!/bin/sh\necho 'protected branch: pushes refused' >&2\nexit 1\n");
  await Deno.chmod(hook, 0o755);
}

Deno.test("a push the remote rejects makes --once exit 1, the run failed, naming publishing and why", async () => {
  await using repo = await tempRepo();
  const remote = `${repo.path}.remote.git`;
  try {
    await commitRepository(repo.path, remote);
    await rejectPushes(remote);
    const result = await runCli(["--once", "--json"], { cwd: repo.path });
    assertEquals(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assertEquals([report.status, report.publishing.status], ["failed", "failed"]);
    assertEquals([report.publishing.committed, report.publishing.pushed], [true, false]);
    assertMatch(report.error, /^publishing: push to origin\/main failed.*pushes refused/);
  } finally {
    await Deno.remove(remote, { recursive: true });
  }
});

Deno.test("a push with no remote makes --once exit 1, and the human report says publishing failed and why", async () => {
  await using repo = await tempRepo();
  await commitRepository(repo.path);
  const head = await git(repo.path, "rev-parse", "HEAD");
  const result = await runCli(["--once"], { cwd: repo.path });
  assertEquals(result.code, 1, result.stderr);
  const lines = result.stdout.split("\n");
  assertMatch(lines[0]!, /^Run \S+ failed \(in publishing\) in \d+ ms$/);
  assert(
    lines.some((line) => /^ {2}publishing {5}failed \(no remote named "origin"/.test(line)),
    result.stdout,
  );
  assertStringIncludes(result.stdout, '  error: publishing: no remote named "origin"');
  // The merge was committed; only the push is missing, and the next run pushes it.
  assert((await git(repo.path, "rev-parse", "HEAD")).trim() !== head.trim());
});
