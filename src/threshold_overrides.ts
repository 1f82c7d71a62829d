/**
 * The duplicate decision's thresholds as a run uses them: the defaults,
 * overridden by the repository's `heartbeat.json`, overridden by the owner's
 * `--duplicate-thresholds`. `heartbeat.json` is committed, so a contributor's
 * merged pull request can change it: each threshold is held to its safe range
 * for unattended merges (its floor to 1), and a value looser than the default
 * is reported wherever the owner looks (the log at every run's start, the run
 * report, `health`), saying where it came from.
 *
 * @module
 */

import { DEFAULT_THRESHOLDS, type EvidenceThresholds, THRESHOLD_FLOORS } from "./clustering/clustering_settings.ts";
import { SETTINGS_FILE } from "./repository_settings.ts";

/** The flag through which the owner overrides thresholds on the command line. */
export const THRESHOLDS_FLAG = "--duplicate-thresholds";

/** Where a threshold's value came from: the committed settings file, or the owner's flag. */
export type ThresholdSource = typeof SETTINGS_FILE | typeof THRESHOLDS_FLAG;

/** A threshold set below its default, within its range: more skills merge unattended than the defaults allow. */
export interface LoosenedThreshold {
  /** The threshold's name, e.g. `near`. */
  threshold: keyof EvidenceThresholds;
  /** Its default. */
  default: number;
  /** The value the run uses. */
  value: number;
  /** Where the value came from. */
  source: ThresholdSource;
}

/** The thresholds a run uses, and those of them looser than their defaults. */
export interface ResolvedThresholds {
  /** Every threshold, overrides applied. */
  values: EvidenceThresholds;
  /** The thresholds below their defaults, in the order of {@linkcode DEFAULT_THRESHOLDS}. */
  loosened: LoosenedThreshold[];
}

/**
 * Applies the overrides to the defaults, and checks each against its safe range.
 *
 * @param file The `thresholds` of `heartbeat.json`, by name, when it has them.
 * @param flag The thresholds given with `--duplicate-thresholds`, which win over the file's.
 * @param problems Where a problem is added, one line each: an unknown name in the file, or a value (from either
 *   source) outside its range, naming the file or flag, the key, the value and the range.
 * @returns The thresholds and what loosens them.
 *
 * @example
 * ```ts
 * import { resolveThresholds } from "./threshold_overrides.ts";
 * const problems: string[] = [];
 * const { values, loosened } = resolveThresholds({ near: 0.88 }, {}, problems);
 * console.assert(values.near === 0.88 && loosened[0]?.source === "heartbeat.json" && problems.length === 0);
 * resolveThresholds({ near: 0 }, {}, problems);
 * console.assert(problems[0]!.startsWith('heartbeat.json: "thresholds.near" is 0, outside'));
 * ```
 */
export function resolveThresholds(
  file: Readonly<Record<string, number>> | undefined,
  flag: Readonly<Partial<EvidenceThresholds>>,
  problems: string[],
): ResolvedThresholds {
  const names = Object.keys(DEFAULT_THRESHOLDS) as Array<keyof EvidenceThresholds>;
  for (const name of Object.keys(file ?? {})) {
    if (!Object.hasOwn(DEFAULT_THRESHOLDS, name)) {
      problems.push(`${SETTINGS_FILE}: unknown threshold "${name}" (known: ${names.join(", ")})`);
    }
  }
  const values = { ...DEFAULT_THRESHOLDS };
  const loosened: LoosenedThreshold[] = [];
  for (const name of names) {
    const given: Array<{ source: ThresholdSource; value: number }> = [];
    if (file !== undefined && Object.hasOwn(file, name)) given.push({ source: SETTINGS_FILE, value: file[name]! });
    if (flag[name] !== undefined) given.push({ source: THRESHOLDS_FLAG, value: flag[name] });
    for (const { source, value } of given) {
      if (!(value >= THRESHOLD_FLOORS[name] && value <= 1)) problems.push(outOfRange(source, name, value));
    }
    // The flag wins over the file.
    const used = given.at(-1);
    if (used === undefined) continue;
    values[name] = used.value;
    if (used.value < DEFAULT_THRESHOLDS[name]) {
      loosened.push({ threshold: name, default: DEFAULT_THRESHOLDS[name], ...used });
    }
  }
  return { values, loosened };
}

/**
 * One line for a loosened threshold, naming the threshold, its value, its default and where it came from.
 *
 * @param loosened The loosened threshold.
 * @returns E.g. `heartbeat.json loosens the duplicate threshold near to 0.88 (default 0.9)`.
 *
 * @example
 * ```ts
 * import { describeLoosening } from "./threshold_overrides.ts";
 * const line = describeLoosening({ threshold: "near", default: 0.9, value: 0.88, source: "heartbeat.json" });
 * console.assert(line === "heartbeat.json loosens the duplicate threshold near to 0.88 (default 0.9)");
 * ```
 */
export function describeLoosening(loosened: LoosenedThreshold): string {
  return `${loosened.source} loosens the duplicate threshold ${loosened.threshold} to ${loosened.value} (default ${loosened.default})`;
}

/** The refusal of a value outside its range, naming where it was set, the key, the value and the range. */
function outOfRange(source: ThresholdSource, name: keyof EvidenceThresholds, value: number): string {
  const range = `${THRESHOLD_FLOORS[name]} to 1 (default ${DEFAULT_THRESHOLDS[name]})`;
  return source === SETTINGS_FILE
    ? `${SETTINGS_FILE}: "thresholds.${name}" is ${value}, outside its safe range for unattended merges, ${range}: ` +
      `set it within the range or remove it`
    : `${THRESHOLDS_FLAG} ${name}=${value} is outside its safe range for unattended merges, ${range}: give a value within it`;
}
