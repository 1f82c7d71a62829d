/**
 * The broadcasting phase: tells Nostr what changed, without losing or
 * doubling an update.
 *
 * - **An outbox** in the state store: every event is signed once and stored
 *   before it is sent; every heartbeat drains it; an event leaves it only when
 *   at least `minAccepted` relays accepted it (a launch post: every relay). A crash or an offline relay
 *   never loses an update, and a retry resends the very same event (relays
 *   answer a duplicate as accepted), never a second one.
 * - **Only what was pushed**: the masters announced are the ones the remote
 *   has; a master merged but not pushed waits for the heartbeat that pushes it.
 * - **Reconciliation**: the store remembers, per master skill, the version
 *   relays accepted; each heartbeat enqueues every pushed master whose
 *   version has none, so a crash between push and broadcast, or a run with
 *   the relays down, is healed by the next heartbeat.
 * - **Backoff**: an event not yet accepted waits 1, 2, 4… minutes (at most an
 *   hour) before its next try; relays are sent one event at a time.
 * - **Never the key**: an event whose content or tags hold the agent's key
 *   or a configured token (a skill that carries it, say) is neither signed
 *   nor sent, nor is one an older version signed; each is a refused item in
 *   the report, with the reason, and the phase fails. The run goes on.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Clock } from "../clock.ts";
import { assertEventHoldsNoKey, type NostrIdentity, signer } from "../nostr/nostr_identity.ts";
import type { BroadcastingReport } from "../report.ts";
import { clawstrPost, runSummary, skillEvent } from "./events.ts";
import type { RelayClient, RelayResult } from "../nostr/relay_client.ts";
import type { OutboxEntry, OutboxStore } from "./outbox.ts";
import type { EventTemplate } from "../nostr/event.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { redactKeyShapes, SecretLeakError } from "../secret_guard.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";
import { brokenLimit, type EventSize, eventSize, type RelayLimits } from "../nostr/relay_limits.ts";

const logger = getLogger([ROOT_CATEGORY, "broadcasting"]);

/** A master skill as the remote has it. */
export interface MasterSkill {
  /**
   * What tells it from every other master of the repository: its path below
   * the skills directory, without `/SKILL.md` or `.md` (two masters may share a
   * name in different folders). Its events' `d` tag.
   */
  id: string;
  name: string;
  version: string;
  description: string;
  tags: readonly string[];
  /** How many skills were merged into it, over all its versions. */
  members: number;
  content: string;
}

/** What broadcasting needs. */
export interface BroadcastInput {
  identity?: NostrIdentity | undefined;
  relays: readonly string[];
  client?: RelayClient | undefined;
  store: OutboxStore;
  clock: Clock;
  runId: string;
  /**
   * Every master the remote has (a pushed commit holds it as it is in the
   * tree): each version not yet announced is, and the run's post lists them.
   */
  masters: readonly MasterSkill[];
  dryRun: boolean;
  /** Relays that must accept an event before it leaves the outbox. */
  minAccepted?: number;
  /** The subclaw of the summary posts. */
  subclaw?: string;
  /** The agent's display name (`AGENT_NAME`): the profile field the agent owns. */
  agentName?: string | undefined;
  /** Pauses before each retry within the run, ms (default 1, 2 and 4 s). */
  retryDelays?: readonly number[];
  /** The least time between two events sent to one relay, ms (default 100). */
  relayIntervalMs?: number;
  /** Waits, and stops sending when the run must (unsent events stay in the outbox); never stops by default. */
  slice?: TimeSlice;
}

/** A relay that lets this many events in a row time out is sent nothing more in the run. */
export const SILENT_LIMIT = 2;

/**
 * The largest skill text put in an event, in UTF-8 bytes (what a relay's message limit counts, 64 KiB at many relays);
 * longer ones are cut, with a note.
 */
export const MAX_EVENT_CONTENT = 48 * 1024;

/**
 * The most UTF-16 code units of a cut skill text: the outbox keeps each event as one Deno KV value (at most 64 KiB as
 * V8 serializes it, two bytes per code unit once any character is beyond Latin-1, as the note's "…" is).
 */
const MAX_CUT_UNITS = 24 * 1024;

/**
 * Broadcasts: enqueues what changed, then drains the outbox.
 *
 * @param input The identity, relays, store and what changed.
 * @returns The phase's report.
 */
