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
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

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
 * @param slice Stops between two slices of texts when the run must (what was embedded is cached first).
 * @returns The vectors and counts.
 * @throws {import("../time_slice.ts").RunStoppedError} When the run was asked to stop.
 */
export async function embedSkills(
  skills: readonly Skill[],
  model: ModelInfo,
  cache: EmbeddingCache,
  load: () => Promise<Embedder>,
  progress: Progress = NO_PROGRESS,
  slice: TimeSlice = UNSLICED,
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
    // In slices, so progress can be counted and the run can stop between two.
    for (let start = 0; start < texts.length; start += TEXTS_PER_SLICE) {
      try {
        slice.check();
      } catch (error) {
        // The next run starts where this one stopped.
        await cache.saveEmbeddings(model.id, fresh, live);
        throw error;
      }
      const computed = await embedder.embed(texts.slice(start, start + TEXTS_PER_SLICE));
      computed.forEach((vector, i) => fresh.set(missingHashes[start + i]!, vector));
      embedding.advance(computed.length);
      // Waiting on the workers is no turn for a server's sockets: only a timer is.
      await slice.pause();
    }
    await cache.saveEmbeddings(model.id, fresh, live);
    for (const [hash, vector] of fresh) vectors.set(hash, vector);
    return { vectors, embedded: fresh.size, cached: hashes.length - fresh.size, loadMs };
  } finally {
    embedding.end();
    await embedder.dispose();
  }
}

/**
 * How many texts go to the embedder at once: enough to keep every thread busy, few enough that this thread's share
 * (the static model embeds on it) is not a stall of most of a second.
 */
const TEXTS_PER_SLICE = 100;
