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
import { discoverSkills } from "../src/discovery/discover.ts";
import { loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { residentMemory } from "./resident_memory.ts";

const [repo = ".", skillsDir = "skills"] = Deno.args;
const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, skillsDir), ruleSets: [] });
const usable = skills.filter((skill) => !skill.excluded);
const embedder = await loadEmbedder({});
const vectors = await embedder.embed(usable.map(skillEmbeddingText));
await embedder.dispose();
const byHash = new Map(usable.map((skill, i) => [skill.contentHash, vectors[i]!]));
const before = residentMemory("self").peak;
const started = performance.now();
const clusters = await clusterSkills(usable, byHash, { skillsDir });
const ms = performance.now() - started;
// The next run over the unchanged library: fingerprint, then the saved clusters.
const dir = await Deno.makeTempDir();
using store = await KvStateStore.open(join(dir, "state.kv"));
const options = { skillsDir };
await store.saveClusters(clusteringFingerprint(usable, embedder.model.id, options), clusters);
const reuseStarted = performance.now();
const reused = await store.loadClusters(clusteringFingerprint(usable, embedder.model.id, options));
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
