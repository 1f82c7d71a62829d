/**
 * 405 for a path that exists with another method, with `Allow` listing the
 * methods it has; 404 only for a path that does not exist at all.
 *
 * @module
 */

import type { Env, Handler, Hono, NotFoundHandler } from "hono";
import { PatternRouter } from "hono/router/pattern-router";

/** Hono's method for middleware (`app.use`), which answers nothing itself. */
const MIDDLEWARE_METHOD = "ALL";

/**
 * The not-found handler of `app`: 405 with `Allow` when another method has the path, else `notFound`.
 *
 * @param app The application, whose routes are read at the first request (when all are registered).
 * @param notFound What a path no route has gets.
 * @returns The handler, for `app.notFound`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { methodNotAllowed } from "./method_not_allowed.ts";
 * const app = new Hono();
 * app.post("/run", (c) => c.text("ran"));
 * app.notFound(methodNotAllowed(app, (c) => c.json({ error: "not found" }, 404)));
 * const answer = await app.request("/run");
 * console.assert(answer.status === 405 && answer.headers.get("allow") === "POST");
 * ```
 */
export function methodNotAllowed<E extends Env>(app: Hono<E>, notFound: NotFoundHandler<E>): NotFoundHandler<E> {
  let router: PatternRouter<string> | undefined;
  return (c) => {
    router ??= routesByPath(app.routes);
    const methods = new Set(router.match(MIDDLEWARE_METHOD, c.req.path)[0].map(([method]) => method));
    // Hono answers HEAD with the GET route.
    if (methods.has("GET")) methods.add("HEAD");
    if (methods.size === 0) return notFound(c);
    const allowed = [...methods].sort();
    c.header("Allow", allowed.join(", "));
    return c.json({ error: `${c.req.method} is not allowed here: use ${allowed.join(" or ")}` }, 405);
  };
}

/** A router that finds every route of a path whatever its method, answering the route's method. */
function routesByPath(routes: ReadonlyArray<{ method: string; path: string; handler: Handler }>) {
  const router = new PatternRouter<string>();
  for (const { method, path } of routes) {
    if (method !== MIDDLEWARE_METHOD) router.add(MIDDLEWARE_METHOD, path, method);
  }
  return router;
}
