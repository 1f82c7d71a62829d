import { assertEquals } from "./assert.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import type { ClusterReport } from "../src/report.ts";
import { tempDir } from "./utils.ts";

/**
 * Paths like a 20,000-skill first run's, some not Latin-1 (Deno KV keeps those
 * at two bytes a character): about 2 MiB, far more than one Deno KV value or
 * one atomic commit holds.
 */
const MANY_PATHS = Array.from(
  { length: 20_000 },
  (_, i) =>
    `.archive/20261125T060000Z-abcdef/skills/owner-${i}/${i % 2 ? "日本語のスキル" : "some-skill"}-${i}/SKILL.md`,
);

Deno.test("the pending paths of a large run are kept whole, though they exceed one Deno KV value", async () => {
  using store = await KvStateStore.open(":memory:");
  await store.savePendingPaths(MANY_PATHS);
  assertEquals(await store.loadPendingPaths(), MANY_PATHS);
  await store.savePendingPaths(["skills/a/SKILL.md"]);
  assertEquals(await store.loadPendingPaths(), ["skills/a/SKILL.md"], "a shorter list replaces a longer one");
  await store.savePendingPaths([]);
  assertEquals(await store.loadPendingPaths(), []);
});

Deno.test("state written by the earlier format is read, or ignored, without failing", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  {
    using kv = await Deno.openKv(path);
    await kv.set(["pending-paths"], ["skills/old/SKILL.md"]);
    await kv.set(["clusters", "head"], { fingerprint: "f", parts: 1 });
    await kv.set(["clusters", "part", 0], "[]");
  }
  using store = await KvStateStore.open(path);
  assertEquals(await store.loadPendingPaths(), ["skills/old/SKILL.md"]);
  assertEquals(await store.loadClusters("f"), undefined);
  const clusters: ClusterReport[] = [{
    kind: "duplicate",
    action: "merge",
    score: 1,
    members: ["skills/a/SKILL.md", "skills/b/SKILL.md"],
    reasons: ["identical files"],
  }];
  await store.saveClusters("f", clusters);
  assertEquals(await store.loadClusters("f"), clusters);
  assertEquals(await store.loadClusters("g"), undefined, "another fingerprint");
  await store.savePendingPaths(["skills/new/SKILL.md"]);
  assertEquals(await store.loadPendingPaths(), ["skills/new/SKILL.md"]);
});
