/**
 * Writes the ONNX graph of a static embedding model: `input_ids` →
 * `Gather(token table)` → `last_hidden_state`, the output transformers.js's
 * feature-extraction pipeline mean-pools and normalises. ONNX files are
 * protocol buffers; the few message types this graph needs are encoded by hand,
 * so the build needs no ONNX tooling.
 *
 * @module
 */

/** ONNX tensor element types used here. */
const FLOAT = 1;
const INT8 = 3;
const INT64 = 7;

class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  #varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.#push(new Uint8Array(bytes));
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

type Dim = number | string;

function valueInfo(writer: ProtoWriter, name: string, elemType: number, dims: Dim[]): void {
  writer.string(1, name).message(
    2,
    (type) =>
      type.message(1, (tensor) =>
        tensor.int(1, elemType).message(2, (shape) => {
          for (const dim of dims) {
            shape.message(1, (d) => typeof dim === "number" ? d.int(1, dim) : d.string(2, dim));
          }
        })),
  );
}

function tensor(writer: ProtoWriter, name: string, elemType: number, dims: number[], raw: Uint8Array): void {
  for (const dim of dims) writer.int(1, dim);
  writer.int(2, elemType).string(8, name).bytes(9, raw);
}

function node(
  writer: ProtoWriter,
  op: string,
  inputs: string[],
  outputs: string[],
  attributes?: (w: ProtoWriter) => void,
) {
  for (const input of inputs) writer.string(1, input);
  for (const output of outputs) writer.string(2, output);
  writer.string(3, `${op}_${outputs[0]}`).string(4, op);
  if (attributes) attributes(writer);
}

function model(build: (graph: ProtoWriter) => void): Uint8Array {
  return new ProtoWriter()
    .int(1, 8) // IR version 8
    .string(2, "clawstr-skill-orchestrator")
    .message(8, (opset) => opset.string(1, "").int(2, 13))
    .message(7, (graph) => {
      graph.string(2, "static_embedding");
      build(graph);
    })
    .finish();
}

function littleEndian(array: Float32Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * The fp32 model: `last_hidden_state[b, t, :] = table[input_ids[b, t], :]`.
 *
 * @param table Row-major `vocabSize × dims` token vectors (weights already applied).
 * @param dims The vector width.
 * @returns The ONNX file's bytes.
 */
export function staticEmbeddingModel(table: Float32Array, dims: number): Uint8Array {
  const vocabSize = table.length / dims;
  return model((graph) => {
    graph.message(1, (n) => node(n, "Gather", ["embeddings", "input_ids"], ["last_hidden_state"]));
    graph.message(5, (t) => tensor(t, "embeddings", FLOAT, [vocabSize, dims], littleEndian(table)));
    graph.message(11, (v) => valueInfo(v, "input_ids", INT64, ["batch_size", "sequence_length"]));
    graph.message(12, (v) => valueInfo(v, "last_hidden_state", FLOAT, ["batch_size", "sequence_length", dims]));
  });
}

/**
 * The 8-bit model: each row stored as int8 with its own scale, dequantised
 * after the lookup (`Gather` of the int8 rows and of the scales, `Cast`, `Mul`).
 *
 * @param table Row-major `vocabSize × dims` token vectors.
 * @param dims The vector width.
 * @returns The ONNX file's bytes.
 */
export function quantizedStaticEmbeddingModel(table: Float32Array, dims: number): Uint8Array {
  const vocabSize = table.length / dims;
  const quantized = new Int8Array(table.length);
  const scales = new Float32Array(vocabSize);
  for (let row = 0; row < vocabSize; row++) {
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(table[row * dims + d]!));
    const scale = max === 0 ? 1 : max / 127;
    scales[row] = scale;
    for (let d = 0; d < dims; d++) quantized[row * dims + d] = Math.round(table[row * dims + d]! / scale);
  }
  return model((graph) => {
    graph.message(1, (n) => node(n, "Gather", ["embeddings_q", "input_ids"], ["rows_q"]));
    graph.message(
      1,
      (n) =>
        node(n, "Cast", ["rows_q"], ["rows"], (w) => w.message(5, (a) => a.string(1, "to").int(20, 2).int(3, FLOAT))),
    );
    graph.message(1, (n) => node(n, "Gather", ["scales", "input_ids"], ["row_scales"]));
    graph.message(1, (n) => node(n, "Mul", ["rows", "row_scales"], ["last_hidden_state"]));
    graph.message(5, (t) => tensor(t, "embeddings_q", INT8, [vocabSize, dims], littleEndian(quantized)));
    graph.message(5, (t) => tensor(t, "scales", FLOAT, [vocabSize, 1], littleEndian(scales)));
    graph.message(11, (v) => valueInfo(v, "input_ids", INT64, ["batch_size", "sequence_length"]));
    graph.message(12, (v) => valueInfo(v, "last_hidden_state", FLOAT, ["batch_size", "sequence_length", dims]));
  });
}
