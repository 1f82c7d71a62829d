/**
 * Reading Clawnch's reply to a launch post. Clawnch answers each launch post
 * with the token's address or an error (`TICKER_TAKEN`,
 * `INVALID_TOKEN_DETAILS`, `RATE_LIMITED`…). Anyone can reply, so only a
 * reply signed by the configured Clawnch key is an outcome; the rest are kept
 * as unverified, for a person to look at.
 *
 * @module
 */

import { type Filter, hasValidSignature, type NostrEvent } from "../nostr/event.ts";
import { sanitiseRelayText } from "../nostr/relay_text.ts";
import { type LaunchOutcome, type LaunchRecord, MAX_UNVERIFIED, type UnverifiedReply } from "./launch_record.ts";

/**
 * The filters that find replies to a post: NIP-10 replies (kind 1) and NIP-22
 * comments (kind 1111) name it in an `e` tag, or as the root in `E`. Clawnch's
 * own replies are asked for separately, so that a flood of other replies
 * (and relays' caps on how many they return) cannot push them out.
 *
 * @param postId The launch post's id.
 * @param clawnchPubkey Clawnch's key (hex), when configured.
 * @returns The filters.
 */
export function replyFilters(postId: string, clawnchPubkey?: string): Filter[] {
  const any: Filter[] = [{ kinds: [1, 1111], "#e": [postId] }, { kinds: [1111], "#E": [postId] }];
  return clawnchPubkey === undefined
    ? any
    : [...any, ...any.map((filter) => ({ ...filter, authors: [clawnchPubkey] }))];
}

/** What the replies say. */
export interface ReadReplies {
  /** The outcome, from the clearest verified reply (a launch beats an error, a later reply an earlier one). */
  outcome?: LaunchOutcome;
  /** Replies from other keys, the record's earlier ones included. */
  unverified: UnverifiedReply[];
}

/**
 * Reads the replies to a launch.
 *
 * @param record The launch.
 * @param replies Events that reply to it.
 * @param clawnchPubkey Clawnch's key (hex); without it no reply is verified.
 * @param ownKeys The agent's keys, whose own replies are neither outcome nor unverified.
 * @returns The outcome, if a verified reply gives one, and the unverified replies.
 */
export function readReplies(
  record: LaunchRecord,
  replies: readonly NostrEvent[],
  clawnchPubkey: string | undefined,
  ownKeys: readonly string[],
): ReadReplies {
  const unverified = new Map(record.unverified.map((reply) => [reply.id, reply]));
  const outcomes: LaunchOutcome[] = record.outcome ? [record.outcome] : [];
  for (const reply of replies) {
    if (ownKeys.includes(reply.pubkey) || !names(reply, record.event.id)) continue;
    if (clawnchPubkey !== undefined && reply.pubkey === clawnchPubkey && hasValidSignature(reply)) {
      outcomes.push(outcomeOf(reply, walletOf(record.event.content)));
    } else if (unverified.size < MAX_UNVERIFIED) {
      // Anyone's text, shown to a person: sanitised like anything else a relay brings.
      unverified.set(reply.id, { id: reply.id, pubkey: reply.pubkey, excerpt: sanitiseRelayText(reply.content, 280) });
    }
  }
  const rank = { launched: 2, failed: 1, unclear: 0 };
  const outcome = outcomes.sort((a, b) => rank[b.status] - rank[a.status] || b.at.localeCompare(a.at))[0];
  return { ...(outcome ? { outcome } : {}), unverified: [...unverified.values()] };
}

/** Whether an event names the post in an `e` or `E` tag (a relay may return more than was asked). */
function names(reply: NostrEvent, postId: string): boolean {
  return reply.tags.some((tag) => (tag[0] === "e" || tag[0] === "E") && tag[1] === postId);
}

/** Clawnch's error codes (`TICKER_TAKEN`, `INVALID_TOKEN_DETAILS`, `RATE_LIMITED`) and codes shaped like them. */
const ERROR_CODE =
  /\b(TICKER_TAKEN|RATE_LIMITED|INVALID_[A-Z_]+|[A-Z]+(?:_[A-Z]+)*_(?:ERROR|FAILED|TAKEN|LIMITED|INVALID))\b/;
/** A word that says the launch did not happen: it counts only when the reply names no token. */
const FAILURE_WORD = /\b(error|failed|failure|invalid|rejected|denied)\b/i;
/** An address: exactly 40 hex digits (a 64-digit transaction hash is not one). */
const ADDRESS = /\b0x[0-9a-fA-F]{40}(?![0-9a-fA-F])/g;
/** An address named as the token: after "token", "contract", "CA" or "address". */
const NAMED_TOKEN = /\b(?:token|contract|ca|address)\b[^0-9a-z\n]{0,20}(0x[0-9a-fA-F]{40})(?![0-9a-fA-F])/i;

/**
 * Reads one verified reply: an error code means failed, whatever else it
 * says; else an address that is not the wallet (preferably one named as the
 * token) means launched; else a failure word means failed; else unclear.
 */
function outcomeOf(reply: NostrEvent, wallet: string | undefined): LaunchOutcome {
  const text = reply.content;
  // The report and health print the message: it is sanitised, as anything a relay brings.
  const message = sanitiseRelayText(text, 500);
  const base = { message, replyId: reply.id, at: new Date(reply.created_at * 1000).toISOString() };
  if (ERROR_CODE.test(text)) return { status: "failed", ...base };
  const candidates = [NAMED_TOKEN.exec(text)?.[1], ...(text.match(ADDRESS) ?? [])];
  const token = candidates.find((address) => address !== undefined && address.toLowerCase() !== wallet);
  if (token) return { status: "launched", token, ...base };
  return { status: FAILURE_WORD.test(text) ? "failed" : "unclear", ...base };
}

/** The wallet a launch post names, lower-cased: an address in the reply that is the wallet is not the token. */
function walletOf(content: string): string | undefined {
  return /^\s*wallet\s*:\s*(0x[0-9a-fA-F]{40})\s*$/im.exec(content)?.[1]?.toLowerCase();
}
