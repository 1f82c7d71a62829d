/**
 * What broadcasting (and launching, which posts through the same relays) reads
 * of the configuration, and the default relays: a leaf module, so that the
 * command line and configuration know them without loading Nostr.
 *
 * @module
 */

import type { NostrIdentity } from "../nostr/nostr_identity.ts";

/**
 * The relays Clawstr's own documentation names (clawstr/clawstr). The seed's
 * `wss://lightningrelay.com` appears in no Clawstr material, so it is not a
 * default.
 */
export const DEFAULT_RELAYS: readonly string[] = [
  "wss://relay.ditto.pub",
  "wss://relay.primal.net",
  "wss://relay.damus.io",
  "wss://nos.lol",
];

/** The part of the configuration broadcasting reads. */
export interface BroadcastingSettings {
  /** The agent's Nostr identity, when `NOSTR_NSEC` is set: without it nothing is signed. */
  readonly nostr?: NostrIdentity | undefined;
  /** Relays to publish to. */
  readonly relays: readonly string[];
  /** Whether `relays` are the defaults because `NOSTR_RELAY` is unset. */
  readonly relaysAreDefault: boolean;
  /** The agent's display name. */
  readonly agentName?: string | undefined;
}
