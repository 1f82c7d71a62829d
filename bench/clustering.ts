// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures clustering: wall time and peak memory of `clusterSkills` over a
 * library (discovery and embedding done first, untimed).
 *
 * Usage: deno run -A bench/clustering.ts REPO [SKILLS_DIR]
 *
 * @module
 */

import { join } from "node:path";
import { clusteringFingerprint, clusterSkills } from "../src/clustering/cluster.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { BUNDLED_MODEL_DIR, identifyModel } from "../src/embedding/embedder.ts";
import { embeddedSkills } from "./embedded_skills.ts";
import { residentMemory } from "./resident_memory.ts";

const [repo = ".", skillsDir = "skills"] = Deno.args;
const { usable, vectors: byHash } = await embeddedSkills(repo, skillsDir);
const modelId = (await identifyModel(BUNDLED_MODEL_DIR)).id;
const before = residentMemory("self").peak;
const started = performance.now();
const clusters = await clusterSkills(usable, byHash, { skillsDir });
const ms = performance.now() - started;
// The next run over the unchanged library: fingerprint, then the saved clusters.
const dir = await Deno.makeTempDir();
using store = await KvStateStore.open(join(dir, "state.kv"));
const options = { skillsDir };
await store.saveClusters(clusteringFingerprint(usable, modelId, options), clusters);
const reuseStarted = performance.now();
const reused = await store.loadClusters(clusteringFingerprint(usable, modelId, options));
const reuseMs = performance.now() - reuseStarted;
await Deno.remove(dir, { recursive: true });
if (reused?.length !== clusters.length) throw new Error("the saved clusters were not reused");
console.log(JSON.stringify({
  skills: usable.length,
  duplicateClusters: clusters.filter((cluster) => cluster.kind === "duplicate").length,
  relatedClusters: clusters.filter((cluster) => cluster.kind === "related").length,
  clusteringMs: Math.round(ms),
  unchangedLibraryMs: Math.round(reuseMs),
  peakMemoryMiBBefore: Math.round(before),
  peakMemoryMiB: Math.round(residentMemory("self").peak),
}));
