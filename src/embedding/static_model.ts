/**
 * A static embedding model computed without a model runtime. When a model's
 * ONNX graph is one `Gather` over an fp32 table (what `tools/model/` builds),
 * a text's vector is the mean of its tokens' rows, normalised: the table is
 * read from the ONNX file and the tokenizer (pure JavaScript) from
 * `tokenizer.json`. The vectors are those onnxruntime computes, bit for bit,
 * without loading onnxruntime (whose native memory outlives a disposed model).
 *
 * @module
 */

import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

/** The token table of a static model. */
export interface StaticTable {
  /** Row-major `vocabSize × dims`. */
  rows: Float32Array;
  dims: number;
}

/** ONNX's element type for 32-bit floats. */
const FLOAT = 1;

/**
 * The token table, when the ONNX file is one `Gather` of an fp32 initializer by `input_ids`; else `undefined`.
 *
 * @param onnx The ONNX file's bytes.
 * @returns The table, or `undefined` for any other graph.
 *
 * @example
 * ```ts
 * import { staticTable } from "./static_model.ts";
 * console.assert(staticTable(new Uint8Array()) === undefined);
 * ```
 */
export function staticTable(onnx: Uint8Array): StaticTable | undefined {
  const graph = fields(onnx).find((field) => field.number === 7)?.bytes;
  if (!graph) return undefined;
  const graphFields = fields(graph);
  const nodes = graphFields.filter((field) => field.number === 1).map((field) => fields(field.bytes!));
  if (nodes.length !== 1) return undefined;
  const text = (parts: Field[], number: number) =>
    parts.filter((field) => field.number === number).map((field) => new TextDecoder().decode(field.bytes));
  const [node] = nodes as [Field[]];
  const [table, ids] = text(node, 1);
  if (text(node, 4)[0] !== "Gather" || ids !== "input_ids") return undefined;
  for (const initializer of graphFields.filter((field) => field.number === 5)) {
    const tensor = fields(initializer.bytes!);
    if (text(tensor, 8)[0] !== table) continue;
    const dims = tensor.filter((field) => field.number === 1).map((field) => field.value!);
    const type = tensor.find((field) => field.number === 2)?.value;
    const raw = tensor.find((field) => field.number === 9)?.bytes;
    if (type !== FLOAT || dims.length !== 2 || !raw || raw.byteLength !== dims[0]! * dims[1]! * 4) return undefined;
    // Copied: the view must be 4-byte aligned, and little-endian is what ONNX and every platform Deno runs on use.
    return { rows: new Float32Array(raw.slice().buffer), dims: dims[1]! };
  }
  return undefined;
}

/**
 * Embeds with a static table, as transformers.js's tokenizer and the feature-extraction pipeline would: the text
 * with its special tokens, cut to the model's `model_max_length` tokens, an empty text read as one space.
 *
 * @param modelDir The model directory (`tokenizer.json`, `tokenizer_config.json`).
 * @param table The token table.
 * @returns Embeds texts into normalised vectors.
 */
export async function staticEmbedding(
  modelDir: string,
  table: StaticTable,
): Promise<(texts: readonly string[]) => Float32Array[]> {
  const read = async (file: string) => JSON.parse(await Deno.readTextFile(join(modelDir, file)));
  const config = await read("tokenizer_config.json");
  const tokenizer = new Tokenizer(await read("tokenizer.json"), config);
  const maxTokens: number = config.model_max_length ?? Infinity;
  const { rows, dims } = table;
  return (texts) =>
    texts.map((text) => {
      const ids = tokenizer.encode(text || " ").ids.slice(0, maxTokens);
      // The sum, not the mean: dividing by the count is undone by the normalisation.
      const sum = new Float32Array(dims);
      for (const id of ids) {
        const offset = Number(id) * dims;
        for (let d = 0; d < dims; d++) sum[d]! += rows[offset + d]!;
      }
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += sum[d]! * sum[d]!;
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dims; d++) sum[d]! /= norm;
      return sum;
    });
}

/** One protobuf field: its number, and its value (varint) or bytes (length-delimited). */
interface Field {
  number: number;
  value?: number;
  bytes?: Uint8Array;
}

/** The fields of one protobuf message (the wire types ONNX uses). */
function fields(message: Uint8Array): Field[] {
  const found: Field[] = [];
  let at = 0;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = message[at++];
      if (byte === undefined) throw new RangeError("truncated varint");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  try {
    while (at < message.length) {
      const key = varint();
      const number = Math.floor(key / 8);
      switch (key % 8) {
        case 0:
          found.push({ number, value: varint() });
          break;
        case 1:
          at += 8;
          break;
        case 2: {
          const length = varint();
          found.push({ number, bytes: message.subarray(at, at + length) });
          at += length;
          break;
        }
        case 5:
          at += 4;
          break;
        default:
          return [];
      }
    }
  } catch {
    return [];
  }
  return found;
}