export async function broadcast(input: BroadcastInput): Promise<BroadcastingReport> {
  const report: BroadcastingReport = { status: "ok", events: [], pending: 0 };
  if (!input.identity) return { ...report, status: "skipped", reason: "NOSTR_NSEC is not set" };
  const now = input.clock.now();
  const queued = await input.store.loadOutbox();
  const refused: BroadcastingReport["events"] = [];
  const templates = await eventsToSign(input, queued, now, refused);
  if (input.dryRun) {
    report.unsigned = templates.map(({ template }) => template);
    report.pending = queued.length;
    report.reason = `dry run: ${templates.length} events would be signed and sent`;
    return withRefused(report, refused);
  }
  // Signed once and stored before anything is sent: a crash from here on resends the same events.
  const sign = signer(input.identity);
  for (const { template, subject } of templates) {
    const event = sign(template);
    try {
      await input.store.putOutbox({ event, subject, acceptedBy: [], attempts: 0, nextAttemptAt: 0, lastResults: [] });
    } catch (error) {
      // One event the store cannot keep (too large for a value) is reported, and the others still go out.
      const reason = `not kept in the outbox: ${error instanceof Error ? error.message : String(error)}`;
      refused.push({
        id: event.id,
        kind: event.kind,
        subject: describeSubject(subject),
        accepted: false,
        results: [],
        refused: reason,
      });
      logger.warn("Event {id} ({subject}) {reason}", {
        id: event.id.slice(0, 12),
        subject: describeSubject(subject),
        reason,
      });
    }
  }
  if (!input.client) {
    const pending = (await input.store.loadOutbox()).length;
    return withRefused({ ...report, status: "skipped", reason: "no relay client", pending }, refused);
  }
  const delivered = await deliverOutbox(input, input.client, now, refused);
  report.events = delivered.events;
  report.pending = delivered.pending;
  if (report.pending > 0) report.reason = `${report.pending} events wait in the outbox for relays`;
  return withRefused(report, refused);
}

/** The report with the refused events first among its events; the phase fails when there are any, saying why. */
function withRefused(report: BroadcastingReport, refused: BroadcastingReport["events"]): BroadcastingReport {
  if (refused.length === 0) return report;
  const first = refused[0]!.refused!;
  return {
    ...report,
    status: "failed",
    events: [...refused, ...report.events],
    reason: refused.length === 1 ? first : `${refused.length} events refused; the first: ${first}`,
  };
}

/**
 * Whether an event holds the agent's key or another of its identity's secrets: then it is neither signed nor sent,
 * and a refused item, with the reason, is added to `refused`.
 */
function holdsKey(
  identity: NostrIdentity,
  event: Pick<EventTemplate, "kind" | "content" | "tags"> & { id?: string },
  subject: OutboxEntry["subject"],
  refused: BroadcastingReport["events"],
): boolean {
  // The subject names the skill, whose name may be what holds the key.
  const described = redactKeyShapes(describeSubject(subject));
  try {
    assertEventHoldsNoKey(identity, event, `sign or send ${described}`);
    return false;
  } catch (error) {
    if (!(error instanceof SecretLeakError)) throw error;
    logger.error("{reason}", { reason: error.message });
    const item = { kind: event.kind, subject: described, accepted: false, results: [] };
    refused.push({ id: event.id ?? "", ...item, refused: error.message });
    return true;
  }
}

/**
 * The run's new events: each master version not yet announced nor waiting, the profile if it changed, the post. One
 * that holds the agent's key goes to `refused` instead (and its master is not listed in the post).
 */
