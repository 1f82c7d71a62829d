/**
 * The launching phase: launches the agent's governance token through Clawnch
 * exactly once. A launch is irreversible and costly to repeat, so:
 *
 * - **Once per symbol, ever**: a launch record per symbol in the state store;
 *   without one, the relays are asked for an earlier launch post of the symbol
 *   by this key or any earlier key (`NOSTR_PREVIOUS_KEYS`), so a wiped state
 *   directory, a fresh container or a rotated key does not launch again.
 * - **Never blind**: every relay must answer that lookup; a relay that does
 *   not makes the launch wait for a later heartbeat.
 * - **One per 24 hours**, across symbols (Clawnch's own limit).
 * - **Signed once**: the post is signed and stored with its record in one
 *   atomic write, then sent by the broadcasting phase's outbox, which resends
 *   the very same event until relays accept it.
 * - **The answer**: later heartbeats read Clawnch's reply (only one signed by
 *   `CLAWNCH_PUBKEY` counts) into the record, the run report and `health`.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Event } from "nostr-tools/core";
import { finalizeEvent, verifyEvent } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";
import type { Clock } from "../clock.ts";
import type { Config, NostrIdentity } from "../config.ts";
import { clawstrPost } from "../broadcasting/events.ts";
import type { Filter } from "nostr-tools/filter";
import type { RelayClient } from "../broadcasting/relay_client.ts";
import type { LaunchingReport } from "../report.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { launchedSymbol, launchPostContent } from "./launch_request.ts";
import type { LaunchRecord, LaunchStore } from "./launch_record.ts";
import { readReplies, replyFilters } from "./clawnch_reply.ts";

const logger = getLogger([ROOT_CATEGORY, "launching"]);

/** The subclaw Clawnch's scanners watch. */
export const CLAWNCH_SUBCLAW = "clawnch";

/** The least time between two launches, of any symbol (Clawnch allows one per 24 hours). */
export const LAUNCH_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the launching phase needs. */
export interface LaunchInput {
  /** The configured launch, or why it is off. */
  launch: Config["launch"];
  /** The agent's identity; without it nothing is signed. */
  identity?: NostrIdentity | undefined;
  /** Public keys (hex) the agent used before. */
  previousKeys: readonly string[];
  /** Clawnch's public key (hex), to verify replies. */
  clawnchPubkey?: string | undefined;
  /** The relays. */
  relays: readonly string[];
  /** Reads the relays; without it the launch waits. */
  client?: RelayClient | undefined;
  /** Launch records and the outbox. */
  store: LaunchStore;
  /** The time. */
  clock: Clock;
  /** Decide and report, sign and store nothing. */
  dryRun: boolean;
}

/**
 * Runs the launching phase.
 *
 * @param input The launch, identity, relays and store.
 * @returns The phase's report.
 */
export async function launchToken(input: LaunchInput): Promise<LaunchingReport> {
  if ("off" in input.launch) return { status: "skipped", reason: input.launch.off };
  const { request } = input.launch;
  const now = input.clock.now();
  const template = clawstrPost(launchPostContent(request), CLAWNCH_SUBCLAW, now);
  const report: LaunchingReport = { status: "ok", symbol: request.symbol };
  const wait = (reason: string): LaunchingReport => {
    logger.info("The launch of {symbol} waits: {reason}", { symbol: request.symbol, reason });
    return { ...report, decision: "wait", reason, ...(input.dryRun ? { post: template } : {}) };
  };
  if (!input.identity) return { ...wait("NOSTR_NSEC is not set"), status: "skipped" };
  const identity = input.identity;
  const keys = [identity.publicKey, ...input.previousKeys];
  const records = await input.store.loadLaunches();
  const own = records.find((record) => record.symbol === request.symbol);
  if (own) return await followUp(input, own, report, keys);
  if (!input.client) return wait("no relay client to look for an earlier launch");

  const lookup = await input.client.query(launchFilters(keys), input.relays);
  const found = foundLaunches(lookup.events, keys, records);
  if (!input.dryRun) { for (const record of found) await input.store.putLaunch(record); }
  const earlier = found.find((record) => record.symbol === request.symbol);
  if (earlier) {
    logger.warn("{symbol} was launched before, by key {pubkey}: it is not launched again", {
      symbol: request.symbol,
      pubkey: earlier.event.pubkey.slice(0, 12),
    });
    return await followUp(input, earlier, report, keys);
  }
  if (lookup.silent.length > 0) {
    return wait(
      `${
        lookup.silent.map((silent) => `${silent.relay} (${silent.message})`).join(", ")
      } did not answer the lookup for an earlier launch; a launch is never risked on a partial answer`,
    );
  }
  const latest = Math.max(...[...records, ...found].map((record) => record.event.created_at * 1000));
  if (now.getTime() - latest < LAUNCH_INTERVAL_MS) {
    return wait(`the last launch was at ${new Date(latest).toISOString()}; Clawnch allows one per 24 hours`);
  }
  if (input.dryRun) {
    return { ...report, decision: "launch", post: template, reason: "dry run: a real run would launch now" };
  }
  const event = finalizeEvent(template, hexToBytes(identity.secretKey.reveal()));
  const record: LaunchRecord = { symbol: request.symbol, event, state: "queued", acceptedBy: [], unverified: [] };
  await input.store.putLaunch(record, {
    event,
    subject: { kind: "launch", symbol: request.symbol },
    acceptedBy: [],
    attempts: 0,
    nextAttemptAt: 0,
    lastResults: [],
  });
  logger.info("Launching {symbol} through Clawnch: post {id} queued for the relays", {
    symbol: request.symbol,
    id: event.id.slice(0, 12),
  });
  return { ...report, decision: "launch", state: "queued", post: event };
}

