/**
 * The embedder: turns texts into normalised vectors with a model loaded by
 * transformers.js's `pipeline("feature-extraction")`, offline, from a model
 * directory in the Hugging Face layout. The bundled model is one; any other
 * feature-extraction model (an all-MiniLM-L6-v2 a user downloaded, say) loads
 * the same way.
 *
 * Large inputs are split between this thread and worker threads, each with
 * its own copy of the model: tokenizing is the expensive part.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { staticEmbedding, staticTable } from "./static_model.ts";

/** The bundled model's directory, next to the program (source mode and compiled binary alike). */
export const BUNDLED_MODEL_DIR: string = fileURLToPath(new URL("../../models/clawstr-static-64", import.meta.url));

/** What identifies a model: a cache of its vectors is valid only for the same identity. */
export interface ModelInfo {
  /** The directory's name, e.g. `clawstr-static-64`. */
  name: string;
  /** The directory. */
  dir: string;
  /** SHA-256 over the model's files and the precision it runs in, hex. */
  id: string;
  /** The weights file used: `onnx/model.onnx` or `onnx/model_quantized.onnx`. */
  weights: string;
}

/** Turns texts into vectors. */
export interface Embedder {
  /** The model. */
  readonly model: ModelInfo;
  /** The vector width. */
  readonly dims: number;
  /**
   * @param texts The texts.
   * @returns One L2-normalised vector per text, in order.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees the model's sessions and workers. */
  dispose(): Promise<void>;
}

/** The weights' precision: `fp32` (`onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). */
export type ModelPrecision = "fp32" | "q8";

/** How to load an embedder. Plain data: workers get a copy. */
export interface EmbedderOptions {
  /** The model directory; the bundled model by default. */
  modelDir?: string;
  /** The weights' precision; fp32 by default. */
  dtype?: ModelPrecision;
  /** Threads of each ONNX session; 1 by default (the threads are spent on workers instead). */
  threads?: number;
  /** Texts per call into the model; 64 by default. */
  batchSize?: number;
  /** Worker threads besides this one for large inputs; one per further core by default. */
  workers?: number;
  /** Compute a static model without the model runtime (the default), or run it in onnxruntime (`false`). */
  staticModel?: boolean;
}

/** The model directory cannot be used. */
export class ModelError extends Error {
  override name = "ModelError";
}

/** Below this many texts per thread, handing a share to a worker costs more than it saves. */
export const TEXTS_PER_WORKER = 50;

const MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json"];

/**
 * Identifies a model without loading it: hashes its files, so the cache can
 * be checked before paying for the model's start-up.
 *
 * @param modelDir The model directory.
 * @param dtype The precision it will run in.
 * @returns The model's identity.
 * @throws {ModelError} When a file transformers.js needs is missing.
 */
export async function identifyModel(modelDir: string, dtype: ModelPrecision = "fp32"): Promise<ModelInfo> {
  const weights = dtype === "q8" ? "onnx/model_quantized.onnx" : "onnx/model.onnx";
  const hash = createHash("sha256").update(dtype);
  for (const file of [...MODEL_FILES, weights]) {
    try {
      hash.update(file).update(await Deno.readFile(join(modelDir, file)));
    } catch (error) {
      throw new ModelError(
        `Cannot use the model in ${modelDir}: ${file} ${
          error instanceof Deno.errors.NotFound ? "is missing" : `cannot be read (${(error as Error).message})`
        }`,
      );
    }
  }
  return { name: basename(modelDir), dir: modelDir, id: hash.digest("hex"), weights };
}

/**
 * Loads a model. Nothing is ever downloaded: remote models are turned off.
 *
 * @param options The model directory, precision, threads, batch size and workers.
 * @returns The embedder.
 * @throws {ModelError} When the model cannot be identified or loaded.
 */
export async function loadEmbedder(options: EmbedderOptions = {}): Promise<Embedder> {
  const workerCount = Math.max(0, options.workers ?? navigator.hardwareConcurrency - 1);
  const pool = workerCount > 0 && mayStartWorkers()
    ? new EmbeddingPool(workerCount, { ...options, workers: 0 })
    : undefined;
  let local: Embedder;
  try {
    local = await loadLocalEmbedder(options);
  } catch (error) {
    await pool?.close();
    throw error;
  }
  if (!pool) return local;
  return {
    model: local.model,
    get dims() {
      return local.dims;
    },
    async embed(texts) {
      const threads = Math.min(workerCount + 1, Math.floor(texts.length / TEXTS_PER_WORKER));
      if (threads <= 1) return await local.embed(texts);
      // Interleaved shares have similar length mixes, so the threads finish together.
      const shares = Array.from({ length: threads }, (_, t) => texts.filter((_, i) => i % threads === t));
      const results = await Promise.all([local.embed(shares[0]!), ...shares.slice(1).map((s, w) => pool.embed(w, s))]);
      return texts.map((_, i) => results[i % threads]![Math.floor(i / threads)]!);
    },
    async dispose() {
      await pool.close();
      await local.dispose();
    },
  };
}

/**
 * Loads the model on this thread only.
 *
 * @param options The model directory, precision, threads and batch size.
 * @returns The embedder.
 */
