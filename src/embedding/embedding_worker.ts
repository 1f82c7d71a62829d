/**
 * A worker holding its own copy of the model, for embedding large inputs on
 * every core.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import {
  type Embedder,
  type EmbeddingWorkerRequest,
  type EmbeddingWorkerResponse,
  loadLocalEmbedder,
} from "./embedder.ts";
import { errorMessage } from "../error_message.ts";

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
