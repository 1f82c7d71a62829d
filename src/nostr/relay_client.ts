/**
 * Publishing to Nostr relays and reading from them, with nostr-tools' pool:
 * per-relay results from each relay's `OK` message, NIP-42 AUTH answered when
 * a relay asks, a connect-and-answer timeout per relay. A read tells the
 * relays that answered (sent their end of stored events) from those that did
 * not: "nothing found" and "nobody answered" are different facts.
 *
 * A relay is untrusted: what it sends is vetted before nostr-tools sees it
 * ({@linkcode RelaySocket}), its text reaches results only sanitised, one read
 * collects at most {@linkcode MAX_READ_CHARACTERS} of its events, and a
 * connection it closes at any point makes a failed result, never a throw.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { VerifiedEvent } from "nostr-tools/core";
import { AbstractSimplePool } from "nostr-tools/pool";
import type { AbstractRelay, Subscription } from "nostr-tools/abstract-relay";
import { verifyEvent } from "nostr-tools/pure";
import { errorMessage } from "../error_message.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { RelaySocket } from "./relay_socket.ts";
import { readRelayLimits, type RelayLimits } from "./relay_limits.ts";
import { sanitiseRelayText } from "./relay_text.ts";
import type { EventTemplate, Filter, NostrEvent } from "./event.ts";

const logger = getLogger([ROOT_CATEGORY, "relays"]);

/**
 * The most one read collects from one relay, in characters of event JSON:
 * a relay that streams events without end must not exhaust memory (the read's
 * timeout alone would let a fast one pour in hundreds of megabytes). The reads
 * this program makes (a profile, a page of the launch lookup, the replies to a
 * launch) come to a megabyte or two even at a relay's usual cap of 500 events
 * a read; a read cut at this size counts as not answered.
 */
export const MAX_READ_CHARACTERS = 16 * 1024 * 1024;

/** What one relay said about one event. */
export interface RelayResult {
  relay: string;
  /** Whether the relay stored it (or already had it). */
  accepted: boolean;
  /** Whether the relay answered at all (`OK` true or false): not when it could not be reached or kept silent. */
  answered: boolean;
  /** Whether the relay kept the client waiting its whole timeout, connecting or for its `OK`. */
  timedOut: boolean;
  /** The relay's message: its `OK` reason, or why it could not be reached; sanitised. */
  message: string;
}

/** What a read found, and who answered it. */
export interface QueryResult {
  /** The events every answering relay returned, each once. */
  events: NostrEvent[];
  /** Relays that sent their end of stored events (EOSE): what they hold is in `events`. */
  answered: string[];
  /** Relays that did not answer in time, refused or could not be reached, and why (sanitised). */
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
  publish(event: NostrEvent, relays: readonly string[]): Promise<RelayResult[]>;
  /**
   * Reads events.
   *
   * @param filters NIP-01 filters (events matching any).
   * @param relays Relay URLs.
   * @returns The events (signatures verified, each once) and which relays answered.
   */
  query(filters: readonly Filter[], relays: readonly string[]): Promise<QueryResult>;
  /**
   * What a relay says it accepts (NIP-11); none when it says nothing. Clients without it send everything.
   *
   * @param relay A relay URL.
   * @returns Its published limits.
   */
  limits?(relay: string): Promise<RelayLimits>;
  /** Closes every connection. */
  close(): void;
}

/** Options of {@linkcode nostrRelayClient}. */
export interface RelayClientOptions {
  /** Signs NIP-42 AUTH events when a relay asks. */
  sign: (template: EventTemplate) => NostrEvent;
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
  const maxWait = options.timeoutMs ?? 5000;
  const pool = new AbstractSimplePool({
    verifyEvent,
    // nostr-tools uses only the members RelaySocket has.
    websocketImplementation: RelaySocket as unknown as typeof WebSocket,
    maxWaitForConnection: maxWait,
  });
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
      const events = new Map<string, NostrEvent>();
      for (const answer of answers) for (const event of answer.events) events.set(event.id, event);
      return {
        events: [...events.values()],
        answered: answers.filter((answer) => answer.message === undefined).map((answer) => answer.relay),
        silent: answers.flatMap(({ relay, message }) => message === undefined ? [] : [{ relay, message }]),
      };
    },
    limits(relay) {
      return readRelayLimits(relay, { timeoutMs: maxWait });
    },
    close() {
      pool.destroy();
    },
  };
}

/** nostr-tools' messages for an `OK` or AUTH answer that did not come in time. */
const ANSWER_TIMEOUTS = new Set(["publish timed out", "auth timed out"]);

/** nostr-tools' own words for what a dropped connection leaves unanswered. */
const CONNECTION_CLOSED = "relay connection closed";

/** The connection to a relay was closed (by the relay, or the network) before a message could be sent on it. */
class RelayConnectionClosedError extends Error {
  constructor() {
    super(CONNECTION_CLOSED);
    this.name = "RelayConnectionClosedError";
  }
}

/**
 * Throws when the connection is gone. nostr-tools sends a REQ (`subscribe`) or
 * an AUTH without awaiting the send, which rejects once the connection has
 * closed: an unhandled rejection, which ends the process. Checked in the same
 * synchronous step as the call that sends, the connection cannot close in
 * between; so no process-wide handler for those rejections is needed.
 */
function assertOpen(relay: AbstractRelay): void {
  if (!relay.connected) throw new RelayConnectionClosedError();
}

