/**
 * Publishing to Nostr relays and reading from them, with nostr-tools'
 * `SimplePool`: per-relay results from each relay's `OK` message, NIP-42 AUTH
 * answered when a relay asks, a connect-and-answer timeout per relay.
 *
 * @module
 */

import type { Event, EventTemplate, VerifiedEvent } from "nostr-tools/core";
import type { Filter } from "nostr-tools/filter";
import { SimplePool } from "nostr-tools/pool";
import { finalizeEvent } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";
import type { NostrIdentity } from "../config.ts";

/**
 * Signs event templates with the agent's key (for NIP-42 AUTH).
 *
 * @param identity The agent's identity.
 * @returns The signing function.
 */
export function signer(identity: NostrIdentity): (template: EventTemplate) => VerifiedEvent {
  return (template) => finalizeEvent(template, hexToBytes(identity.secretKey.reveal()));
}

/** What one relay said about one event. */
export interface RelayResult {
  relay: string;
  /** Whether the relay stored it (or already had it). */
  accepted: boolean;
  /** The relay's message: its `OK` reason, or why it could not be reached. */
  message: string;
}

/** Talks to relays. */
export interface RelayClient {
  /**
   * Sends an event to relays.
   *
   * @param event A signed event.
   * @param relays Relay URLs.
   * @returns One result per relay, in order.
   */
  publish(event: Event, relays: readonly string[]): Promise<RelayResult[]>;
  /**
   * Reads events.
   *
   * @param filter A NIP-01 filter.
   * @param relays Relay URLs.
   * @returns The events the relays returned before their end of stored events, or the timeout.
   */
  query(filter: Filter, relays: readonly string[]): Promise<Event[]>;
  /** Closes every connection. */
  close(): void;
}

/** Options of {@linkcode nostrRelayClient}. */
export interface RelayClientOptions {
  /** Signs NIP-42 AUTH events when a relay asks. */
  sign: (template: EventTemplate) => VerifiedEvent;
  /** How long a relay has to connect and answer, in ms. */
  timeoutMs?: number;
}

/**
 * A relay client over nostr-tools.
 *
 * @param options The signer for AUTH, and the timeout.
 * @returns The client.
 */
export function nostrRelayClient(options: RelayClientOptions): RelayClient {
  const pool = new SimplePool();
  const maxWait = options.timeoutMs ?? 5000;
  return {
    async publish(event, relays) {
      const settled = await Promise.allSettled(
        pool.publish([...relays], event, { maxWait, onauth: (template) => Promise.resolve(options.sign(template)) }),
      );
      // A relay that failed is dropped from the pool, so the next try connects afresh.
      const failed = relays.filter((_, i) => settled[i]!.status === "rejected");
      if (failed.length > 0) pool.close([...failed]);
      return settled.map((outcome, i) => ({
        relay: relays[i]!,
        accepted: outcome.status === "fulfilled",
        message: outcome.status === "fulfilled"
          ? String(outcome.value ?? "")
          : outcome.reason instanceof Error
          ? outcome.reason.message
          : String(outcome.reason),
      }));
    },
    async query(filter, relays) {
      return await pool.querySync([...relays], filter, { maxWait });
    },
    close() {
      pool.destroy();
    },
  };
}
