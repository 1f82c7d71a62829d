/**
 * An answer's body made of bytes the server keeps (an encoded report, a
 * dashboard file), handed to the connection as they are. A `Response` made
 * from a `Uint8Array` copies it, once per request: forty clients reading a
 * 32 MiB report slowly, or one pipelining forty requests for it, held forty
 * copies until each was sent. A stream that yields the kept bytes themselves
 * holds none.
 *
 * @module
 */

/**
 * A body that yields `bytes` themselves, in one chunk; give its length as `Content-Length` beside it.
 *
 * @param bytes The kept bytes; never changed after.
 * @returns The body, for `new Response` or Hono's `c.body`.
 *
 * @example
 * ```ts
 * import { sharedBody } from "./shared_body.ts";
 * const kept = new TextEncoder().encode('{"ok":true}');
 * const response = new Response(sharedBody(kept), { headers: { "content-length": String(kept.length) } });
 * const { value } = await response.body!.getReader().read();
 * console.assert(value?.buffer === kept.buffer);
 * ```
 */
export function sharedBody(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}
