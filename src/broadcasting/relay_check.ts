/**
 * The relays health check: each relay is reachable, how fast it answers, and
 * whether it accepted the last event the agent sent it.
 *
 * @module
 */

import type { HealthCheck } from "../health.ts";
import type { RelayAnswer } from "./outbox.ts";
import { errorMessage } from "../error_message.ts";

/** Options of {@linkcode relayCheck}. */
export interface RelayCheckOptions {
  /** Whether a key is configured: without one, broadcasting is skipped and the check only reports. */
  configured: boolean;
  /** Each relay's answer to the last event sent to it (from the state store). */
  lastAnswers?: () => Promise<readonly RelayAnswer[]>;
  /** How long each relay has to connect, in ms. */
  timeoutMs?: number;
}

/**
 * Opens a WebSocket to each relay and times it, and adds what each relay
 * answered to the last event sent to it.
 *
 * @param relays Relay URLs.
 * @param options Whether broadcasting is on, the last answers, the timeout.
 * @returns The check: healthy when broadcasting is off, or at least one relay answers and, when
 * events were sent, at least one relay accepted its last one.
 */
export function relayCheck(relays: readonly string[], options: RelayCheckOptions): HealthCheck {
  return async () => {
    if (!options.configured) {
      return { name: "relays", healthy: true, detail: "NOSTR_NSEC is not set: broadcasting is skipped" };
    }
    const answers = new Map((await options.lastAnswers?.() ?? []).map((answer) => [answer.relay, answer]));
    const probes = await Promise.all(relays.map((relay) => probe(relay, options.timeoutMs ?? 5000)));
    const results = probes.map((result) => ({ ...result, lastEvent: answers.get(result.relay) }));
    const reachable = results.filter((result) => result.ms !== undefined);
    const answered = results.filter((result) => result.lastEvent !== undefined);
    const refusedEverywhere = answered.length > 0 && answered.every((result) => !result.lastEvent!.accepted);
    return {
      name: "relays",
      healthy: reachable.length > 0 && !refusedEverywhere,
      detail: results.map((r) =>
        `${r.relay} ${r.ms === undefined ? `unreachable (${r.error})` : `${r.ms} ms`}${describeAnswer(r.lastEvent)}`
      ).join(", "),
      data: { relays: results },
    };
  };
}

function describeAnswer(answer: RelayAnswer | undefined): string {
  if (!answer) return "";
  const when = new Date(answer.at).toISOString();
  return answer.accepted
    ? `; accepted the last event (${when})`
    : `; refused the last event (${when}): ${answer.message || "no reason given"}`;
}

function probe(relay: string, timeoutMs: number): Promise<{ relay: string; ms?: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(relay);
    } catch (error) {
      resolve({ relay, error: errorMessage(error) });
      return;
    }
    const timer = setTimeout(() => {
      socket.close();
      resolve({ relay, error: `no answer in ${timeoutMs} ms` });
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      socket.close();
      resolve({ relay, ms: Math.round(performance.now() - started) });
    };
    socket.onerror = () => {
      clearTimeout(timer);
      resolve({ relay, error: "connection failed" });
    };
  });
}
