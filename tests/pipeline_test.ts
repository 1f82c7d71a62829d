import { assertEquals } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import { LAUNCH_ENV, testConfig } from "./options.ts";
import { TEST_NSEC } from "./keys.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { runPipeline } from "../src/pipeline.ts";
import { reportedRun } from "../src/reported_run.ts";
import { PHASES } from "../src/report.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { localRepositoryWriter } from "../src/fs/repository_writer.ts";
import { join } from "node:path";
import { PROJECT_ROOT, tempRepo } from "./utils.ts";

const embedder = { model: await identifyModel(BUNDLED_MODEL_DIR), load: () => loadEmbedder({ workers: 0 }) };

/** The project itself, whose `skills/` are the bundled skills; nothing here writes to it. */
const config = testConfig(PROJECT_ROOT, { overrides: { ruleSets: ["agentskills", "clawhub"] } });

/** A clock that moves one second each time it is read. */
function steppingClock(start: string): Clock {
  let now = Date.parse(start);
  return { now: () => new Date((now += 1000) - 1000) };
}

const OPTIONS = { config, dryRun: true, commit: true, push: true, version: "0.0.0-test" };

/** The real adapters over the bundled skills, with an in-memory store and a stepping clock. */
function adaptersWith(store: KvStateStore) {
  return {
    store,
    clock: steppingClock("2026-11-25T06:00:00Z"),
    fs: denoFileSystem,
    embedder,
    repository: localRepositoryWriter(PROJECT_ROOT),
  };
}