async function eventsToSign(
  input: BroadcastInput,
  queued: readonly OutboxEntry[],
  now: Date,
  refused: BroadcastingReport["events"],
): Promise<Array<{ template: EventTemplate; subject: OutboxEntry["subject"] }>> {
  const templates: Array<{ template: EventTemplate; subject: OutboxEntry["subject"] }> = [];
  const keep = (template: EventTemplate, subject: OutboxEntry["subject"]): boolean => {
    if (holdsKey(input.identity!, template, subject, refused)) return false;
    templates.push({ template, subject });
    return true;
  };
  const waiting = new Set(
    queued.flatMap((entry) => entry.subject.kind === "skill" ? [`${entry.subject.name}@${entry.subject.version}`] : []),
  );
  const announced: MasterSkill[] = [];
  for (const master of input.masters) {
    if (waiting.has(`${master.id}@${master.version}`)) continue;
    if ((await input.store.publishedSkillVersion(master.id)) === master.version) continue;
    const template = skillEvent({ ...master, content: cut(master.content) }, now);
    if (keep(template, { kind: "skill", name: master.id, version: master.version })) announced.push(master);
  }
  const profile = input.agentName && input.client ? await profileUpdate(input, now) : undefined;
  if (profile) keep(profile, { kind: "profile", name: input.agentName! });
  if (announced.length > 0) {
    keep(clawstrPost(runSummary(announced), input.subclaw ?? "skills", now), { kind: "post", run: input.runId });
  }
  return templates;
}

/**
 * Sends the outbox's due events to the relays that lack them, a few rounds within the run; what still misses is
 * kept for a later run, its next attempt backed off.
 */
async function deliverOutbox(
  input: BroadcastInput,
  client: RelayClient,
  now: Date,
  refused: BroadcastingReport["events"],
): Promise<{ events: BroadcastingReport["events"]; pending: number }> {
  const slice = input.slice ?? UNSLICED;
  const sender = new OutboxSender(input, client, slice);
  await sender.readLimits();
  const delays = input.retryDelays ?? [1000, 2000, 4000];
  const outbox = await input.store.loadOutbox();
  // An event an older version signed with the key in it stays in the outbox, never sent, refused again at every run.
  let due = outbox.filter((entry) =>
    entry.nextAttemptAt <= now.getTime() && !holdsKey(input.identity!, entry.event, entry.subject, refused)
  );
  const notDue = outbox.length - due.length;
  const later: OutboxEntry[] = [];
  // Short pauses within the run cover a relay's brief hiccup; what still misses waits for a later run.
  for (let round = 0; round <= delays.length; round++) {
    // Another try this run only for events a relay they still lack may yet answer.
    for (const entry of due) if (sender.unreachable(entry)) later.push(entry);
    due = due.filter((entry) => !sender.unreachable(entry));
    if (due.length === 0) break;
    if (round > 0) await slice.wait(delays[round - 1]!);
    const missed: OutboxEntry[] = [];
    for (const entry of due) {
      slice.check();
      if (!(await sender.send(entry))) missed.push(entry);
    }
    due = missed;
  }
  for (const entry of later) due.push(entry);
  for (const entry of due) {
    entry.attempts++;
    entry.nextAttemptAt = now.getTime() + Math.min(60, 2 ** (entry.attempts - 1)) * 60_000;
    await input.store.putOutbox(entry);
    logger.warn("Event {id} not accepted yet ({accepted} of {needed} relays); retried in a later run", {
      id: entry.event.id.slice(0, 12),
      accepted: sender.accepted(entry),
      needed: sender.needed(entry),
    });
  }
  return { events: [...sender.outcomes.values()], pending: notDue + due.length };
}

/** Sends outbox entries to relays, paced, benching relays that keep it waiting, and keeps each event's outcome. */
class OutboxSender {
  readonly #input: BroadcastInput;
  readonly #client: RelayClient;
  readonly #limiter: RelayLimiter;
  readonly #enough: number;
  /**
   * A relay that keeps the client waiting its whole timeout (black-holing connections or events) would cost that on
   * every event: after a few in a row it is sent nothing more this run. One that fails fast (a refused connection)
   * costs nothing and keeps being tried.
   */
  readonly #silentInRow = new Map<string, number>();
  /** Each event's outcome so far this run, by id. */
  readonly outcomes: Map<string, BroadcastingReport["events"][number]> = new Map();
  /** What each relay says it accepts (NIP-11). */
  #limits = new Map<string, RelayLimits>();
  /** Each event's sizes, measured once for all relays and rounds. */
  readonly #sizes = new Map<string, EventSize>();

  constructor(input: BroadcastInput, client: RelayClient, slice: TimeSlice) {
    this.#input = input;
    this.#client = client;
    this.#limiter = relayLimiter(input.relayIntervalMs ?? 100, slice);
    this.#enough = Math.min(input.minAccepted ?? 1, input.relays.length);
  }

