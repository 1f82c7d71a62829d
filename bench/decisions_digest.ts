// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * The clustering decisions over a library, one line each (`action kind members…`, sorted), then their SHA-256: run it
 * before and after a change made for speed, and the two outputs must be the same (`diff`), or the change moved a
 * decision and is audited as one.
 *
 * Usage: deno run -A bench/decisions_digest.ts REPO [SKILLS_DIR] > decisions.txt
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";

const [repo = ".", skillsDir = "skills"] = Deno.args;
const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, skillsDir), ruleSets: [] });
const usable = skills.filter((skill) => !skill.excluded);
const embedder = await loadEmbedder({});
const vectors = await embedder.embed(usable.map(skillEmbeddingText));
await embedder.dispose();
const clusters = await clusterSkills(usable, new Map(usable.map((skill, i) => [skill.contentHash, vectors[i]!])), {
  skillsDir,
});
const lines = clusters.map((cluster) => [cluster.action, cluster.kind, ...cluster.members].join("\t")).sort();
for (const line of lines) console.log(line);
console.log(`# ${lines.length} clusters, sha256 ${createHash("sha256").update(lines.join("\n")).digest("hex")}`);
