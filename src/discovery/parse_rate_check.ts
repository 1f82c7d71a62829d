/**
 * The discovery health check: how many skill files can be read.
 *
 * @module
 */

import type { DiscoverySettings } from "./discovery_settings.ts";
import type { FileSystem } from "../fs/file_system.ts";
import type { HealthCheck } from "../health.ts";
import { configuredDiscovery, discoverSkills } from "./discover.ts";

/** Below this share of readable skill files, the library is reported unhealthy. */
export const MIN_PARSE_SUCCESS_RATE = 0.9;

/**
 * Checks that at least {@linkcode MIN_PARSE_SUCCESS_RATE} of the skill files
 * have readable frontmatter.
 *
 * @param config Where the skills are and how they are validated.
 * @param fs The file system.
 * @param ignored The paths git ignores under the skills directory, as the run leaves them out.
 * @returns The check.
 */
export function parseRateCheck(
  config: DiscoverySettings,
  fs: FileSystem,
  ignored: () => Promise<readonly string[]>,
): HealthCheck {
  return async () => {
    const { report } = await discoverSkills(fs, configuredDiscovery(config, await ignored()));
    const errors = report.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
    const percent = (report.parseSuccessRate * 100).toFixed(1);
    // Quarantine is the scan doing its job, not ill health: it is listed for the owner to look at.
    const quarantined = report.quarantined ?? [];
    return {
      name: "discovery",
      healthy: report.parseSuccessRate >= MIN_PARSE_SUCCESS_RATE,
      detail: `${report.parsed} of ${report.found} skill files parsed (${percent}%, at least ${
        MIN_PARSE_SUCCESS_RATE * 100
      }% expected), ${report.valid} valid, ${errors} errors${
        quarantined.length === 0
          ? ""
          : `; ${quarantined.length} quarantined for malicious instructions: ${
            quarantined.map((file) => file.path).join(", ")
          }`
      }`,
      data: {
        found: report.found,
        parsed: report.parsed,
        valid: report.valid,
        parseSuccessRate: report.parseSuccessRate,
        errors,
        quarantined,
      },
    };
  };
}
