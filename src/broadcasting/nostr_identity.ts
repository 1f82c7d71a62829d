/**
 * The agent's Nostr identity, as configuration gives it to the phases that
 * sign, and the one place its key signs: what it signs here, whoever asks
 * (broadcasting, launching, a relay's AUTH challenge), is signed the same way.
 *
 * @module
 */

import type { EventTemplate, VerifiedEvent } from "nostr-tools/core";
import { finalizeEvent } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";
import type { Secret } from "../secret.ts";

/** The agent's Nostr identity. */
export interface NostrIdentity {
  /** The private key, 64 hex digits. */
  readonly secretKey: Secret;
  /** The public key, 64 hex digits. */
  readonly publicKey: string;
}

/**
 * Signs event templates with the agent's key.
 *
 * @param identity The agent's identity.
 * @returns The signing function: the template with its id, public key and signature.
 */
export function signer(identity: NostrIdentity): (template: EventTemplate) => VerifiedEvent {
  return (template) => finalizeEvent(template, hexToBytes(identity.secretKey.reveal()));
}
