/**
 * Health checks: each capability contributes one; the `health` command runs
 * them all and prints the result.
 *
 * @module
 */

import { errorMessage } from "./error_message.ts";

/** The outcome of one health check. */
export interface HealthCheckResult {
  /** What was checked, e.g. `file-system`. */
  name: string;
  /** Whether it is fine. */
  healthy: boolean;
  /** Healthy, but something the owner should know and decide about (a loosened threshold): printed as `warn`. */
  warning?: boolean;
  /** One line for a person. */
  detail: string;
  /** Figures behind the detail, for `--json`. */
  data?: Record<string, unknown>;
}

/** A health check. It reports problems in its result rather than throwing. */
export type HealthCheck = () => Promise<HealthCheckResult>;

/** Every check's result. */
export interface HealthReport {
  /** Whether every check is healthy. */
  healthy: boolean;
  /** Each check, in the order run. */
  checks: HealthCheckResult[];
}

/**
 * Runs health checks one after another; a check that throws counts as
 * unhealthy with its error as the detail.
 *
 * @param checks The checks, each with the name to report if it throws.
 * @returns The combined report.
 */
export async function runHealthChecks(checks: ReadonlyArray<[string, HealthCheck]>): Promise<HealthReport> {
  const results: HealthCheckResult[] = [];
  for (const [name, check] of checks) {
    try {
      results.push(await check());
    } catch (error) {
      results.push({ name, healthy: false, detail: errorMessage(error) });
    }
  }
  return { healthy: results.every((result) => result.healthy), checks: results };
}

/**
 * Renders a health report for a person.
 *
 * @param report The report.
 * @returns One line per check and a verdict.
 */
export function formatHealthReport(report: HealthReport): string {
  const lines = report.checks.map((check) =>
    `${check.healthy ? (check.warning ? "warn" : "ok  ") : "FAIL"} ${check.name}: ${check.detail}`
  );
  lines.push(report.healthy ? "healthy" : "unhealthy");
  return lines.join("\n");
}
