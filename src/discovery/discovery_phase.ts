/**
 * The discovery phase of a run: the skills as they are now, through the last
 * run's cache, with the phase's log lines and report.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { PipelineAdapters } from "../adapters.ts";
import type { DiscoverySettings } from "./discovery_settings.ts";
import { ignoredPaths } from "../publishing/ignored_paths.ts";
import { NO_PROGRESS } from "../progress.ts";
import type { DiscoveryReport } from "../report.ts";
import { configuredDiscovery, discoverSkills, type DiscoveryResult } from "./discover.ts";
import { discoveryCacheKey } from "./discovery_cache.ts";
import { isPinned } from "./pinned.ts";
import type { Skill } from "./skill.ts";
import { ROOT_CATEGORY } from "../logging.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

const logger = getLogger([ROOT_CATEGORY, "discovery"]);

/** What the discovery phase found. */
export interface DiscoveryPhaseResult {
  /** The phase's report (with the pinned skills). */
  report: DiscoveryReport;
  /** The skills that may merge: not excluded by discovery (errors, security findings), not pinned by the owner. */
  mergeable: Skill[];
}

/** How many errors of one rule the log names one by one. */
const LOGGED_PER_RULE = 5;

/**
 * Discovers the skills, reusing the outcomes of files unchanged since the last run, and saves the cache for the next.
 *
 * @param adapters The files, git (for what it ignores), the store (the cache), the clock and progress.
 * @param config The configuration.
 * @param slice Where discovery gives the event loop a turn and stops when the run must.
 * @returns The report and the skills that may merge.
 */
export async function runDiscoveryPhase(
  adapters: Pick<PipelineAdapters, "fs" | "git" | "store" | "clock" | "progress">,
  config: DiscoverySettings,
  slice: TimeSlice = UNSLICED,
): Promise<DiscoveryPhaseResult> {
  const ignored = adapters.git ? await ignoredPaths(adapters.git, config.repo, config.skillsDir) : [];
  const options = configuredDiscovery(config, ignored);
  const cacheKey = discoveryCacheKey(options);
  const previous = await adapters.store.loadDiscoveryCache(cacheKey);
  const result = await discoverSkills(adapters.fs, {
    ...options,
    cache: previous,
    now: adapters.clock.now().getTime(),
    progress: adapters.progress ?? NO_PROGRESS,
    slice,
  });
  await adapters.store.saveDiscoveryCache(cacheKey, previous, result.cache, slice.signal);
  const { report } = result;
  logDiscovery(result);
  const pinned = result.skills.filter((skill) => isPinned(skill, config.pinned)).map((skill) => skill.path);
  if (pinned.length > 0) report.pinned = pinned;
  // Excluded skills (errors, security findings) and pinned ones stay as they are: they never merge.
  const mergeable = result.skills.filter((skill) => !skill.excluded && !isPinned(skill, config.pinned));
  return { report, mergeable };
}

/** The phase's summary in the log, and a few errors of each rule. */
function logDiscovery(result: DiscoveryResult): void {
  const { report } = result;
  const errors = report.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  logger.info(
    "Discovered {found} skill files: {parsed} parsed, {valid} valid, {errors} with errors ({read} read, {cached} unchanged)",
    {
      found: report.found,
      parsed: report.parsed,
      valid: report.valid,
      errors,
      read: result.read,
      cached: report.found - result.read,
    },
  );
  // A registry can hold thousands of broken files: the log names a few per rule and counts the rest (the report keeps
  // every one).
  const errorsByRule = new Map<string, number>();
  for (const diagnostic of report.diagnostics) {
    if (diagnostic.severity !== "error") continue;
    const count = (errorsByRule.get(diagnostic.rule) ?? 0) + 1;
    errorsByRule.set(diagnostic.rule, count);
    if (count <= LOGGED_PER_RULE) {
      logger.warn("{path}:{line}: {message}", { ...diagnostic, line: diagnostic.line ?? "" });
    }
  }
  for (const [rule, count] of errorsByRule) {
    if (count <= LOGGED_PER_RULE) continue;
    logger.warn("{count} errors of {rule} in all: {more} more not logged one by one (the report lists every one)", {
      count,
      rule,
      more: count - LOGGED_PER_RULE,
    });
  }
}
