/**
 * The model health check: the embedding model loads and embeds.
 *
 * @module
 */

import type { HealthCheck } from "../health.ts";
import { loadLocalEmbedder } from "./embedder.ts";
import { euclideanNorm } from "../vector_norm.ts";

/**
 * Loads the model on this thread, embeds a probe, and reports the model's
 * name, width and load time.
 *
 * @param modelDir The model directory.
 * @returns The check.
 */
export function modelCheck(modelDir: string): HealthCheck {
  return async () => {
    const started = performance.now();
    const embedder = await loadLocalEmbedder({ modelDir });
    const loadMs = Math.round(performance.now() - started);
    try {
      const [vector] = await embedder.embed(["check that the model embeds"]);
      const norm = euclideanNorm(vector ?? []);
      const healthy = Math.abs(norm - 1) < 1e-3;
      return {
        name: "model",
        healthy,
        detail: `${embedder.model.name}, ${embedder.dims} dimensions, loaded in ${loadMs} ms${
          healthy ? "" : `; a probe vector has norm ${norm.toFixed(3)}, not 1`
        }`,
        data: { name: embedder.model.name, id: embedder.model.id, dims: embedder.dims, loadMs, dir: modelDir },
      };
    } finally {
      await embedder.dispose();
    }
  };
}
