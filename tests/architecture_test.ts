import { join } from "node:path";
import { readdir } from "node:fs/promises";
import { assertEquals } from "./assert.ts";
import { PROJECT_ROOT } from "./utils.ts";

/**
 * Each outside system and where the program may reach it: the library or API
 * that talks to it, and the adapter (a module, or a folder ending in `/`)
 * that alone may use it.
 */
const ADAPTERS: ReadonlyArray<{ system: string; use: RegExp; adapter: string }> = [
  { system: "Nostr", use: /from "nostr-tools\/|import\("nostr-tools\//, adapter: "nostr/" },
  { system: "the model runtime", use: /"@huggingface\/transformers"/, adapter: "embedding/embedder.ts" },
  { system: "git", use: /new Deno\.Command\(/, adapter: "publishing/git.ts" },
  { system: "git without a binary", use: /from "isomorphic-git/, adapter: "publishing/isomorphic_git.ts" },
  { system: "the state store", use: /Deno\.openKv\(/, adapter: "store/state_store.ts" },
];

/** The modules of `src/` whose code (not comments) uses the pattern, relative to `src/`. */
async function users(pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  const src = join(PROJECT_ROOT, "src");
  for (const path of await readdir(src, { recursive: true })) {
    if (!path.endsWith(".ts")) continue;
    const code = (await Deno.readTextFile(join(src, path))).split("\n").filter((line) =>
      !/^\s*(\*|\/\/|\/\*)/.test(line)
    );
    if (code.some((line) => pattern.test(line))) found.push(path);
  }
  return found.sort();
}

for (const { system, use, adapter } of ADAPTERS) {
  Deno.test(`${system} is reached only through its adapter, src/${adapter}`, async () => {
    const outside = (await users(use)).filter((path) =>
      !(adapter.endsWith("/") ? path.startsWith(adapter) : path === adapter)
    );
    assertEquals(outside, []);
  });
}

/** The folders of the phases (and the adapters they use), which configuration feeds and never the other way. */
const PHASE_FOLDERS = [
  "discovery/",
  "clustering/",
  "embedding/",
  "consolidation/",
  "publishing/",
  "broadcasting/",
  "launching/",
  "nostr/",
  "store/",
  "fs/",
];

Deno.test("configuration flows down: no phase imports the configuration or the command line, each declares the settings it reads", async () => {
  const upward = (await users(/from "\.\.\/(config\.ts|cli\/|common_options\.ts)"/)).filter((path) =>
    PHASE_FOLDERS.some((folder) => path.startsWith(folder))
  );
  assertEquals(upward, []);
});

Deno.test("the adapter check sees a use outside the adapter", async () => {
  const found = await users(/from "\.\.\/nostr\/event\.ts"/);
  assertEquals(found.some((path) => path.startsWith("launching/")), true);
});
