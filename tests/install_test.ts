import { dirname, join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { commitRepository, PROJECT_ROOT, tempDir, tempRepo } from "./utils.ts";

/** Runs a program with deno and the install root's bin/ first on the PATH, as a user's shell would. */
async function run(program: string, args: string[], cwd: string, bin: string) {
  const output = await new Deno.Command(program, {
    args,
    cwd,
    env: { PATH: `${bin}:${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test("deno task install puts clawstr-heartbeat on the PATH: run in a skills repository it merges and commits there, and uninstall removes it", async () => {
  await using root = await tempDir();
  const bin = join(root.path, "bin");
  const install = await run(Deno.execPath(), ["task", "install", "--root", root.path], PROJECT_ROOT, bin);
  assertEquals(install.code, 0, install.stderr);
  const shim = await Deno.readTextFile(join(bin, "clawstr-heartbeat"));
  // Read and write where it runs, nothing else but the model: the permissions are the heartbeat task's.
  assertStringIncludes(shim, `--allow-read=.,${join(PROJECT_ROOT, "models")} --allow-write=. `);
  assert(!/ -A | --allow-all/.test(shim), shim);

  await using repo = await tempRepo();
  await commitRepository(repo.path);
  const once = await run("clawstr-heartbeat", ["--once", "--json"], repo.path, bin);
  assertEquals(once.code, 0, once.stderr);
  const report = JSON.parse(once.stdout);
  assertEquals(report.repo, repo.path);
  assert(report.consolidation.merged.length > 0, "the bundled skills hold duplicates");
  const log = await run("git", ["log", "-1", "--format=%s"], repo.path, bin);
  assertStringIncludes(log.stdout, "clawstr-heartbeat: merge");

  const uninstall = await run(Deno.execPath(), ["task", "uninstall", "--root", root.path], PROJECT_ROOT, bin);
  assertEquals(uninstall.code, 0, uninstall.stderr);
  const gone = await run("sh", ["-c", "command -v clawstr-heartbeat || echo none"], repo.path, bin);
  assertEquals(gone.stdout.trim(), "none");
});
