/**
 * A limit on a request's body, per route, as Hono middleware: a body over it
 * gets 413 before it is read (by its `Content-Length`, or as soon as a
 * streamed body passes the limit), and the connection is closed rather than
 * read to the end of what the client declared.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses a body over `maxBytes` with 413 and `Connection: close`.
 *
 * @param maxBytes The largest body the route takes.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { limitBody } from "./body_limit.ts";
 * const app = new Hono();
 * app.post("/decisions", limitBody(16 * 1024), async (c) => c.json(await c.req.json()));
 * ```
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limited = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header("Connection", "close");
      return c.json({ error: `the body is over ${maxBytes} bytes` }, 413);
    },
  });
  return async function bodyLimited(c, next) {
    const request = c.req.raw;
    if (request.body && !request.headers.has("content-length")) {
      // A streamed body is read here and the request made anew with it, from a request of the platform's own class:
      // the one `@hono/node-server` passes is a lighter class that the platform's `Request` will not copy.
      c.req.raw = new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        duplex: "half",
      } as RequestInit);
    }
    return await limited(c, next);
  };
}
