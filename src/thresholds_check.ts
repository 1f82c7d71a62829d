/**
 * The thresholds health check: whether the duplicate decision runs with its
 * defaults, or with thresholds loosened (by `heartbeat.json`, which a
 * contributor can change, or the owner's flag). A loosening is in range, so
 * the check stays healthy, but warns: the owner decides whether it stays.
 *
 * @module
 */

import type { HealthCheck } from "./health.ts";
import { describeLoosening, type LoosenedThreshold } from "./threshold_overrides.ts";

/**
 * The check.
 *
 * @param loosened The thresholds looser than their defaults (the configuration's).
 * @returns The check: healthy, with a warning naming each loosened threshold, its default, value and source.
 *
 * @example
 * ```ts
 * import { thresholdsCheck } from "./thresholds_check.ts";
 * const result = await thresholdsCheck([{ threshold: "near", default: 0.9, value: 0.88, source: "heartbeat.json" }])();
 * console.assert(result.healthy && result.warning === true);
 * ```
 */
export function thresholdsCheck(loosened: readonly LoosenedThreshold[]): HealthCheck {
  return () => {
    if (loosened.length === 0) {
      return Promise.resolve({
        name: "thresholds",
        healthy: true,
        detail: "the duplicate thresholds are not loosened",
      });
    }
    return Promise.resolve({
      name: "thresholds",
      healthy: true,
      warning: true,
      detail: `${loosened.map(describeLoosening).join("; ")}: more skills merge unattended than the defaults allow`,
      data: { loosened },
    });
  };
}
