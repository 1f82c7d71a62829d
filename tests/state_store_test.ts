import { assertEquals } from "./assert.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import type { ClusterReport } from "../src/report.ts";
import type { CachedFile } from "../src/discovery/discovery_cache.ts";
import { tempDir } from "./utils.ts";

/**
 * Clusters like a 20,000-skill first run's, with paths some not Latin-1 (Deno
 * KV keeps those at two bytes a character): about 2 MiB, far more than one
 * Deno KV value or one atomic commit holds.
 */
const MANY_CLUSTERS: ClusterReport[] = Array.from({ length: 10_000 }, (_, i) => ({
  kind: "duplicate",
  action: "merge",
  score: 1,
  members: [0, 1].map((j) => `skills/owner-${i}/${(i + j) % 2 ? "日本語のスキル" : "some-skill"}-${i}-${j}/SKILL.md`),
  reasons: ["identical files"],
}));

Deno.test("the clusters of a large run are kept whole, though they exceed one Deno KV value", async () => {
  using store = await KvStateStore.open(":memory:");
  await store.saveClusters("large", MANY_CLUSTERS);
  assertEquals(await store.loadClusters("large"), MANY_CLUSTERS);
  await store.saveClusters("small", MANY_CLUSTERS.slice(0, 1));
  assertEquals(await store.loadClusters("small"), MANY_CLUSTERS.slice(0, 1), "a shorter list replaces a longer one");
  await store.saveClusters("none", []);
  assertEquals(await store.loadClusters("none"), []);
  assertEquals(await store.loadClusters("large"), undefined, "only the last clusters are kept");
});

Deno.test("state written by the earlier format is read, or ignored, without failing", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.kv`;
  {
    using kv = await Deno.openKv(path);
    await kv.set(["clusters", "head"], { fingerprint: "f", parts: 1 });
    await kv.set(["clusters", "part", 0], "[]");
  }
  using store = await KvStateStore.open(path);
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
});

Deno.test("a run marked as under way and never recorded is told to the next run; a dry run in between does not hide it", async () => {
  using store = await KvStateStore.open(":memory:");
  const run = (runId: string, dryRun = false) => ({
    runId,
    startedAt: "2026-11-30T06:00:00.000Z",
    finishedAt: "2026-11-30T06:00:01.000Z",
    status: "ok" as const,
    dryRun,
    counts: { found: 0, valid: 0, clusters: 0 },
  });
  assertEquals(await store.beginRun({ runId: "a", startedAt: "2026-11-30T06:00:00.000Z" }), undefined);
  await store.recordRun(run("a"));
  assertEquals(await store.beginRun({ runId: "b", startedAt: "2026-11-30T12:00:00.000Z" }), undefined, "a finished");
  await store.recordRun(run("dry", true));
  assertEquals(await store.beginRun({ runId: "c", startedAt: "2026-11-30T18:00:00.000Z" }), {
    runId: "b",
    startedAt: "2026-11-30T12:00:00.000Z",
  });
});

Deno.test("one holder at a time has the run lease; it is given back, or taken once it has run out", async () => {
  using store = await KvStateStore.open(":memory:");
  assertEquals(await store.acquireLease("first", 1000, 5000), true);
  assertEquals(await store.acquireLease("second", 2000, 6000), false, "held until 5000");
  await store.releaseLease("second");
  assertEquals(await store.acquireLease("second", 2000, 6000), false, "only its holder gives it back");
  await store.releaseLease("first");
  assertEquals(await store.acquireLease("second", 2000, 6000), true);
  assertEquals(await store.acquireLease("third", 6001, 9000), true, "a lease that ran out is taken");
});

Deno.test("a store within a namespace keeps its discovery cache, vectors and clusters apart from another's, as a store of its own does", async () => {
  using shared = await KvStateStore.open(":memory:");
  const [one, two] = [shared.within(["repository", "one"]), shared.within(["repository", "two"])];
  // What a cache entry holds is the discovery's business; the store keeps it as given.
  const file = (size: number) => ({ stamp: { size }, outcome: { kind: "skipped" } }) as unknown as CachedFile;
  const caches = [
    new Map([["skills/a/SKILL.md", file(1)], ["skills/b/SKILL.md", file(2)]]),
    new Map([["x.md", file(3)]]),
  ];
  const vector = (value: number) => new Float32Array([value, 1 - value]);
  for (const [i, store] of [one, two].entries()) {
    await store.saveDiscoveryCache("key", new Map(), caches[i]!);
    await store.saveEmbeddings("model", new Map([[`hash-${i}`, vector(i)]]), new Set([`hash-${i}`]));
    await store.saveClusters(`run-${i}`, MANY_CLUSTERS.slice(i, i + 2));
  }
  for (const [i, store] of [one, two].entries()) {
    assertEquals(await store.loadDiscoveryCache("key"), caches[i]);
    assertEquals(await store.loadEmbeddings("model", ["hash-0", "hash-1"]), new Map([[`hash-${i}`, vector(i)]]));
    assertEquals(await store.loadClusters(`run-${i}`), MANY_CLUSTERS.slice(i, i + 2));
  }
});
