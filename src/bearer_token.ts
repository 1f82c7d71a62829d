/**
 * Checking an HTTP request's bearer token (`Authorization: Bearer …`) in
 * constant time, for every server the program runs.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import type { Secret } from "./secret.ts";

/**
 * Whether an `Authorization` header carries the token.
 *
 * @param header The header's value, if any.
 * @param token The token.
 * @returns `true` only for `Bearer <token>`.
 *
 * @example
 * ```ts
 * import { bearerMatches } from "./bearer_token.ts";
 * import { Secret } from "./secret.ts";
 * console.assert(bearerMatches("Bearer s3cret", new Secret("s3cret")) && !bearerMatches("Bearer s3cre", new Secret("s3cret")));
 * console.assert(!bearerMatches("s3cret", new Secret("s3cret")));
 * ```
 */
export function bearerMatches(header: string | null | undefined, token: Secret): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!bearer) return false;
  const given = new TextEncoder().encode(bearer[1]);
  const expected = new TextEncoder().encode(token.reveal());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
