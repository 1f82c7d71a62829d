// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures embedding: model load time, skills embedded per second with
 * nothing cached, the re-run of an unchanged library through the cache, and
 * peak memory (from /proc, hence `-A`).
 *
 * Usage: deno run -A bench/embedding.ts REPO [SKILLS_DIR] [WORKERS]
 *
 * @module
 */

import { join } from "node:path";
import { discoverSkills } from "../src/discovery/discover.ts";
import { embedSkills } from "../src/embedding/embed_skills.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { residentMemory } from "./resident_memory.ts";

const [repo = ".", skillsDir = "skills", workers] = Deno.args;
const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, skillsDir), ruleSets: [] });
const usable = skills.filter((skill) => !skill.excluded);
const dir = await Deno.makeTempDir();
using store = await KvStateStore.open(join(dir, "state.kv"));
const model = await identifyModel(BUNDLED_MODEL_DIR);
const options = workers === undefined ? {} : { workers: Number(workers) };

let started = performance.now();
const cold = await embedSkills(usable, model, store, () => loadEmbedder(options));
const coldMs = performance.now() - started;
started = performance.now();
const cached = await embedSkills(usable, model, store, () => {
  throw new Error("the model must not be loaded for an unchanged library");
});
const cachedMs = performance.now() - started;
console.log(JSON.stringify({
  skills: usable.length,
  distinct: cold.embedded,
  modelLoadMs: cold.loadMs,
  coldMs: Math.round(coldMs),
  coldSkillsPerSecond: Math.round(cold.embedded / (coldMs / 1000)),
  embedOnlySkillsPerSecond: Math.round(cold.embedded / ((coldMs - cold.loadMs) / 1000)),
  cachedMs: Math.round(cachedMs),
  cachedHits: cached.cached,
  peakMemoryMiB: Math.round(residentMemory("self").peak),
}));
await Deno.remove(dir, { recursive: true });
