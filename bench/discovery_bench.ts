/**
 * `deno bench` for discovery over the shared corpus (2,417 files): one
 * thread, nothing cached, and an unchanged library with the cache. Skipped
 * when `../shared` is absent.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverSkills, type DiscoveryOptions } from "../src/discovery/discover.ts";
import { RACY_WINDOW_MS } from "../src/discovery/discovery_cache.ts";
import { DEFAULT_RULE_SETS } from "../src/discovery/discovery_settings.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";

const corpus = fileURLToPath(new URL("../../shared/corpora/openclaw-skills", import.meta.url));
let present = true;
try {
  Deno.statSync(corpus);
} catch {
  present = false;
}

const options: DiscoveryOptions = {
  repo: corpus,
  skillsDir: join(corpus, "skills"),
  ruleSets: DEFAULT_RULE_SETS,
  workers: 0,
  now: Date.now() + 10 * RACY_WINDOW_MS,
};
const cache = present ? (await discoverSkills(denoFileSystem, options)).cache : new Map();

Deno.bench({ name: "discovery of the 2,417-file corpus, one thread, cold", ignore: !present }, async () => {
  await discoverSkills(denoFileSystem, options);
});

Deno.bench({ name: "discovery of the 2,417-file corpus, unchanged, cached", ignore: !present }, async () => {
  await discoverSkills(denoFileSystem, { ...options, cache });
});
