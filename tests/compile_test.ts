import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { compileCommand, workerModules } from "../tools/compile.ts";
import { heartbeatFlags } from "../tools/heartbeat_flags.ts";
import { PROJECT_ROOT, tempDir } from "./utils.ts";

Deno.test("the executable is built with the heartbeat task's permissions, cron and KV on, the model and every worker embedded", async () => {
  assertEquals(await workerModules(), ["src/discovery/discovery_worker.ts", "src/embedding/embedding_worker.ts"]);
  const args = await compileCommand("dist/clawstr-heartbeat");
  for (const flag of heartbeatFlags(PROJECT_ROOT, { readModels: false })) assert(args.includes(flag), flag);
  assert(args.includes("--allow-read=.") && args.includes("--allow-write=."), "read and write where it runs, only");
  for (const flag of ["--unstable-cron", "--unstable-kv", "--self-extracting", "--no-prompt"]) {
    assert(args.includes(flag));
  }
  const included = args.flatMap((arg, i) => args[i - 1] === "--include" ? [arg] : []);
  assertEquals(included, [
    "models",
    "src/serve/dashboard",
    "src/discovery/discovery_worker.ts",
    "src/embedding/embedding_worker.ts",
  ]);
  assertEquals(args.slice(-3), ["--output", "dist/clawstr-heartbeat", "main.ts"]);
});

Deno.test("deno task compile builds the executable with the model inside (deno stands in for denort here, so it is not run)", async () => {
  await using dir = await tempDir();
  const output = join(dir.path, "clawstr-heartbeat");
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile", "--output", output],
    cwd: PROJECT_ROOT,
    // No registry reachable here ships denort; with deno in its place the build runs all its steps.
    env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 0, text);
  assertStringIncludes(text, "models/*");
  assertStringIncludes(text, "--include src/embedding/embedding_worker.ts");
  assert((await Deno.stat(output)).size > 100_000_000, "the runtime, the modules and the model");
});
