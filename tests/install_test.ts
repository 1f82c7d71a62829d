import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { commitRepository, PROJECT_ROOT, runProgram, tempDir, tempRepo } from "./utils.ts";
import { heartbeatEnvironment } from "../tools/heartbeat_flags.ts";

Deno.test("deno task install puts clawstr-heartbeat on the PATH with the task's flags and variables: run in a skills repository it merges and commits there, and uninstall removes it", async () => {
  await using root = await tempDir();
  const bin = join(root.path, "bin");
  const install = await runProgram(Deno.execPath(), ["task", "install", "--root", root.path], {
    cwd: PROJECT_ROOT,
    paths: [bin],
  });
  assertEquals(install.code, 0, install.stderr);
  const shim = await Deno.readTextFile(join(bin, "clawstr-heartbeat"));
  // Read and write where it runs, nothing else but the model: the permissions are the heartbeat task's.
  assertStringIncludes(
    shim,
    `--allow-read=.,${join(PROJECT_ROOT, "models")},${join(PROJECT_ROOT, "src/serve/dashboard")} --allow-write=. `,
  );
  assert(!/ -A | --allow-all/.test(shim), shim);
  // The task's variables are exported before Deno starts (the C library reads them then); a value of the user's is kept.
  const environment = Object.entries(heartbeatEnvironment(PROJECT_ROOT));
  assert(environment.length > 0, "the heartbeat task sets variables");
  for (const [userValue, expected] of [[undefined, (value: string) => value], ["7", () => "7"]] as const) {
    const traced = await runProgram("sh", ["-x", join(bin, "clawstr-heartbeat"), "--version"], {
      cwd: root.path,
      env: Object.fromEntries(userValue ? environment.map(([name]) => [name, userValue]) : []),
    });
    assertEquals(traced.code, 0, traced.stderr);
    for (const [name, value] of environment) assertStringIncludes(traced.stderr, `export ${name}=${expected(value)}\n`);
  }

  await using repo = await tempRepo();
  await commitRepository(repo.path);
  // No remote here: a push asked of a repository without one fails the run, so this run commits only.
  const once = await runProgram("clawstr-heartbeat", ["--once", "--no-push", "--json"], {
    cwd: repo.path,
    paths: [bin],
  });
  assertEquals(once.code, 0, once.stderr);
  const report = JSON.parse(once.stdout);
  assertEquals(report.repo, repo.path);
  assert(report.consolidation.merged.length > 0, "the bundled skills hold duplicates");
  const log = await runProgram("git", ["log", "-1", "--format=%s"], { cwd: repo.path, paths: [bin] });
  assertStringIncludes(log.stdout, "clawstr-heartbeat: merge");

  const uninstall = await runProgram(Deno.execPath(), ["task", "uninstall", "--root", root.path], {
    cwd: PROJECT_ROOT,
    paths: [bin],
  });
  assertEquals(uninstall.code, 0, uninstall.stderr);
  const gone = await runProgram("sh", ["-c", "command -v clawstr-heartbeat || echo none"], {
    cwd: repo.path,
    paths: [bin],
  });
  assertEquals(gone.stdout.trim(), "none");
});
