/**
 * JSON written in pieces: a run report over 60,000 skills is more text than
 * is wise to hold as one string (V8 refuses strings past about 512 MiB, and
 * the string doubles the memory of the report it is made from). Arrays and
 * plain objects are walked; every other value (a string, a number, a leaf) is
 * `JSON.stringify`'s, so a secret never straddles two pieces and can be
 * scrubbed piece by piece.
 *
 * @module
 */

/** Pieces are joined up to about this many characters before they are handed out. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The JSON text of a value, in pieces whose concatenation is `JSON.stringify(value)` (for data: arrays, plain objects
 * and primitives; `undefined` members are left out, and `undefined` in an array is `null`, as `JSON.stringify` does).
 *
 * @param value The value.
 * @returns The pieces, each at most about 64 KiB unless one leaf is longer.
 *
 * @example
 * ```ts
 * import { jsonChunks } from "./json_chunks.ts";
 * const report = { runId: "r1", clusters: [{ members: ["a", "b"] }], skipped: undefined };
 * console.assert([...jsonChunks(report)].join("") === JSON.stringify(report));
 * ```
 */
export function* jsonChunks(value: unknown): Generator<string> {
  let pending = "";
  for (const piece of pieces(value)) {
    pending += piece;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = "";
    }
  }
  if (pending) yield pending;
}

function* pieces(value: unknown): Generator<string> {
  if (Array.isArray(value)) {
    yield "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ",";
      const item = value[i];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") yield "null";
      else yield* pieces(item);
    }
    yield "]";
    return;
  }
  if (value !== null && typeof value === "object" && !("toJSON" in value)) {
    yield "{";
    let first = true;
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
      yield `${first ? "" : ","}${JSON.stringify(key)}:`;
      first = false;
      yield* pieces(member);
    }
    yield "}";
    return;
  }
  yield JSON.stringify(value) ?? "null";
}

/**
 * The UTF-8 bytes of a value's JSON, built piece by piece: never one string of the whole.
 *
 * @param value The value.
 * @param piece What to do to each piece before it is encoded (scrub secrets); nothing by default.
 * @returns The bytes of `JSON.stringify(value)` (each piece transformed).
 *
 * @example
 * ```ts
 * import { jsonBytes } from "./json_chunks.ts";
 * console.assert(new TextDecoder().decode(jsonBytes({ a: [1, "é"] })) === '{"a":[1,"é"]}');
 * ```
 */
export function jsonBytes(value: unknown, piece: (text: string) => string = (text) => text): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const chunk of jsonChunks(value)) {
    const bytes = encoder.encode(piece(chunk));
    parts.push(bytes);
    length += bytes.length;
  }
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}
