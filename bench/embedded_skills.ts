/**
 * A library as the clustering benchmarks take it: the usable skills of `REPO/SKILLS_DIR` and their embeddings by
 * content hash, from the bundled model.
 *
 * @module
 */

import { join } from "node:path";
import { discoverSkills } from "../src/discovery/discover.ts";
import type { Skill } from "../src/discovery/skill.ts";
import { loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";

/**
 * Discovers a library (no rule sets) and embeds its usable skills.
 *
 * @param repo The repository.
 * @param skillsDir Its skills directory, relative to it.
 * @returns The usable skills and their vectors by content hash.
 */
export async function embeddedSkills(
  repo: string,
  skillsDir: string,
): Promise<{ usable: Skill[]; vectors: Map<string, Float32Array> }> {
  const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, skillsDir), ruleSets: [] });
  const usable = skills.filter((skill) => !skill.excluded);
  const embedder = await loadEmbedder({});
  const vectors = await embedder.embed(usable.map(skillEmbeddingText));
  await embedder.dispose();
  return { usable, vectors: new Map(usable.map((skill, i) => [skill.contentHash, vectors[i]!])) };
}
