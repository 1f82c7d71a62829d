/**
 * The rate limit as Hono middleware: a request over its client's limit gets
 * 429 with `Retry-After`, and goes no further.
 *
 * @module
 */

import type { Context, Env, MiddlewareHandler } from "hono";

/**
 * Limits requests by a key of the caller's choosing.
 *
 * @param limiter Answers 0 when the key's request may go ahead, else the seconds to wait (see `rateLimiter`).
 * @param keyOf The key a request counts against: who sent it. Keyed after authentication, the owner's requests never
 *   share a bucket with a stranger's, however many the stranger sends.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { limitRequests } from "./limit_requests.ts";
 * import { rateLimiter } from "../serve/rate_limit.ts";
 * const app = new Hono();
 * app.use(limitRequests(rateLimiter({ burst: 60, perSecond: 10 }), (c) => c.req.header("x-client") ?? "anyone"));
 * ```
 */
export function limitRequests<E extends Env>(
  limiter: (key: string) => number,
  keyOf: (c: Context<E>) => string,
): MiddlewareHandler<E> {
  return async function rateLimited(c, next) {
    const wait = limiter(keyOf(c));
    if (wait === 0) return await next();
    c.header("Retry-After", String(wait));
    return c.json({ error: `too many requests: try again in ${wait} s` }, 429);
  };
}
