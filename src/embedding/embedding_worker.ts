/**
 * A worker holding its own copy of the model, for embedding large inputs on
 * every core.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type Embedder, type EmbedderOptions, loadLocalEmbedder } from "./embedder.ts";
import { errorMessage } from "../error_message.ts";

/**
 * The message an embedding worker takes: texts to embed, or `release` to free
 * the model before the worker is terminated (terminating a worker that still
 * holds an ONNX session leaks the session's native memory, about 25 MB a time).
 */
export type EmbeddingWorkerRequest =
  & {
    /** Echoed in the response. */
    id: number;
  }
  & ({
    /** How to load the model (on the first message). */
    options: EmbedderOptions;
    /** The texts to embed. */
    texts: string[];
  } | { release: true });

/** What an embedding worker answers. */
export type EmbeddingWorkerResponse = { id: number } & ({ vectors: Float32Array[] } | { error: string });

// In a Deno worker `location.origin` is the string "null", which the
// onnxruntime-web start-up code bundled in transformers.js's Node build passes
// to `new URL()` as a base, and fails. Without `location` it starts as on the
// main thread (transformers.js is imported only after this line runs).
Object.defineProperty(globalThis, "location", { value: undefined, configurable: true });

let embedder: Promise<Embedder> | undefined;

self.onmessage = async (event: MessageEvent<EmbeddingWorkerRequest>) => {
  const request = event.data;
  const { id } = request;
  try {
    if ("release" in request) {
      const loaded = embedder;
      embedder = undefined;
      await (await loaded)?.dispose();
      self.postMessage({ id, vectors: [] } satisfies EmbeddingWorkerResponse);
      return;
    }
    embedder ??= loadLocalEmbedder(request.options);
    const vectors = await (await embedder).embed(request.texts);
    const response: EmbeddingWorkerResponse = { id, vectors };
    self.postMessage(response, vectors.map((vector) => vector.buffer as ArrayBuffer));
  } catch (error) {
    const response: EmbeddingWorkerResponse = { id, error: errorMessage(error) };
    self.postMessage(response);
  }
};
