/**
 * What a server answers when a handler throws: a generic 500, the same every
 * time. The error's message can hold a path of the install, a file's name or
 * worse; it goes to the log, never to the client.
 *
 * @module
 */

import type { Logger } from "@logtape/logtape";
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * The error handler: an `HTTPException` answers as it was thrown to (hono's own 4xx), anything else is logged and
 * answered `500 {"error": "internal error"}`.
 *
 * @param logger Where the error goes.
 * @returns The handler, for `app.onError`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { getLogger } from "@logtape/logtape";
 * import { internalError } from "./internal_error.ts";
 * const app = new Hono();
 * app.onError(internalError(getLogger(["example"])));
 * ```
 */
export function internalError(logger: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof HTTPException && error.status < 500) return error.getResponse();
    logger.error("{method} {path} failed: {error}", { method: c.req.method, path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  };
}
