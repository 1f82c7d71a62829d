/**
 * The launching phase: launches the agent's governance token through Clawnch
 * exactly once. A launch is irreversible and costly to repeat, so:
 *
 * - **Once per symbol, ever**: a launch record per symbol in the state store;
 *   without one, the relays are asked for an earlier launch post of the symbol
 *   by this key or any earlier key (`NOSTR_PREVIOUS_KEYS`), so a wiped state
 *   directory, a fresh container or a rotated key does not launch again.
 * - **Never blind**: every relay must answer every page of that lookup; a
 *   relay that does not makes the launch wait for a later heartbeat.
 * - **One per 24 hours**, across symbols (Clawnch's own limit).
 * - **Never the key**: a post that would hold the agent's key is neither
 *   signed nor stored; the phase fails and says why.
 * - **Signed once**: the post is signed and stored with its record in one
 *   atomic write, then sent by the broadcasting phase's outbox, which resends
 *   the very same event until every relay has accepted it.
 * - **The answer**: later heartbeats read Clawnch's reply (only one signed by
 *   `CLAWNCH_PUBKEY` counts) into the record, the run report and `health`.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Clock } from "../clock.ts";
import type { LaunchingSettings } from "./launching_settings.ts";
import { assertEventHoldsNoKey, type NostrIdentity, signer } from "../nostr/nostr_identity.ts";
import { clawstrPost } from "../broadcasting/events.ts";
import type { RelayClient } from "../nostr/relay_client.ts";
import type { LaunchingReport } from "../report.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { SecretLeakError } from "../secret_guard.ts";
import { launchPostContent } from "./launch_request.ts";
import type { LaunchRecord, LaunchStore } from "./launch_record.ts";
import { readReplies, replyFilters } from "./clawnch_reply.ts";
import { CLAWNCH_SUBCLAW, type LaunchLookup, lookUpLaunches } from "./launch_lookup.ts";

const logger = getLogger([ROOT_CATEGORY, "launching"]);

/** The least time between two launches, of any symbol (Clawnch allows one per 24 hours). */
export const LAUNCH_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the launching phase needs. */
export interface LaunchInput {
  /** The configured launch, or why it is off. */
  launch: LaunchingSettings["launch"];
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

  const lookup = await lookUpLaunches(input.client, keys, input.relays);
  const found = foundLaunches(lookup.posts, records);
  if (!input.dryRun) { for (const record of found) await input.store.addLaunch(record); }
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
  const latest = [...records, ...found].reduce(
    (most, record) => Math.max(most, record.event.created_at * 1000),
    -Infinity,
  );
  if (now.getTime() - latest < LAUNCH_INTERVAL_MS) {
    return wait(`the last launch was at ${new Date(latest).toISOString()}; Clawnch allows one per 24 hours`);
  }
  try {
    assertEventHoldsNoKey(identity, template, `sign the launch post of ${request.symbol}`);
  } catch (error) {
    // Configuration refuses the key in a TOKEN_* field at start: this is the last line, should another field carry it.
    if (!(error instanceof SecretLeakError)) throw error;
    logger.error("{reason}", { reason: error.message });
    return { ...report, status: "failed", decision: "wait", reason: error.message };
  }
  if (input.dryRun) {
    return { ...report, decision: "launch", post: template, reason: "dry run: a real run would launch now" };
  }
  const event = signer(identity)(template);
  const record: LaunchRecord = { symbol: request.symbol, event, state: "queued", acceptedBy: [], unverified: [] };
  await input.store.addLaunch(record, {
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

/** Where an earlier launch stands, and Clawnch's reply to it. */
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
      record.state === "queued" ? "; its post waits in the outbox until every relay has it" : ""
    }`,
    unverifiedReplies: record.unverified.length,
    ...(record.outcome ? { outcome: record.outcome } : {}),
  };
  // Replies are read until Clawnch confirms the launch: an error or an unclear answer may be followed by a clearer one.
  if (record.outcome?.status === "launched" || !input.client) return done;
  const replies = await input.client.query(replyFilters(record.event.id, input.clawnchPubkey), input.relays);
  const read = readReplies(record, replies.events, input.clawnchPubkey, keys);
  const changed = read.outcome?.replyId !== record.outcome?.replyId ||
    read.unverified.length !== record.unverified.length;
  if (changed && !input.dryRun) await input.store.updateLaunch({ ...record, ...read });
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

/** Launch posts (oldest first) as records: the earliest per symbol, of symbols not already recorded. */
function foundLaunches(posts: LaunchLookup["posts"], records: readonly LaunchRecord[]): LaunchRecord[] {
  const found = new Map<string, LaunchRecord>();
  for (const { symbol, event } of posts) {
    if (found.has(symbol) || records.some((record) => record.symbol === symbol)) continue;
    found.set(symbol, { symbol, event, state: "found", acceptedBy: [], unverified: [] });
  }
  return [...found.values()];
}
