/**
 * What a relay says it accepts (NIP-11): its information document, asked for
 * over HTTP at the relay's own address with `Accept: application/nostr+json`,
 * may hold a `limitation` object. An event over one of its limits would only
 * be refused: it is not sent to that relay, and the report says which limit.
 *
 * The document is the relay operator's text: read at most
 * {@linkcode MAX_DOCUMENT_BYTES}, within a timeout, and only positive whole
 * numbers are taken from it. A limit only ever keeps events from that one
 * relay, so a relay that publishes absurd limits harms no other.
 *
 * @module
 */

import type { NostrEvent } from "./event.ts";

/** The limits of NIP-11's `limitation` that decide whether a relay takes an event; absent when not published. */
export interface RelayLimits {
  /** The longest WebSocket message, in bytes (the whole `["EVENT", …]`). */
  maxMessageLength?: number;
  /** The longest `content`, in characters (NIP-11 leaves the unit open; UTF-8 bytes are counted, the stricter). */
  maxContentLength?: number;
  /** The most tags an event may have. */
  maxEventTags?: number;
}

/** The most of an information document read: a real one is a few hundred bytes. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * Reads a relay's limits.
 *
 * @param relay The relay's URL (`wss://…` or `ws://…`).
 * @param options How long the relay has to answer, and the fetch to use.
 * @returns Its limits; none when it publishes none, cannot be reached or answers something else.
 *
 * @example
 * ```ts ignore
 * import { readRelayLimits } from "./relay_limits.ts";
 * const limits = await readRelayLimits("wss://relay.example", { timeoutMs: 3000 });
 * console.log(limits.maxContentLength ?? "no content limit published");
 * ```
 */
export async function readRelayLimits(
  relay: string,
  options: { timeoutMs: number; fetch?: typeof fetch },
): Promise<RelayLimits> {
  let url: URL;
  try {
    url = new URL(relay);
  } catch {
    return {};
  }
  if (url.protocol !== "wss:" && url.protocol !== "ws:") return {};
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: { accept: "application/nostr+json" },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: "error",
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return {};
    }
    return limitsOf(JSON.parse(await boundedText(response.body)));
  } catch {
    return {};
  }
}

/** What a relay's limits are checked against: an event's sizes, measured once (see {@linkcode eventSize}). */
export interface EventSize {
  /** The `content`'s UTF-8 bytes. */
  contentBytes: number;
  /** The UTF-8 bytes of the whole `["EVENT", …]` message. */
  messageBytes: number;
  /** How many tags it has. */
  tags: number;
}

/**
 * An event's sizes, for {@linkcode brokenLimit}.
 *
 * @param event The signed event.
 * @returns Its sizes.
 */
export function eventSize(event: NostrEvent): EventSize {
  const encoder = new TextEncoder();
  return {
    contentBytes: encoder.encode(event.content).length,
    messageBytes: encoder.encode(JSON.stringify(["EVENT", event])).length,
    tags: event.tags.length,
  };
}

/**
 * The limit an event breaks, if any.
 *
 * @param size The event's sizes.
 * @param limits A relay's limits.
 * @returns The limit, as NIP-11 names it, with its value and the event's (`max_content_length 2000: 9120`).
 *
 * @example
 * ```ts
 * import { brokenLimit } from "./relay_limits.ts";
 * const size = { contentBytes: 9120, messageBytes: 9500, tags: 4 };
 * console.assert(brokenLimit(size, { maxContentLength: 2000 }) === "max_content_length 2000: 9120");
 * ```
 */
export function brokenLimit(size: EventSize, limits: RelayLimits): string | undefined {
  if (limits.maxEventTags !== undefined && size.tags > limits.maxEventTags) {
    return `max_event_tags ${limits.maxEventTags}: ${size.tags}`;
  }
  if (limits.maxContentLength !== undefined && size.contentBytes > limits.maxContentLength) {
    return `max_content_length ${limits.maxContentLength}: ${size.contentBytes}`;
  }
  if (limits.maxMessageLength !== undefined && size.messageBytes > limits.maxMessageLength) {
    return `max_message_length ${limits.maxMessageLength}: ${size.messageBytes}`;
  }
  return undefined;
}

/** The limits from a parsed document: positive whole numbers only. */
function limitsOf(document: unknown): RelayLimits {
  const limitation = (document as { limitation?: unknown } | null)?.limitation;
  if (typeof limitation !== "object" || limitation === null) return {};
  const read = (name: string) => {
    const value = (limitation as Record<string, unknown>)[name];
    return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : undefined;
  };
  const limits: RelayLimits = {};
  const message = read("max_message_length");
  const content = read("max_content_length");
  const tags = read("max_event_tags");
  if (message !== undefined) limits.maxMessageLength = message;
  if (content !== undefined) limits.maxContentLength = content;
  if (tags !== undefined) limits.maxEventTags = tags;
  return limits;
}

/** A body's text, refused past {@linkcode MAX_DOCUMENT_BYTES}. */
async function boundedText(body: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > MAX_DOCUMENT_BYTES) throw new RangeError("the relay's information document is too large");
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