export async function loadLocalEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const modelDir = options.modelDir ?? BUNDLED_MODEL_DIR;
  const dtype = options.dtype ?? "fp32";
  const model = await identifyModel(modelDir, dtype);
  const table = dtype === "fp32" && options.staticModel !== false
    ? staticTable(await Deno.readFile(join(modelDir, model.weights)))
    : undefined;
  if (table) {
    // A static model needs no model runtime: the same vectors, without onnxruntime's memory (static_model.ts).
    const embed = await staticEmbedding(modelDir, table);
    return {
      model,
      dims: table.dims,
      embed: (texts) => Promise.resolve(embed(texts)),
      dispose: () => Promise.resolve(),
    };
  }
  const { env, pipeline } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(modelDir);
  env.useFSCache = false;
  env.useBrowserCache = false;
  let extractor;
  try {
    extractor = await pipeline("feature-extraction", basename(modelDir), {
      dtype,
      session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
    });
  } catch (error) {
    throw new ModelError(`Cannot load the model in ${modelDir}: ${(error as Error).message}`);
  }
  const { tokenizer, model: network } = extractor;
  const batchSize = options.batchSize ?? 64;
  let dims = 0;
  const embedder: Embedder = {
    model,
    get dims() {
      return dims;
    },
    async embed(texts) {
      // Batches of similar length waste little on padding; the order is restored after.
      const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
      const vectors: Float32Array[] = new Array(texts.length);
      for (let start = 0; start < order.length; start += batchSize) {
        const indices = order.slice(start, start + batchSize);
        const inputs = tokenizer(indices.map((i) => texts[i] || " "), { padding: true, truncation: true });
        const outputs = await network(inputs);
        const hidden = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
        const pooled = meanPool(hidden.data as Float32Array, hidden.dims as number[], inputs.attention_mask.data);
        dims = hidden.dims[2] as number;
        indices.forEach((index, row) => (vectors[index] = pooled[row]!));
      }
      return vectors;
    },
    async dispose() {
      await extractor.dispose();
    },
  };
  await embedder.embed(["probe"]);
  return embedder;
}

/**
 * Mean pooling over the tokens the attention mask keeps, then L2
 * normalisation: what the feature-extraction pipeline's `pooling: "mean",
 * normalize: true` computes, in one pass (the pipeline's own tensor code
 * costs several times the model on a static model).
 *
 * @param hidden `[batch, tokens, dims]` token vectors, row-major.
 * @param shape The tensor's dimensions.
 * @param mask `[batch, tokens]` attention mask.
 * @returns One normalised vector per row of the batch.
 */
export function meanPool(
  hidden: Float32Array,
  shape: readonly number[],
  mask: ArrayLike<number | bigint>,
): Float32Array[] {
  const [batch = 0, tokens = 0, dims = 0] = shape;
  const pooled: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    // The sum, not the mean: dividing by the count is undone by the normalisation.
    const sum = new Float32Array(dims);
    for (let t = 0; t < tokens; t++) {
      if (!Number(mask[b * tokens + t])) continue;
      const offset = (b * tokens + t) * dims;
      for (let d = 0; d < dims; d++) sum[d]! += hidden[offset + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += sum[d]! * sum[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) sum[d]! /= norm;
    pooled.push(sum);
  }
  return pooled;
}

const WORKER_URL = new URL("./embedding_worker.ts", import.meta.url);

/** Deno checks read permission on a worker's module file; without it, embedding stays on one thread. */
function mayStartWorkers(): boolean {
  if (WORKER_URL.protocol !== "file:") return true;
  return Deno.permissions.querySync({ name: "read", path: WORKER_URL }).state === "granted";
}

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

/** `Omit` over each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Workers each holding the model, loading it as soon as the pool starts. */
class EmbeddingPool {
  #workers: Worker[];
  #pending = new Map<number, PromiseWithResolvers<Float32Array[]>>();
  #nextId = 0;
  #options: EmbedderOptions;

  constructor(size: number, options: EmbedderOptions) {
    this.#options = options;
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_URL, { type: "module" });
      worker.onmessage = (event: MessageEvent<EmbeddingWorkerResponse>) => {
        const waiting = this.#pending.get(event.data.id);
        this.#pending.delete(event.data.id);
        if ("error" in event.data) waiting?.reject(new ModelError(event.data.error));
        else waiting?.resolve(event.data.vectors);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        for (const waiting of this.#pending.values()) {
          waiting.reject(new ModelError(`An embedding worker failed: ${event.message}`));
        }
        this.#pending.clear();
      };
      return worker;
    });
    // Load the model in every worker now, while this thread loads its own.
    for (let index = 0; index < size; index++) this.embed(index, []).catch(() => {});
  }

  embed(index: number, texts: string[]): Promise<Float32Array[]> {
    return this.#ask(index, { options: this.#options, texts });
  }

  /** Frees each worker's model, then terminates the workers. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#workers.map((_, index) => this.#ask(index, { release: true })));
    for (const worker of this.#workers) worker.terminate();
  }

  #ask(index: number, request: DistributiveOmit<EmbeddingWorkerRequest, "id">): Promise<Float32Array[]> {
    const id = this.#nextId++;
    const waiting = Promise.withResolvers<Float32Array[]>();
    this.#pending.set(id, waiting);
    this.#workers[index]!.postMessage({ id, ...request } satisfies EmbeddingWorkerRequest);
    return waiting.promise;
  }
}
