import { join } from "node:path";
import { assertEquals, assertNotEquals } from "./assert.ts";
import { discoverSkills, type DiscoveryOptions } from "../src/discovery/discover.ts";
import { discoveryCacheKey, RACY_WINDOW_MS } from "../src/discovery/discovery_cache.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { generateLibrary } from "../bench/generate_library.ts";
import { BUNDLED_SKILLS, tempDir, tempRepo, writeTree } from "./utils.ts";

const LATER = Date.now() + 10 * RACY_WINDOW_MS;

function options(repo: string, extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { repo, skillsDir: join(repo, "skills"), ruleSets: ["agentskills", "clawhub"], workers: 0, ...extra };
}

Deno.test("an unchanged library is not read again, and gives the same result", async () => {
  await using repo = await tempRepo();
  const first = await discoverSkills(denoFileSystem, options(repo.path, { now: LATER }));
  assertEquals(first.read, first.report.found);
  const second = await discoverSkills(denoFileSystem, options(repo.path, { cache: first.cache, now: LATER }));
  assertEquals(second.read, 0);
  assertEquals(second.report, first.report);
  assertEquals(second.skills, first.skills);
});

Deno.test("a changed, added or removed file, or a changed _meta.json, is read again; the rest is not", async () => {
  await using repo = await tempRepo();
  const first = await discoverSkills(denoFileSystem, options(repo.path, { now: LATER }));
  const skill = join(repo.path, "skills", "linear", "SKILL.md");
  await Deno.writeTextFile(skill, (await Deno.readTextFile(skill)).replace("name: linear", "name: linear-app"));
  await Deno.writeTextFile(join(repo.path, "skills", "qmd", "_meta.json"), '{"owner": "someone-else"}');
  await Deno.remove(join(repo.path, "skills", "spotify.md"));
  await writeTree(repo.path, { "skills/new-skill/SKILL.md": "---\nname: new-skill\ndescription: New.\n---\n" });
  const second = await discoverSkills(denoFileSystem, options(repo.path, { cache: first.cache, now: LATER }));
  assertEquals(second.read, 3);
  assertEquals(second.skills.find((s) => s.path === "skills/linear/SKILL.md")?.name, "linear-app");
  assertEquals(second.skills.find((s) => s.path === "skills/qmd/SKILL.md")?.author, "someone-else");
  assertEquals(second.cache.has("skills/spotify.md"), false);
  assertEquals(second.report.found, first.report.found);
});

Deno.test("a file modified within the racy window of its reading is not cached", async () => {
  await using repo = await tempRepo();
  const first = await discoverSkills(denoFileSystem, options(repo.path, { now: Date.now() }));
  assertEquals(first.cache.size, 0);
  const second = await discoverSkills(denoFileSystem, options(repo.path, { cache: first.cache, now: LATER }));
  assertEquals(second.read, second.report.found);
});

Deno.test("the state store keeps the discovery cache, writes only changes, and drops it when the options change", async () => {
  await using repo = await tempRepo();
  using store = await KvStateStore.open(":memory:");
  const readOptions = options(repo.path, { now: LATER });
  const key = discoveryCacheKey(readOptions);
  const first = await discoverSkills(denoFileSystem, readOptions);
  await store.saveDiscoveryCache(key, new Map(), first.cache);
  const loaded = await store.loadDiscoveryCache(key);
  assertEquals(loaded, first.cache);
  const second = await discoverSkills(denoFileSystem, { ...readOptions, cache: loaded });
  assertEquals(second.read, 0);
  await store.saveDiscoveryCache(key, loaded, second.cache);
  assertEquals(await store.loadDiscoveryCache(key), first.cache);
  const strictKey = discoveryCacheKey({ ...readOptions, strict: true });
  assertNotEquals(strictKey, key);
  assertEquals((await store.loadDiscoveryCache(strictKey)).size, 0);
  await store.saveDiscoveryCache(strictKey, new Map(), new Map());
  assertEquals((await store.loadDiscoveryCache(key)).size, 0, "entries under the old key are gone");
});

Deno.test("workers read a large library exactly as one thread does", async () => {
  await using dir = await tempDir();
  generateLibrary(BUNDLED_SKILLS, dir.path, 1300);
  const inline = await discoverSkills(denoFileSystem, options(dir.path, { workers: 0 }));
  const parallel = await discoverSkills(denoFileSystem, options(dir.path, { workers: 2 }));
  assertEquals(parallel.report.found, 1300);
  assertEquals(parallel.report, inline.report);
  assertEquals(parallel.skills, inline.skills);
});
