/**
 * The outbox: signed events waiting for relays to accept them, and where it is
 * kept. Its own module, so that what writes to it (broadcasting, launching)
 * and what keeps it (the state store) share the vocabulary without importing
 * one another.
 *
 * @module
 */

import type { RelayResult } from "../nostr/relay_client.ts";
import type { NostrEvent } from "../nostr/event.ts";

/** An event waiting for relays to accept it. */
export interface OutboxEntry {
  /** The signed event. */
  event: NostrEvent;
  /** What it announces: a master skill's version, a run's summary, or the agent's profile. */
  subject:
    | { kind: "skill"; name: string; version: string }
    | { kind: "post"; run: string }
    | { kind: "profile"; name: string }
    | { kind: "launch"; symbol: string };
  /** Relays that accepted it so far. */
  acceptedBy: string[];
  /** Tries so far. */
  attempts: number;
  /** Not before this time (ms since the epoch). */
  nextAttemptAt: number;
  /** What each relay said last time. */
  lastResults: RelayResult[];
}

/** Where the outbox and the published versions are kept. */
export interface OutboxStore {
  loadOutbox(): Promise<OutboxEntry[]>;
  putOutbox(entry: OutboxEntry): Promise<void>;
  /**
   * Takes an accepted event out of the outbox and, in the same atomic write,
   * records what it announced: a skill's published version, a launch's
   * acceptance. A crash never leaves one without the other.
   */
  completeOutbox(entry: OutboxEntry): Promise<void>;
  publishedSkillVersion(name: string): Promise<string | undefined>;
  /** Keeps each relay's answer to the last event sent to it, for the health check. */
  recordRelayAnswers(answers: readonly RelayAnswer[]): Promise<void>;
}

/** A relay's answer to the last event sent to it. */
export interface RelayAnswer extends RelayResult {
  /** The event's id. */
  id: string;
  /** When it answered (ms since the epoch). */
  at: number;
}