Deno.test("runPipeline() reports every phase, takes its times from the clock and records the run", async () => {
  using store = await KvStateStore.open(":memory:");
  const report = await runPipeline(adaptersWith(store), { ...OPTIONS, runId: "run-1" });
  assertEquals(report.runId, "run-1");
  assertEquals(report.startedAt, "2026-11-25T06:00:00.000Z");
  assertEquals(report.timings.total, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  assertEquals(report.timings.total! > 0, true);
  assertEquals(report.status, "ok");
  assertEquals(report.skillsDir, "skills");
  for (const phase of PHASES) assertEquals(typeof report.timings[phase], "number", phase);
  assertEquals(report.discovery.status, "ok");
  assertEquals([report.discovery.found, report.discovery.parsed, report.discovery.valid], [10, 10, 10]);
  // Two bundled skills are byte-identical: nine distinct contents are embedded.
  assertEquals(report.clustering.embedding?.embedded, 9);
  assertEquals(report.clustering.embedding?.dims, 64);
  const [recorded] = await store.recentRuns(5);
  assertEquals(recorded?.runId, "run-1");
  assertEquals(recorded?.status, "ok");
  assertEquals((await store.lastSuccessfulRun(true))?.runId, "run-1");
  assertEquals(await store.lastSuccessfulRun(false), undefined);
});

Deno.test("an unchanged library reuses the last run's clusters without clustering again", async () => {
  using store = await KvStateStore.open(":memory:");
  const first = await runPipeline(adaptersWith(store), OPTIONS);
  const second = await runPipeline(adaptersWith(store), OPTIONS);
  assertEquals(first.clustering.reused, false);
  assertEquals(second.clustering.reused, true);
  assertEquals(second.clusters, first.clusters);
  assertEquals(first.clusters.filter((cluster) => cluster.kind === "duplicate").length, 3);
});

Deno.test("runPipeline() stops at a safe point when asked and reports the run as interrupted", async () => {
  using store = await KvStateStore.open(":memory:");
  const stop = new AbortController();
  stop.abort();
  const report = await runPipeline(adaptersWith(store), { ...OPTIONS, signal: stop.signal });
  assertEquals(report.status, "interrupted");
  for (const phase of PHASES) assertEquals(report[phase].status, "interrupted", phase);
  assertEquals((await store.recentRuns(1))[0]?.status, "interrupted");
  assertEquals(await store.lastSuccessfulRun(true), undefined);
});

Deno.test("the run history keeps the newest runs, newest first", async () => {
  using store = await KvStateStore.open(":memory:");
  for (let i = 0; i < 3; i++) {
    await store.recordRun({
      runId: `run-${i}`,
      startedAt: new Date(Date.UTC(2026, 10, 25, i)).toISOString(),
      finishedAt: new Date(Date.UTC(2026, 10, 25, i)).toISOString(),
      status: i === 2 ? "failed" : "ok",
      dryRun: false,
      counts: { found: 0, valid: 0, clusters: 0 },
    });
  }
  assertEquals((await store.recentRuns(2)).map((run) => run.runId), ["run-2", "run-1"]);
  assertEquals((await store.lastSuccessfulRun(false))?.runId, "run-1");
});

Deno.test("a launch that fails fails the run, but the skills' events are still broadcast", async () => {
  using store = await KvStateStore.open(":memory:");
  const launching = testConfig(PROJECT_ROOT, { env: { NOSTR_NSEC: TEST_NSEC, ...LAUNCH_ENV } });
  // The real store, whose launch records cannot be read.
  const broken = new Proxy(store, {
    get(target, property) {
      if (property === "loadLaunches") return () => Promise.reject(new Error("the launch records cannot be read"));
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const report = await runPipeline({ ...adaptersWith(store), store: broken }, { ...OPTIONS, config: launching });
  assertEquals(report.status, "failed");
  assertEquals(report.launching.status, "failed");
  assertEquals(report.error, "launching: the launch records cannot be read");
  assertEquals(report.broadcasting.status, "ok", "broadcasting ran");
  assertEquals(report.broadcasting.reason, "dry run: 0 events would be signed and sent");
});

Deno.test("a state store that cannot record the run (a full disk) fails the run in its report, which is still returned", async () => {
  using store = await KvStateStore.open(":memory:");
  const full = new Proxy(store, {
    get(target, property) {
      if (property === "recordRun") return () => Promise.reject(new Error("database or disk is full"));
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const report = await runPipeline({ ...adaptersWith(store), store: full }, OPTIONS);
  assertEquals(report.status, "failed");
  assertEquals(report.error, "the run could not be recorded: database or disk is full");
  assertEquals(report.discovery.found, 10, "the phases' results are kept");
});

Deno.test("pinned skills, by the settings' paths and names or their own frontmatter, take part in no merge", async () => {
  await using repo = await tempRepo();
  const remotion = join(repo.path, "skills", "remotion.md");
  Deno.writeTextFileSync(remotion, Deno.readTextFileSync(remotion).replace("---\n", "---\npinned: true\n"));
  const pinnedConfig = testConfig(repo.path, { settings: { pinned: ["skills/qmd/SKILL.md", "solana-trader"] } });
  using store = await KvStateStore.open(":memory:");
  const before = Deno.readTextFileSync(remotion);
  const report = await runPipeline(
    { ...adaptersWith(store), repository: localRepositoryWriter(repo.path) },
    { ...OPTIONS, config: pinnedConfig, dryRun: false, commit: false, push: false },
  );
  assertEquals(report.status, "ok", report.error);
  // A name pins every skill of that name (both solana-trader folders say `name: solana-trader`).
  assertEquals(report.discovery.pinned, [
    "skills/qmd/SKILL.md",
    "skills/remotion.md",
    "skills/solana-trader/SKILL.md",
    "skills/solana-trader-v2/SKILL.md",
  ]);
  assertEquals(report.clusters.filter((cluster) => cluster.kind === "duplicate"), []);
  assertEquals(report.consolidation.merged, []);
  assertEquals(Deno.readTextFileSync(remotion), before);
  // Without the settings' pins, the two pairs they held apart merge (remotion.md still pins itself).
  using fresh = await KvStateStore.open(":memory:");
  const unpinned = await runPipeline(
    { ...adaptersWith(fresh), repository: localRepositoryWriter(repo.path) },
    { ...OPTIONS, config: testConfig(repo.path) },
  );
  assertEquals(unpinned.consolidation.merged.map((merge) => merge.members.length), [2, 2]);
});

Deno.test("a run over an unchanged library reuses the masters the last run drafted, and drafts again a changed member's", async () => {
  await using repo = await tempRepo();
  using store = await KvStateStore.open(":memory:");
  const adapters = { ...adaptersWith(store), repository: localRepositoryWriter(repo.path) };
  const options = {
    ...OPTIONS,
    config: testConfig(repo.path, { overrides: { ruleSets: ["agentskills", "clawhub"] } }),
  };
  const first = await runPipeline(adapters, options);
  const second = await runPipeline(adapters, options);
  const planned = first.consolidation.merged.length + first.clusters.filter((c) => c.action === "review").length;
  assertEquals(planned > 0, true);
  assertEquals([first.consolidation.draftsReused, second.consolidation.draftsReused], [0, planned]);
  // Reused drafts give the very masters and previews drafting gave.
  assertEquals(second.consolidation.merged, first.consolidation.merged);
  assertEquals(second.clusters, first.clusters);

  const changed = first.consolidation.merged[0]!.members[0]!;
  await Deno.writeTextFile(join(repo.path, changed), "\nOne more line.\n", { append: true });
  const third = await runPipeline(adapters, options);
  assertEquals(third.consolidation.draftsReused, planned - 1);
  // What a run with nothing to reuse plans for the changed library.
  using fresh = await KvStateStore.open(":memory:");
  const uncached = await runPipeline({ ...adapters, store: fresh }, options);
  assertEquals(uncached.consolidation.draftsReused, 0);
  assertEquals(third.consolidation.merged, uncached.consolidation.merged);
  assertEquals(third.clusters, uncached.clusters);
});

Deno.test("a run that throws is reported failed under the id it was started with", async () => {
  using store = await KvStateStore.open(":memory:");
  // The clock answers the run's start, then fails: a throw the pipeline did not expect.
  let calls = 0;
  const clock = {
    now: () => {
      if (calls++ > 0) throw new Error("the clock broke");
      return new Date("2026-12-01T00:00:00Z");
    },
  };
  const failing = { ...adaptersWith(store), clock };
  const report = await reportedRun(failing, { ...OPTIONS, runId: "20261201T000000Z-abcdef" });
  assertEquals([report.runId, report.status], ["20261201T000000Z-abcdef", "failed"]);
});
