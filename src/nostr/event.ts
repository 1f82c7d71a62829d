/**
 * Nostr events and filters as NIP-01 defines them: the vocabulary the phases
 * that talk to relays (broadcasting, launching) share. These are the
 * protocol's shapes, not a library's, so only the adapter modules in this
 * folder import nostr-tools; everything else names events through this file.
 *
 * @module
 */

import { verifyEvent } from "nostr-tools/pure";

/** An event before it is signed. */
export interface EventTemplate {
  kind: number;
  tags: string[][];
  content: string;
  /** Seconds since the epoch. */
  created_at: number;
}

/** A signed event: the template with its author's public key, its id and its signature (hex). */
export interface NostrEvent extends EventTemplate {
  id: string;
  pubkey: string;
  sig: string;
}

/** A NIP-01 filter: an event matches when it matches every field given. */
export interface Filter {
  ids?: string[];
  kinds?: number[];
  authors?: string[];
  since?: number;
  until?: number;
  limit?: number;
  search?: string;
  /** Tag queries: `#e`, `#p`, `#t`, … */
  [tag: `#${string}`]: string[] | undefined;
}

/**
 * Whether an event's id is the hash of its content and its signature is its
 * author's: an event read from a relay is trusted only then.
 *
 * @param event The event as read.
 * @returns Whether it is authentic.
 *
 * @example
 * ```ts
 * import { hasValidSignature } from "./event.ts";
 * const forged = { id: "0".repeat(64), pubkey: "1".repeat(64), sig: "2".repeat(128), kind: 1, tags: [], content: "", created_at: 0 };
 * console.assert(!hasValidSignature(forged));
 * ```
 */
export function hasValidSignature(event: NostrEvent): boolean {
  return verifyEvent(event);
}
