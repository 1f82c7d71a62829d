/**
 * The launch health check: whether the token launch is configured, where it
 * stands, and what Clawnch answered.
 *
 * @module
 */

import type { LaunchingSettings } from "./launching_settings.ts";
import type { HealthCheck } from "../health.ts";
import type { LaunchRecord } from "./launch_record.ts";

/**
 * The check. Unhealthy only when Clawnch refused the launch (a person must
 * act: the ticker was taken, a field was refused); a launch still waiting for
 * relays or for Clawnch's answer is healthy, and says so.
 *
 * @param launch The configured launch.
 * @param records The launch records (from the state store; none before the first run).
 * @returns The check.
 */
export function launchCheck(
  launch: LaunchingSettings["launch"],
  records: () => Promise<readonly LaunchRecord[]>,
): HealthCheck {
  return async () => {
    if ("off" in launch) return { name: "launch", healthy: true, detail: launch.off };
    const { symbol } = launch.request;
    const record = (await records()).find((found) => found.symbol === symbol);
    if (!record) {
      return { name: "launch", healthy: true, detail: `${symbol} is not launched yet: the next heartbeat launches it` };
    }
    const at = new Date(record.event.created_at * 1000).toISOString();
    const data = {
      symbol,
      event: record.event.id,
      state: record.state,
      at,
      acceptedBy: record.acceptedBy,
      outcome: record.outcome,
      unverified: record.unverified,
    };
    const { outcome } = record;
    if (outcome?.status === "launched") {
      return { name: "launch", healthy: true, detail: `${symbol} launched at ${at}: token ${outcome.token}`, data };
    }
    if (outcome?.status === "failed") {
      return { name: "launch", healthy: false, detail: `Clawnch refused ${symbol}: ${outcome.message}`, data };
    }
    const where = record.state === "queued"
      ? "its post waits in the outbox until every relay has it"
      : "no verified reply from Clawnch yet";
    const unverified = record.unverified.length > 0 ? ` (${record.unverified.length} unverified replies)` : "";
    return { name: "launch", healthy: true, detail: `${symbol} posted at ${at}: ${where}${unverified}`, data };
  };
}
