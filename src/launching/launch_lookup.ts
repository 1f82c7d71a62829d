/**
 * The lookup for earlier launches on the relays: every launch post by any of
 * the agent's keys, current or earlier. Relays cap how many events one read
 * returns, so each relay is read page by page, back in time, until a page
 * brings nothing new: an old launch behind thousands of newer notes is still
 * found. A relay counts as having answered only when every page did.
 *
 * @module
 */

import { type Filter, hasValidSignature, type NostrEvent } from "../nostr/event.ts";
import type { RelayClient } from "../nostr/relay_client.ts";
import { launchedSymbol } from "./launch_request.ts";

/** The subclaw Clawnch's scanners watch. */
export const CLAWNCH_SUBCLAW = "clawnch";

/** The most pages read from one relay; a relay with more is treated as not having answered. */
export const MAX_LOOKUP_PAGES = 200;

/** What the lookup found. */
export interface LaunchLookup {
  /** Launch posts by the keys (signatures verified) with the symbol each launches, oldest first. */
  posts: Array<{ symbol: string; event: NostrEvent }>;
  /** Relays that did not answer every page, and why: what they hold is unknown. */
  silent: Array<{ relay: string; message: string }>;
}

/**
 * Looks for the keys' launch posts on every relay.
 *
 * @param client The relay client.
 * @param keys Public keys (hex): the current one and earlier ones.
 * @param relays The relays.
 * @returns The launch posts found, and the relays that did not answer.
 */
export async function lookUpLaunches(
  client: RelayClient,
  keys: readonly string[],
  relays: readonly string[],
): Promise<LaunchLookup> {
  const url = `https://clawstr.com/c/${CLAWNCH_SUBCLAW}`;
  // Clawstr posts in the subclaw (root `I` or parent `i` scope: relays differ in which they index) and notes.
  const filters: Filter[] = [
    { kinds: [1111], authors: [...keys], "#I": [url] },
    { kinds: [1111], authors: [...keys], "#i": [url] },
    { kinds: [1], authors: [...keys] },
  ];
  const answers = await Promise.all(relays.map((relay) => readAllPages(client, filters, relay)));
  const posts = new Map<string, { symbol: string; event: NostrEvent }>();
  for (const answer of answers) {
    for (const event of answer.events) {
      if (posts.has(event.id) || !keys.includes(event.pubkey)) continue;
      const symbol = launchedSymbol(event.content);
      if (symbol !== undefined && hasValidSignature(event)) posts.set(event.id, { symbol, event });
    }
  }
  return {
    posts: [...posts.values()].sort((a, b) => a.event.created_at - b.event.created_at),
    silent: answers.flatMap(({ relay, message }) => message === undefined ? [] : [{ relay, message }]),
  };
}

/** Reads one relay back in time (`until` the oldest event seen) until a page brings nothing new. */
async function readAllPages(
  client: RelayClient,
  filters: readonly Filter[],
  relay: string,
): Promise<{ relay: string; events: NostrEvent[]; message?: string }> {
  const seen = new Map<string, NostrEvent>();
  let until: number | undefined;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
    const before = until;
    const paged = before === undefined ? filters : filters.map((filter) => ({ ...filter, until: before }));
    const result = await client.query(paged, [relay]);
    if (result.silent.length > 0) return { relay, events: [...seen.values()], message: result.silent[0]!.message };
    const fresh = result.events.filter((event) => !seen.has(event.id));
    if (fresh.length === 0) return { relay, events: [...seen.values()] };
    for (const event of fresh) seen.set(event.id, event);
    // `until` is inclusive: events of that very second come again and are not new.
    until = result.events.reduce((least, event) => Math.min(least, event.created_at), Infinity);
  }
  return { relay, events: [...seen.values()], message: `more than ${MAX_LOOKUP_PAGES} pages of posts` };
}
