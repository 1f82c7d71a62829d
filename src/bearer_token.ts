/**
 * Checking an HTTP request's bearer token (`Authorization: Bearer …`) in
 * constant time over the whole token, for every server the program runs.
 *
 * @module
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Secret } from "./secret.ts";

/** Options of {@linkcode bearerMatches}. */
export interface BearerMatchOptions {
  /** Compares the two digests; `node:crypto`'s `timingSafeEqual` (a test passes a spy). */
  compare?: (given: Uint8Array, expected: Uint8Array) => boolean;
}

/**
 * A key drawn once per process. Both sides are digested with it, so the comparison always sees two 32-byte digests:
 * comparing the texts themselves would have to stop at a length mismatch and so tell a prober the token's length, and
 * a digest under a key the prober never learns gives no foothold for choosing inputs either.
 */
const DIGEST_KEY = crypto.getRandomValues(new Uint8Array(32));

/**
 * Whether an `Authorization` header carries the token. The time it takes depends on neither the token's length nor
 * how much of it a guess gets right.
 *
 * @param header The header's value, if any.
 * @param token The token.
 * @param options How the digests are compared.
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
export function bearerMatches(
  header: string | null | undefined,
  token: Secret,
  options: BearerMatchOptions = {},
): boolean {
  const { compare = timingSafeEqual } = options;
  const bearer = /^Bearer\s+(.+)$/i.exec(header ?? "");
  // A missing header is compared too (against a text that cannot be the token), so it takes the same time.
  const given = digest(bearer?.[1] ?? "");
  return compare(given, digest(token.reveal())) && bearer !== null;
}

function digest(text: string): Uint8Array {
  return createHmac("sha256", DIGEST_KEY).update(text).digest();
}
