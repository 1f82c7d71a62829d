/**
 * Embeds skills through the cache: a skill whose content hash has a vector for
 * the current model is never embedded again, and the model is loaded only when
 * some skill has none.
 *
 * @module
 */

import type { Skill } from "../discovery/skill.ts";
import type { Embedder, ModelInfo } from "./embedder.ts";
import { skillEmbeddingText } from "./skill_text.ts";
import { NO_PROGRESS, type Progress } from "../progress.ts";

/** Vectors by content hash, for one model. */
export interface EmbeddingCache {
  /**
   * @param modelId The model's identity.
   * @param hashes Content hashes.
   * @returns The vectors known for them.
   */
  loadEmbeddings(modelId: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /**
   * @param modelId The model's identity.
   * @param vectors New vectors by content hash.
   * @param live Every content hash of the library: vectors of others are dropped.
   */
  saveEmbeddings(
    modelId: string,
    vectors: ReadonlyMap<string, Float32Array>,
    live: ReadonlySet<string>,
  ): Promise<void>;
}

/** What embedding the skills did. */
export interface EmbeddingOutcome {
  /** Vectors by content hash. */
  vectors: Map<string, Float32Array>;
  /** Skills embedded now. */
  embedded: number;
  /** Skills whose vectors came from the cache. */
  cached: number;
  /** Milliseconds spent loading the model, 0 when it was not needed. */
  loadMs: number;
}

/**
 * Embeds every skill, through the cache.
 *
 * @param skills The skills.
 * @param model The model's identity (computed without loading it).
 * @param cache The embedding cache.
 * @param load Loads the embedder; called only when a skill is not cached.
 * @param progress Counts the skills embedded.
 * @returns The vectors and counts.
 */
export async function embedSkills(
  skills: readonly Skill[],
  model: ModelInfo,
  cache: EmbeddingCache,
  load: () => Promise<Embedder>,
  progress: Progress = NO_PROGRESS,
): Promise<EmbeddingOutcome> {
  const live = new Set(skills.map((skill) => skill.contentHash));
  const hashes = [...live];
  const vectors = await cache.loadEmbeddings(model.id, hashes);
  const missing = new Map<string, Skill>();
  for (const skill of skills) if (!vectors.has(skill.contentHash)) missing.set(skill.contentHash, skill);
  if (missing.size === 0) return { vectors, embedded: 0, cached: hashes.length, loadMs: 0 };
  const started = performance.now();
  const embedder = await load();
  const loadMs = Math.round(performance.now() - started);
  const embedding = progress.start("skills embedded", missing.size);
  try {
    const fresh = new Map<string, Float32Array>();
    const missingHashes = [...missing.keys()];
    const texts = [...missing.values()].map(skillEmbeddingText);
    // In slices, so progress can be counted; each slice is large enough to keep every thread busy.
    for (let start = 0; start < texts.length; start += TEXTS_PER_SLICE) {
      const computed = await embedder.embed(texts.slice(start, start + TEXTS_PER_SLICE));
      computed.forEach((vector, i) => fresh.set(missingHashes[start + i]!, vector));
      embedding.advance(computed.length);
    }
    await cache.saveEmbeddings(model.id, fresh, live);
    for (const [hash, vector] of fresh) vectors.set(hash, vector);
    return { vectors, embedded: fresh.size, cached: hashes.length - fresh.size, loadMs };
  } finally {
    embedding.end();
    await embedder.dispose();
  }
}

/** How many texts go to the embedder at once. */
const TEXTS_PER_SLICE = 4000;
