import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { importCycles, importGraph } from "../tools/check_cycles.ts";
import { PROJECT_ROOT, tempDir, writeTree } from "./utils.ts";

const CONFIG = join(PROJECT_ROOT, "deno.json");

Deno.test("the modules of src/ import one another in one direction only: no import cycle", async () => {
  const graph = await importGraph(join(PROJECT_ROOT, "src"), CONFIG);
  assert(graph.size > 50, `${graph.size} modules`);
  assertEquals(importCycles(graph), []);
});

Deno.test("the cycle check fails on a cycle added to a tree, type-only imports included, and names it", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    "src/config.ts": `import type { Flags } from "./cli/args.ts";\nexport type Config = Flags;\n`,
    "src/cli/args.ts": `import { DEFAULT } from "../defaults.ts";\nexport type Flags = { value: typeof DEFAULT };\n`,
    "src/defaults.ts":
      `import type { Config } from "./config.ts";\nexport const DEFAULT = 1;\nexport type Unused = Config;\n`,
    "src/leaf.ts": `import { DEFAULT } from "./defaults.ts";\nexport const LEAF = DEFAULT;\n`,
  });
  const src = join(dir.path, "src");
  const [cycle, ...more] = importCycles(await importGraph(src, CONFIG));
  assertEquals(more, []);
  assertEquals(cycle?.modules, ["cli/args.ts", "config.ts", "defaults.ts"].map((file) => join(src, file)));
  assertEquals(
    cycle?.example,
    ["cli/args.ts", "defaults.ts", "config.ts", "cli/args.ts"].map((file) => join(src, file)),
  );

  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-run", join(PROJECT_ROOT, "tools/check_cycles.ts"), src],
    cwd: dir.path,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(output.code, 1);
  assertStringIncludes(
    new TextDecoder().decode(output.stderr),
    "Import cycle among 3 modules: src/cli/args.ts, src/config.ts, src/defaults.ts",
  );
});