/** Answers a relay's `auth-required:` with a NIP-42 AUTH signed by the agent. */
async function authenticate(relay: AbstractRelay, sign: RelayClientOptions["sign"]): Promise<void> {
  assertOpen(relay);
  // The signer is nostr-tools' finalizeEvent (nostr_identity.ts), whose events carry its "verified" mark.
  await relay.auth((template) => Promise.resolve(sign(template) as VerifiedEvent));
}

/** The pool's connection to a relay, or why there is none (the connection is then dropped from the pool). */
async function connect(pool: AbstractSimplePool, url: string, timeoutMs: number): Promise<AbstractRelay | string> {
  try {
    return await pool.ensureRelay(url, { connectionTimeout: timeoutMs });
  } catch (error) {
    pool.close([url]);
    return errorMessage(error);
  }
}

/**
 * Sends an event to one relay over one connection, waiting at most
 * `timeoutMs` to connect and as long again for its `OK` (nostr-tools' own
 * publish timeout is longer); a relay that answers `auth-required:` gets a
 * NIP-42 AUTH and the event once more. A relay that did not accept is
 * dropped from the pool, so the next try connects afresh.
 */
async function publishTo(
  pool: AbstractSimplePool,
  url: string,
  event: NostrEvent,
  options: Required<RelayClientOptions>,
): Promise<RelayResult> {
  const relay = await connect(pool, url, options.timeoutMs);
  if (typeof relay === "string") {
    return {
      relay: url,
      accepted: false,
      answered: false,
      timedOut: relay === "connection timed out",
      message: sanitiseRelayText(`connection failure: ${relay}`),
    };
  }
  relay.publishTimeout = options.timeoutMs;
  const publishOnce = () => {
    assertOpen(relay);
    return relay.publish(event);
  };
  try {
    const reason = await publishOnce().catch(async (error) => {
      if (!(error instanceof Error && error.message.startsWith("auth-required:"))) throw error;
      await authenticate(relay, options.sign);
      return await publishOnce();
    });
    return { relay: url, accepted: true, answered: true, timedOut: false, message: sanitiseRelayText(reason) };
  } catch (error) {
    pool.close([url]);
    const message = errorMessage(error);
    const timedOut = ANSWER_TIMEOUTS.has(message);
    // What a dropped connection leaves unanswered, nostr-tools rejects with a reason of its own ("relay connection …").
    const answered = !timedOut && !message.startsWith("relay connection");
    return { relay: url, accepted: false, answered, timedOut, message: sanitiseRelayText(message) };
  }
}

/** What one relay answered to a read. */
interface RelayAnswer {
  relay: string;
  events: NostrEvent[];
  /** Why the relay counts as not having answered (sanitised); absent when it answered. */
  message?: string;
}

/**
 * Reads from one relay. nostr-tools' own timeout pretends an end of stored
 * events, so this keeps its own: only a real EOSE before it counts as an
 * answer. A relay that closes the read with `auth-required:` gets a NIP-42
 * AUTH and the read once more. A relay that does not answer in time, or
 * sends more than {@linkcode MAX_READ_CHARACTERS} of events, is dropped from
 * the pool, so the next read connects afresh.
 */
async function queryRelay(
  pool: AbstractSimplePool,
  url: string,
  filters: readonly Filter[],
  options: Required<RelayClientOptions>,
): Promise<RelayAnswer> {
  const relay = await connect(pool, url, options.timeoutMs);
  if (typeof relay === "string") return { relay: url, events: [], message: sanitiseRelayText(relay) };
  return await new Promise((resolve) => {
    const events: NostrEvent[] = [];
    let size = 0;
    /** The read under way: the second one after an AUTH. */
    let current: Subscription | undefined;
    /** Set once the answer is settled, so that late callbacks are ignored. */
    let settled = false;
    const finish = (message?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (current) {
        // Clears nostr-tools' own EOSE timer, which would otherwise keep the process alive.
        current.receivedEose();
        if (!current.closed) current.close();
      }
      resolve(
        message === undefined ? { relay: url, events } : { relay: url, events, message: sanitiseRelayText(message) },
      );
    };
    const drop = (message: string) => {
      finish(message);
      pool.close([url]);
    };
    const timer = setTimeout(() => drop(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    const collect = (event: NostrEvent) => {
      if (settled) return;
      events.push(event);
      size += JSON.stringify(event).length;
      if (size <= MAX_READ_CHARACTERS) return;
      logger.warn("Relay {relay} sent more than {limit} characters of events for one read: the read is cut", {
        relay: url,
        limit: MAX_READ_CHARACTERS,
      });
      drop(`more than ${MAX_READ_CHARACTERS} characters of events for one read: the answer is cut`);
    };
    const read = (authenticated: boolean) => {
      // As in assertOpen: a closed connection must never reach subscribe(), whose REQ would reject unhandled.
      if (!relay.connected) return drop(CONNECTION_CLOSED);
      const subscription: Subscription = relay.subscribe([...filters], {
        // Later than this read's own timer: nostr-tools' timeout must never pass for an answer.
        eoseTimeout: options.timeoutMs + 100,
        onevent: collect,
        oneose: () => {
          if (subscription === current) finish();
        },
        onclose: (reason) => {
          if (subscription !== current || settled) return;
          if (authenticated || !reason.startsWith("auth-required:")) return finish(`closed: ${reason}`);
          authenticate(relay, options.sign).then(
            () => settled || read(true),
            (error) => finish(`AUTH failed: ${errorMessage(error)}`),
          );
        },
      });
      current = subscription;
    };
    read(false);
  });
}
