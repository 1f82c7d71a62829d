/**
 * What the state store remembers of launches: one record per symbol, kept
 * forever, so that a symbol is launched at most once and no two launches fall
 * within 24 hours of each other.
 *
 * @module
 */

import type { NostrEvent } from "../nostr/event.ts";
import type { OutboxEntry } from "../broadcasting/outbox.ts";

/** Clawnch's answer to a launch, as read from its reply. */
export interface LaunchOutcome {
  /** `launched`: the token exists; `failed`: Clawnch refused (the message says why); `unclear`: neither could be read. */
  status: "launched" | "failed" | "unclear";
  /** The token's address, when launched. */
  token?: string;
  /** The reply's text, sanitised: control characters escaped, at most 500 characters and a note of what was cut. */
  message: string;
  /** The reply's event id. */
  replyId: string;
  /** When the reply was posted, ISO 8601. */
  at: string;
}

/** A reply to the launch post that is not signed by the configured Clawnch key. */
export interface UnverifiedReply {
  /** The reply's event id. */
  id: string;
  /** Who signed it (hex). */
  pubkey: string;
  /** Its text, sanitised: control characters escaped, at most 280 characters and a note of what was cut. */
  excerpt: string;
}

/** One launch of one symbol. */
export interface LaunchRecord {
  /** The symbol, upper-cased. */
  symbol: string;
  /**
   * The launch post: the one this agent signed, or one found on the relays
   * (posted by an earlier key, or before the state directory was lost).
   */
  event: NostrEvent;
  /**
   * `queued`: signed and in the outbox, no relay has accepted it yet;
   * `published`: relays accepted it; `found`: an earlier launch read back from the relays.
   */
  state: "queued" | "published" | "found";
  /** Relays that accepted it. */
  acceptedBy: string[];
  /** Clawnch's answer, once a verified reply was read. */
  outcome?: LaunchOutcome;
  /** Replies from other keys (at most {@linkcode MAX_UNVERIFIED} kept). */
  unverified: UnverifiedReply[];
}

/** How many unverified replies a record keeps. */
export const MAX_UNVERIFIED = 20;

/** Where launch records are kept. */
export interface LaunchStore {
  /** @returns Every launch record, oldest first. */
  loadLaunches(): Promise<LaunchRecord[]>;
  /**
   * Saves the record of a symbol that has none and, for a new launch, its
   * outbox entry, in one atomic write: a crash leaves either both or neither.
   *
   * @param record The record.
   * @param outbox The signed launch post's outbox entry, when it is to be sent.
   * @throws {LaunchRecordExistsError} When the symbol has a record already: nothing is written.
   */
  addLaunch(record: LaunchRecord, outbox?: OutboxEntry): Promise<void>;
  /**
   * Replaces the record of a symbol (with the replies read since).
   *
   * @param record The record.
   */
  updateLaunch(record: LaunchRecord): Promise<void>;
}

/** A launch was to be recorded for a symbol that has a record already: the store refuses a second launch. */
export class LaunchRecordExistsError extends Error {
  /** @param symbol The symbol. */
  constructor(symbol: string) {
    super(`${symbol} has a launch record already: it is not launched again`);
    this.name = "LaunchRecordExistsError";
  }
}
