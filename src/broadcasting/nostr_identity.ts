/**
 * The agent's Nostr identity, as configuration gives it to the phases that sign.
 *
 * @module
 */

import type { Secret } from "../secret.ts";

/** The agent's Nostr identity. */
export interface NostrIdentity {
  /** The private key, 64 hex digits. */
  readonly secretKey: Secret;
  /** The public key, 64 hex digits. */
  readonly publicKey: string;
}