  /**
   * How many relays must accept an entry. A launch post goes to every relay: the lookup that keeps a wiped state
   * directory from launching again must not hang on a single relay keeping it.
   */
  needed(entry: OutboxEntry): number {
    return entry.subject.kind === "launch" ? this.#input.relays.length : this.#enough;
  }

  /** How many of the configured relays accepted an entry. */
  accepted(entry: OutboxEntry): number {
    return entry.acceptedBy.filter((relay) => this.#input.relays.includes(relay)).length;
  }

  /** Reads what each relay says it accepts, all at once: an event over a relay's limit is not sent to it. */
  async readLimits(): Promise<void> {
    const client = this.#client;
    if (!client.limits) return;
    const relays = this.#input.relays;
    const limits = await Promise.all(relays.map((relay) => client.limits!(relay)));
    // Only relays that publish a limit are checked: most events are never measured.
    this.#limits = new Map(
      relays.flatMap((relay, i) => Object.keys(limits[i]!).length > 0 ? [[relay, limits[i]!] as const] : []),
    );
  }

  /** Whether every relay the entry still lacks is benched for this run, or says it would refuse the event. */
  unreachable(entry: OutboxEntry): boolean {
    return this.#targets(entry).every((relay) => this.#benched(relay) || this.#overLimit(entry, relay));
  }

