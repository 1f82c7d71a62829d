/**
 * The repository's own settings file, `heartbeat.json` at its root, written by
 * `heartbeat init` and committed. Its presence is the owner's consent: without
 * it every run is a dry run that changes nothing and says how to opt in.
 *
 * ```json
 * {
 *   "relays": ["wss://relay.ditto.pub"],
 *   "agentName": "Skill Keeper",
 *   "pinned": ["skills/house-style/SKILL.md"],
 *   "thresholds": { "near": 0.92 }
 * }
 * ```
 *
 * Every key is optional. The environment and the command line override it.
 *
 * @module
 */

/** The settings file's name, at the repository's root. */
export const SETTINGS_FILE = "heartbeat.json";

/** What the settings file may hold. */
export interface RepositorySettings {
  /** Relays to publish to, unless `NOSTR_RELAY` says otherwise. */
  relays?: string[];
  /** The agent's display name, unless `AGENT_NAME` says otherwise. */
  agentName?: string;
  /** Skills never merged or archived: paths relative to the repository, or skill names. */
  pinned?: string[];
  /**
   * Overrides of the duplicate decision's thresholds, below `--duplicate-thresholds`; each must lie in its safe range,
   * and one looser than its default is reported at every run (a contributor can change this file).
   */
  thresholds?: Record<string, number>;
}

/** The settings file cannot be used; the message names the file and the key. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * Reads the settings file's text.
 *
 * @param text The file's text.
 * @param path Its path, for messages.
 * @returns The settings.
 * @throws {SettingsError} When it is not a JSON object of the documented keys and types.
 *
 * @example
 * ```ts
 * import { parseRepositorySettings } from "./repository_settings.ts";
 * const settings = parseRepositorySettings('{ "pinned": ["skills/a/SKILL.md"] }', "heartbeat.json");
 * console.assert(settings.pinned?.[0] === "skills/a/SKILL.md");
 * ```
 */
export function parseRepositorySettings(text: string, path: string): RepositorySettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SettingsError(`${path} must hold a JSON object`);
  }
  const record = value as Record<string, unknown>;
  const problem = (key: string, expected: string) => new SettingsError(`${path}: "${key}" must be ${expected}`);
  const strings = (key: string) => {
    const list = record[key];
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || !list.every((item) => typeof item === "string" && item.trim() !== "")) {
      throw problem(key, "a list of non-empty strings");
    }
    return list as string[];
  };
  for (const key of Object.keys(record)) {
    if (!KEYS.has(key)) throw new SettingsError(`${path}: unknown key "${key}" (known: ${[...KEYS].join(", ")})`);
  }
  const settings: RepositorySettings = {};
  const relays = strings("relays");
  if (relays) settings.relays = relays;
  const pinned = strings("pinned");
  if (pinned) settings.pinned = pinned;
  if (record.agentName !== undefined) {
    if (typeof record.agentName !== "string") throw problem("agentName", "a string");
    settings.agentName = record.agentName;
  }
  if (record.thresholds !== undefined) {
    const thresholds = record.thresholds;
    if (
      typeof thresholds !== "object" || thresholds === null || Array.isArray(thresholds) ||
      !Object.values(thresholds).every((n) => typeof n === "number")
    ) {
      // Each value's safe range is the configuration's to judge (src/threshold_overrides.ts), naming its key.
      throw problem("thresholds", "an object of numbers");
    }
    settings.thresholds = thresholds as Record<string, number>;
  }
  return settings;
}

const KEYS = new Set(["relays", "agentName", "pinned", "thresholds"]);
