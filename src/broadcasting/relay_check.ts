/**
 * The relays health check: each relay is reachable, and how fast it answers.
 *
 * @module
 */

import type { HealthCheck } from "../health.ts";

/**
 * Opens a WebSocket to each relay and times it.
 *
 * @param relays Relay URLs.
 * @param configured Whether a key is configured: without one, broadcasting is skipped and the check only reports.
 * @param timeoutMs How long each relay has.
 * @returns The check: healthy when broadcasting is off or at least one relay answers.
 */
export function relayCheck(relays: readonly string[], configured: boolean, timeoutMs = 5000): HealthCheck {
  return async () => {
    if (!configured) {
      return { name: "relays", healthy: true, detail: "NOSTR_NSEC is not set: broadcasting is skipped" };
    }
    const results = await Promise.all(relays.map((relay) => probe(relay, timeoutMs)));
    const reachable = results.filter((result) => result.ms !== undefined);
    return {
      name: "relays",
      healthy: reachable.length > 0,
      detail: results.map((r) => `${r.relay} ${r.ms === undefined ? `unreachable (${r.error})` : `${r.ms} ms`}`).join(
        ", ",
      ),
      data: { relays: results },
    };
  };
}

function probe(relay: string, timeoutMs: number): Promise<{ relay: string; ms?: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(relay);
    } catch (error) {
      resolve({ relay, error: error instanceof Error ? error.message : String(error) });
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