  /**
   * Sends an entry to the relays that lack it and records the answers; an entry enough relays now hold leaves the
   * outbox.
   *
   * @returns Whether enough relays hold it.
   */
  async send(entry: OutboxEntry): Promise<boolean> {
    const targets = this.#targets(entry);
    const live = targets.filter((relay) => !this.#benched(relay) && !this.#overLimit(entry, relay));
    await this.#limiter.pace(live);
    const sent = live.length > 0 ? await this.#client.publish(entry.event, live) : [];
    for (const result of sent) {
      this.#heard(result);
      // NIP-01's machine-readable prefix: the relay takes events, just not this fast.
      if (!result.accepted && result.message.startsWith("rate-limited:")) {
        // Still limited at the longest pause: nothing more goes to it this run; its events wait in the outbox.
        if (!this.#limiter.slowDown(result.relay)) this.#silentInRow.set(result.relay, SILENT_LIMIT);
        logger.info("{relay} asks to slow down: events to it are spaced further apart this run", {
          relay: result.relay,
        });
      }
    }
    await this.#input.store.recordRelayAnswers(
      sent.map((result) => ({ ...result, id: entry.event.id, at: this.#input.clock.now().getTime() })),
    );
    const results = [
      ...sent,
      ...targets.filter((relay) => !live.includes(relay)).map((relay) => {
        const over = this.#overLimit(entry, relay);
        return {
          relay,
          accepted: false,
          answered: false,
          timedOut: false,
          message: over
            ? `not sent: over the relay's published limit (${over})`
            : `not sent: the relay let ${SILENT_LIMIT} events in a row time out, or kept answering rate-limited, this run`,
        };
      }),
    ];
    for (const result of sent) if (result.accepted) entry.acceptedBy.push(result.relay);
    entry.lastResults = results;
    const done = this.accepted(entry) >= this.needed(entry);
    this.outcomes.set(entry.event.id, {
      id: entry.event.id,
      kind: entry.event.kind,
      subject: describeSubject(entry.subject),
      accepted: done,
      results: [...(this.outcomes.get(entry.event.id)?.results ?? []), ...results],
    });
    if (done) await this.#input.store.completeOutbox(entry);
    return done;
  }

  #targets(entry: OutboxEntry): string[] {
    return this.#input.relays.filter((relay) => !entry.acceptedBy.includes(relay));
  }

  /** The relay's published limit the entry's event breaks, if any. */
  #overLimit(entry: OutboxEntry, relay: string): string | undefined {
    const limits = this.#limits.get(relay);
    if (!limits) return undefined;
    let size = this.#sizes.get(entry.event.id);
    if (!size) this.#sizes.set(entry.event.id, size = eventSize(entry.event));
    return brokenLimit(size, limits);
  }

  #benched(relay: string): boolean {
    return (this.#silentInRow.get(relay) ?? 0) >= SILENT_LIMIT;
  }

  #heard(result: RelayResult): void {
    const silent = result.timedOut ? (this.#silentInRow.get(result.relay) ?? 0) + 1 : 0;
    this.#silentInRow.set(result.relay, silent);
    if (silent === SILENT_LIMIT) {
      logger.warn("Relay {relay} let {count} events in a row time out: it is sent nothing more this run", {
        relay: result.relay,
        count: SILENT_LIMIT,
      });
    }
  }
}

/**
 * The agent's profile (kind 0) with its name set, when it differs from what
 * the relays have: the current profile is fetched first and every field the
 * agent does not own is kept as it is (never clobbered). Clawstr asks AI
 * agents not to set `bot`: their posts carry AI labels instead.
 */
async function profileUpdate(input: BroadcastInput, now: Date): Promise<EventTemplate | undefined> {
  const found = await input.client!.query([{ kinds: [0], authors: [input.identity!.publicKey] }], input.relays);
  if (found.answered.length === 0) {
    logger.warn("No relay answered for the agent's current profile; the profile is left alone this run");
    return undefined;
  }
  const latest = found.events.sort((a, b) => b.created_at - a.created_at)[0];
  let current: Record<string, unknown> = {};
  try {
    current = latest ? JSON.parse(latest.content) : {};
  } catch {
    logger.warn("The agent's current profile is not JSON; it is left alone");
    return undefined;
  }
  if (current.name === input.agentName) return undefined;
  return {
    kind: 0,
    created_at: Math.max(Math.floor(now.getTime() / 1000), (latest?.created_at ?? 0) + 1),
    content: JSON.stringify({ ...current, name: input.agentName }),
    tags: [],
  };
}

function describeSubject(subject: OutboxEntry["subject"]): string {
  switch (subject.kind) {
    case "skill":
      return `${subject.name} ${subject.version}`;
    case "post":
      return `run ${subject.run}`;
    case "profile":
      return `profile ${subject.name}`;
    case "launch":
      return `launch ${subject.symbol}`;
  }
}

/** The pause a relay that answered `rate-limited:` gets first; each further such answer doubles it, up to the most. */
const RATE_LIMITED_PAUSE_MS = 250;
const MOST_RELAY_PAUSE_MS = 4_000;

/** A per-relay rate limit: sending waits until each relay's last event is old enough, and slows down for one that asks. */
interface RelayLimiter {
  /** Waits until every given relay's last event is at least its interval old. */
  pace(relays: readonly string[]): Promise<void>;
  /**
   * A relay answered `rate-limited:`: its interval doubles (at least {@linkcode RATE_LIMITED_PAUSE_MS}) for this run.
   * Returns `false` when it was at the most already: slowing down further would let one relay stretch the run.
   */
  slowDown(relay: string): boolean;
}

function relayLimiter(intervalMs: number, slice: TimeSlice): RelayLimiter {
  const last = new Map<string, number>();
  const interval = new Map<string, number>();
  const of = (relay: string) => interval.get(relay) ?? intervalMs;
  return {
    async pace(relays) {
      const now = performance.now();
      const wait = relays.reduce((most, relay) => Math.max(most, (last.get(relay) ?? -Infinity) + of(relay) - now), 0);
      if (wait > 0) await slice.wait(wait);
      for (const relay of relays) last.set(relay, performance.now());
    },
    slowDown(relay) {
      if (of(relay) >= MOST_RELAY_PAUSE_MS) return false;
      interval.set(relay, Math.min(MOST_RELAY_PAUSE_MS, Math.max(RATE_LIMITED_PAUSE_MS, 2 * of(relay))));
      return true;
    },
  };
}

/** The skill text as an event carries it: whole when it fits, else a prefix that ends on a whole character, and a note. */
function cut(content: string): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short text fits without being encoded (most skills, every run).
  if (content.length * 3 <= MAX_EVENT_CONTENT) return content;
  if (content.length <= MAX_CUT_UNITS && new TextEncoder().encode(content).length <= MAX_EVENT_CONTENT) return content;
  let units = 0;
  let bytes = 0;
  for (const character of content) {
    const point = character.codePointAt(0)!;
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (units + character.length > MAX_CUT_UNITS || bytes + size > MAX_EVENT_CONTENT) break;
    units += character.length;
    bytes += size;
  }
  return `${content.slice(0, units)}\n\n[…cut: the whole skill is in its repository]`;
}
