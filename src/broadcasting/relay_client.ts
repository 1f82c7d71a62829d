/**
 * Publishing to Nostr relays and reading from them, with nostr-tools'
 * `SimplePool`: per-relay results from each relay's `OK` message, NIP-42 AUTH
 * answered when a relay asks, a connect-and-answer timeout per relay. A read
 * tells the relays that answered (sent their end of stored events) from those
 * that did not: "nothing found" and "nobody answered" are different facts.
 *
 * @module
 */

import type { Event, EventTemplate, VerifiedEvent } from "nostr-tools/core";
import type { Filter } from "nostr-tools/filter";
import { SimplePool } from "nostr-tools/pool";
import type { Subscription } from "nostr-tools/abstract-relay";
import { finalizeEvent } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";
import type { NostrIdentity } from "../config.ts";
import { errorMessage } from "../error_message.ts";

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
  /** Whether the relay answered at all (`OK` true or false): not when it could not be reached or kept silent. */
  answered: boolean;
  /** Whether the relay kept the client waiting its whole timeout, connecting or for its `OK`. */
  timedOut: boolean;
  /** The relay's message: its `OK` reason, or why it could not be reached. */
  message: string;
}

/** What a read found, and who answered it. */
export interface QueryResult {
  /** The events every answering relay returned, each once. */
  events: Event[];
  /** Relays that sent their end of stored events (EOSE): what they hold is in `events`. */
  answered: string[];
  /** Relays that did not answer in time, refused or could not be reached, and why. */
  silent: Array<{ relay: string; message: string }>;
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
   * @param filters NIP-01 filters (events matching any).
   * @param relays Relay URLs.
   * @returns The events (signatures verified, each once) and which relays answered.
   */
  query(filters: readonly Filter[], relays: readonly string[]): Promise<QueryResult>;
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
      return await Promise.all(
        relays.map((relay) => publishTo(pool, relay, event, { sign: options.sign, timeoutMs: maxWait })),
      );
    },
    async query(filters, relays) {
      const answers = await Promise.all(
        relays.map((relay) => queryRelay(pool, relay, filters, { sign: options.sign, timeoutMs: maxWait })),
      );
      const events = new Map<string, Event>();
      for (const answer of answers) for (const event of answer.events) events.set(event.id, event);
      return {
        events: [...events.values()],
        answered: answers.filter((answer) => answer.message === undefined).map((answer) => answer.relay),
        silent: answers.flatMap(({ relay, message }) => message === undefined ? [] : [{ relay, message }]),
      };
    },
    close() {
      pool.destroy();
    },
  };
}

/** nostr-tools' messages for an `OK` or AUTH answer that did not come in time. */
const ANSWER_TIMEOUTS = new Set(["publish timed out", "auth timed out"]);

/**
 * Sends an event to one relay over one connection, waiting at most
 * `timeoutMs` to connect and as long again for its `OK` (nostr-tools' own
 * publish timeout is longer); a relay that answers `auth-required:` gets a
 * NIP-42 AUTH and the event once more. A relay that did not accept is
 * dropped from the pool, so the next try connects afresh.
 */
async function publishTo(
  pool: SimplePool,
  url: string,
  event: Event,
  options: Required<RelayClientOptions>,
): Promise<RelayResult> {
  let relay: Awaited<ReturnType<SimplePool["ensureRelay"]>>;
  try {
    relay = await pool.ensureRelay(url, { connectionTimeout: options.timeoutMs });
  } catch (error) {
    pool.close([url]);
    const message = errorMessage(error);
    return {
      relay: url,
      accepted: false,
      answered: false,
      timedOut: message === "connection timed out",
      message: `connection failure: ${message}`,
    };
  }
  relay.publishTimeout = options.timeoutMs;
  try {
    const reason = await relay.publish(event).catch(async (error) => {
      if (!(error instanceof Error && error.message.startsWith("auth-required:"))) throw error;
      await relay.auth((template) => Promise.resolve(options.sign(template)));
      return await relay.publish(event);
    });
    return { relay: url, accepted: true, answered: true, timedOut: false, message: String(reason ?? "") };
  } catch (error) {
    pool.close([url]);
    const message = errorMessage(error);
    const timedOut = ANSWER_TIMEOUTS.has(message);
    // What a dropped connection leaves unanswered, nostr-tools rejects with a reason of its own ("relay connection …").
    const answered = !timedOut && !message.startsWith("relay connection");
    return { relay: url, accepted: false, answered, timedOut, message };
  }
}

/**
 * Reads from one relay. nostr-tools' own timeout pretends an end of stored
 * events, so this keeps its own: only a real EOSE before it counts as an
 * answer. A relay that closes the read with `auth-required:` gets a NIP-42
 * AUTH and the read once more. A relay that does not answer in time is
 * dropped from the pool, so the next read connects afresh.
 */
async function queryRelay(
  pool: SimplePool,
  url: string,
  filters: readonly Filter[],
  options: Required<RelayClientOptions>,
): Promise<{ relay: string; events: Event[]; message?: string }> {
  const events: Event[] = [];
  let relay: Awaited<ReturnType<SimplePool["ensureRelay"]>>;
  try {
    relay = await pool.ensureRelay(url, { connectionTimeout: options.timeoutMs });
  } catch (error) {
    pool.close([url]);
    return { relay: url, events, message: errorMessage(error) };
  }
  return await new Promise((resolve) => {
    /** The read under way; unset once the answer is settled, so that late callbacks are ignored. */
    let current: Subscription | undefined;
    const finish = (message?: string) => {
      const subscription = current;
      if (!subscription) return;
      current = undefined;
      clearTimeout(timer);
      // Clears nostr-tools' own EOSE timer, which would otherwise keep the process alive.
      subscription.receivedEose();
      if (!subscription.closed) subscription.close();
      resolve(message === undefined ? { relay: url, events } : { relay: url, events, message });
    };
    const timer = setTimeout(() => {
      finish(`no answer within ${options.timeoutMs} ms`);
      pool.close([url]);
    }, options.timeoutMs);
    const read = (authenticated: boolean) => {
      const subscription: Subscription = relay.subscribe([...filters], {
        // Later than this read's own timer: nostr-tools' timeout must never pass for an answer.
        eoseTimeout: options.timeoutMs + 100,
        onevent: (event) => events.push(event),
        oneose: () => {
          if (subscription === current) finish();
        },
        onclose: (reason) => {
          if (subscription !== current) return;
          if (authenticated || !reason.startsWith("auth-required:")) return finish(`closed: ${reason}`);
          relay.auth((template) => Promise.resolve(options.sign(template))).then(
            () => current === subscription && read(true),
            (error) => finish(`AUTH failed: ${errorMessage(error)}`),
          );
        },
      });
      current = subscription;
    };
    read(false);
  });
}
