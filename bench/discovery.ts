// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures discovery in a fresh process: wall time, files per second and peak
 * memory (the process's high-water resident set, from /proc, hence `-A`).
 *
 * Usage: deno run -A bench/discovery.ts REPO [SKILLS_DIR] [inline|workers|cached] [WORKERS]
 *
 * - `inline`: one thread, nothing cached (a first run without worker permissions);
 * - `workers`: the calling thread and WORKERS workers (default: one per core
 *   besides it), nothing cached (a first run);
 * - `cached`: a first run fills the discovery cache, the second is timed (an
 *   unchanged library on the next heartbeat).
 *
 * @module
 */

import { join } from "node:path";
import { discoverSkills, type DiscoveryOptions } from "../src/discovery/discover.ts";
import { RACY_WINDOW_MS } from "../src/discovery/discovery_cache.ts";
import { DEFAULT_RULE_SETS } from "../src/discovery/discovery_settings.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { residentMemory } from "./resident_memory.ts";

if (import.meta.main) {
  const [repo = ".", skillsDir = "skills", mode = "workers", workers] = Deno.args;
  const options: DiscoveryOptions = {
    repo,
    skillsDir: join(repo, skillsDir),
    ruleSets: DEFAULT_RULE_SETS,
    ...(mode === "inline" ? { workers: 0 } : workers ? { workers: Number(workers) } : {}),
    // Files generated moments ago would all fall in the racy window.
    now: Date.now() + 10 * RACY_WINDOW_MS,
  };
  if (mode === "cached") options.cache = (await discoverSkills(denoFileSystem, options)).cache;
  const started = performance.now();
  const result = await discoverSkills(denoFileSystem, options);
  const ms = performance.now() - started;
  console.log(JSON.stringify({
    mode,
    files: result.report.found,
    parsed: result.report.parsed,
    read: result.read,
    ms: Math.round(ms),
    filesPerSecond: Math.round(result.report.found / (ms / 1000)),
    peakMemoryMiB: Math.round(residentMemory("self").peak),
  }));
}
