/**
 * Bearer authentication as Hono middleware: {@linkcode authenticate} notes
 * whether a request carries the token, before anything else looks at it (the
 * rate limit keeps the owner's requests apart from strangers' by it), and
 * {@linkcode requireToken} refuses the routes that need it.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { bearerMatches } from "../bearer_token.ts";
import type { Secret } from "../secret.ts";

/** What {@linkcode authenticate} sets for the handlers after it. */
export interface AuthenticatedEnv {
  Variables: {
    /** Whether the request carries the bearer token. */
    authenticated: boolean;
  };
}

/**
 * Notes whether each request carries `Authorization: Bearer <token>` (`c.var.authenticated`); refuses nothing.
 *
 * @param token The token; none: no request is authenticated.
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { type AuthenticatedEnv, authenticate } from "./bearer_auth.ts";
 * import { Secret } from "../secret.ts";
 * const app = new Hono<AuthenticatedEnv>();
 * app.use(authenticate(new Secret("a-token-of-16-characters")));
 * app.get("/", (c) => c.text(String(c.var.authenticated)));
 * ```
 */
export function authenticate(token: Secret | undefined): MiddlewareHandler<AuthenticatedEnv> {
  return async function authenticated(c, next) {
    c.set("authenticated", token !== undefined && bearerMatches(c.req.header("authorization"), token));
    await next();
  };
}

/**
 * Answers 401 (with `WWW-Authenticate`) to a request that {@linkcode authenticate} did not authenticate.
 *
 * @param options The realm, and the variable that holds the token (named in the answer).
 * @returns The middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { type AuthenticatedEnv, authenticate, requireToken } from "./bearer_auth.ts";
 * const app = new Hono<AuthenticatedEnv>();
 * app.use(authenticate(undefined));
 * app.post("/run", requireToken({ realm: "example", variable: "ADMIN_TOKEN" }), (c) => c.text("ran"));
 * ```
 */
export function requireToken(options: { realm: string; variable: string }): MiddlewareHandler<AuthenticatedEnv> {
  return async function tokenRequired(c, next) {
    if (c.var.authenticated) return await next();
    c.header("WWW-Authenticate", `Bearer realm="${options.realm}"`);
    return c.json({ error: `a bearer token is required (${options.variable})` }, 401);
  };
}