/** Where an earlier launch stands, and Clawnch's reply to it once the relays have the post. */
async function followUp(
  input: LaunchInput,
  record: LaunchRecord,
  report: LaunchingReport,
  keys: readonly string[],
): Promise<LaunchingReport> {
  const done: LaunchingReport = {
    ...report,
    decision: "launched",
    state: record.state,
    post: record.event,
    reason: `${record.symbol} was launched at ${new Date(record.event.created_at * 1000).toISOString()}${
      record.state === "queued" ? "; its post waits in the outbox for the relays" : ""
    }`,
    unverifiedReplies: record.unverified.length,
    ...(record.outcome ? { outcome: record.outcome } : {}),
  };
  const settled = record.outcome && record.outcome.status !== "unclear";
  if (settled || record.state === "queued" || !input.client) return done;
  const replies = await input.client.query(replyFilters(record.event.id), input.relays);
  const read = readReplies(record, replies.events, input.clawnchPubkey, keys);
  const changed = read.outcome?.replyId !== record.outcome?.replyId ||
    read.unverified.length !== record.unverified.length;
  if (changed && !input.dryRun) await input.store.putLaunch({ ...record, ...read });
  if (read.outcome && read.outcome.replyId !== record.outcome?.replyId) {
    logger.info("Clawnch answered the launch of {symbol}: {status} {detail}", {
      symbol: record.symbol,
      status: read.outcome.status,
      detail: read.outcome.token ?? read.outcome.message,
    });
  }
  return {
    ...done,
    unverifiedReplies: read.unverified.length,
    ...(read.outcome ? { outcome: read.outcome } : {}),
  };
}

/**
 * Filters for the keys' launch posts: Clawstr posts in the Clawnch subclaw,
 * and plain notes (Clawnch also reads kind 1).
 */
function launchFilters(keys: readonly string[]): Filter[] {
  const url = `https://clawstr.com/c/${CLAWNCH_SUBCLAW}`;
  // Root (`I`) and parent (`i`) scope both name the subclaw; relays differ in which tags they index.
  return [
    { kinds: [1111], authors: [...keys], "#I": [url] },
    { kinds: [1111], authors: [...keys], "#i": [url] },
    { kinds: [1], authors: [...keys], limit: 1000 },
  ];
}

/** Launch posts among `events` by one of `keys`, as records, the earliest per symbol, not already recorded. */
function foundLaunches(
  events: readonly Event[],
  keys: readonly string[],
  records: readonly LaunchRecord[],
): LaunchRecord[] {
  const found = new Map<string, LaunchRecord>();
  for (const event of [...events].sort((a, b) => a.created_at - b.created_at)) {
    const symbol = launchedSymbol(event.content);
    if (symbol === undefined || !keys.includes(event.pubkey) || !verifyEvent(event)) continue;
    if (found.has(symbol) || records.some((record) => record.symbol === symbol)) continue;
    found.set(symbol, { symbol, event, state: "found", acceptedBy: [], unverified: [] });
  }
  return [...found.values()];
}
