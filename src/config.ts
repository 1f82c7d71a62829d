/**
 * The heartbeat's configuration: command-line options, environment variables
 * and an optional `.env` file, validated once at start.
 *
 * Precedence: flags, then the process environment, then `.env`, then
 * defaults. Every problem is collected so one start reports them all; no
 * message ever contains a secret's value.
 *
 * @module
 */

import { type RepositorySettings, SETTINGS_FILE } from "./repository_settings.ts";
import { resolve } from "node:path";
import type { CommonOptions } from "./common_options.ts";
import type { DiscoverySettings } from "./discovery/discovery_settings.ts";
import type { ClusteringSettings } from "./clustering/clustering_settings.ts";
import { type LoosenedThreshold, resolveThresholds } from "./threshold_overrides.ts";
import { BUNDLED_MODEL_DIR } from "./embedding/embedder.ts";
import { Secret } from "./secret.ts";
import { containsSecret, looksLikePrivateKey, NSEC_SHAPE, redactKeyShapes } from "./secret_guard.ts";
import type { PublishingSettings } from "./publishing/publishing_settings.ts";
import { type BroadcastingSettings, DEFAULT_RELAYS } from "./broadcasting/broadcasting_settings.ts";
import type { LaunchingSettings } from "./launching/launching_settings.ts";
import { parsePublicKey, parseSecretKey } from "./nostr/nostr_identity.ts";
import { isInside } from "./fs/paths.ts";
import { isLoopback } from "./loopback.ts";
import { LaunchFieldError, type LaunchFields, validateLaunch } from "./launching/launch_request.ts";

/**
 * The environment variables the heartbeat reads, and what for. The heartbeat
 * task's `--allow-env` list is this plus what dependencies read.
 */
export const ENVIRONMENT_VARIABLES = {
  NOSTR_NSEC: "the agent's Nostr private key, nsec1… or 64 hex digits (secret)",
  NOSTR_RELAY: "relay URLs, comma-separated (default: Clawstr's documented relays)",
  AGENT_NAME: "the agent's display name in its Nostr profile",
  TOKEN_TICKER:
    "the governance token's symbol (≤ 32 letters or digits); with TOKEN_WALLET it turns the Clawnch launch on",
  TOKEN_WALLET: "the Base wallet that receives the token's fees: 0x and 40 hex digits (EIP-55 when mixed case)",
  TOKEN_NAME: "the token's name (≤ 100 characters)",
  TOKEN_DESCRIPTION: "what the token is for (≤ 1,000 characters)",
  TOKEN_IMAGE: "a direct https URL of the token's image (.png, .jpg, .gif, .webp, .svg)",
  TOKEN_WEBSITE: "the token's website, https (optional)",
  TOKEN_TWITTER: "the token's X/Twitter handle or URL (optional)",
  NOSTR_PREVIOUS_KEYS:
    "public keys (npub1… or hex) the agent used before, comma-separated: a launch by any of them counts",
  CLAWNCH_PUBKEY: "Clawnch's public key (npub1… or hex): only its replies count as the launch's outcome",
  HEARTBEAT_TOKEN: "the bearer token serve's API asks for, at least 16 characters (secret)",
} as const;

/**
 * The configuration is invalid; each problem names its variable or flag.
 * Anything in a problem shaped like a private key is replaced by
 * `[redacted]`: a key pasted into the wrong variable or flag must not
 * reach the terminal or a log through the message that rejects it.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** One line per problem. */
  readonly problems: readonly string[];

  /** @param problems What is wrong, one sentence each. */
  constructor(problems: readonly string[]) {
    const shown = problems.map(redactKeyShapes);
    super(shown.join("; "));
    this.problems = shown;
  }
}

/**
 * Validated configuration shared by every command: the parts each phase
 * declares it reads (in its own folder, with its defaults), assembled.
 */
export interface Config
  extends DiscoverySettings, ClusteringSettings, PublishingSettings, BroadcastingSettings, LaunchingSettings {
  /** The embedding model's directory, absolute. */
  readonly modelDir: string;
  /** Whether the repository opted in (`heartbeat.json`): without it every run is a dry run. */
  readonly consent: boolean;
  /** The bearer token `serve`'s API asks for (`HEARTBEAT_TOKEN`), if set. */
  readonly heartbeatToken?: Secret | undefined;
  /** Duplicate thresholds set looser than their defaults, and by whom: reported at every run. */
  readonly loosenedThresholds: readonly LoosenedThreshold[];
}

/** Where configuration comes from, besides the command line. */
export interface ConfigSources {
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** The variables of the `.env` file, when there is one. */
  envFile?: ReadonlyMap<string, string> | undefined;
  /** The directory relative paths are resolved from. */
  cwd: string;
  /** The repository's `heartbeat.json`, when it has one: the owner's consent and settings. */
  settings?: RepositorySettings | undefined;
}

/**
 * Validates the configuration.
 *
 * @param options The command line's options.
 * @param sources The environment, `.env` variables and working directory.
 * @returns The configuration.
 * @throws {ConfigError} Listing every problem found.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const config = loadConfig(
 *   {
 *     repo: "/srv/skills",
 *     skillsDir: "skills",
 *     stateDir: ".heartbeat",
 *     archiveDir: ".archive",
 *     ruleSets: ["agentskills"],
 *     strict: false,
 *     related: 0.9,
 *     mergeRelated: false,
 *     duplicateThresholds: {},
 *     remote: "origin",
 *     json: false,
 *     logLevel: "info",
 *   },
 *   { env: { AGENT_NAME: "Keeper" }, cwd: "/" },
 * );
 * console.assert(config.skillsDir === "/srv/skills/skills");
 * ```
 */
export function loadConfig(options: CommonOptions, sources: ConfigSources): Config {
  const problems: string[] = [];
  const read = (name: keyof typeof ENVIRONMENT_VARIABLES) => {
    const value = sources.env[name] ?? sources.envFile?.get(name);
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };

  const repo = resolve(sources.cwd, options.repo);
  const skillsDir = resolve(repo, options.skillsDir);
  if (!isInside(repo, skillsDir)) {
    problems.push(`--skills-dir "${options.skillsDir}" is outside the repository ${repo}`);
  }
  const stateDir = resolve(repo, options.stateDir);
  const archiveDir = resolve(repo, options.archiveDir);
  if (!isInside(repo, archiveDir) || archiveDir === repo) {
    problems.push(`--archive-dir "${options.archiveDir}" must be a directory inside the repository ${repo}`);
  }

  const nsec = read("NOSTR_NSEC");
  const agentKey = nsec === undefined ? undefined : parseSecretKey(nsec, problems);
  const heartbeatToken = readHeartbeatToken(read("HEARTBEAT_TOKEN"), problems);
  const secrets = [...agentKey?.secrets ?? [], ...heartbeatToken === undefined ? [] : [heartbeatToken]];
  // The signer refuses every secret, not the key's forms alone: a token in an event is as public as the key.
  const nostr = agentKey && { ...agentKey, secrets };
  // A value that is published (the profile, the launch post, commits, relay URLs) must carry no secret: not the
  // agent's key in any form, nor the token, nor anything shaped like a key, which would be someone's.
  const holdsKey = (value: string) => looksLikePrivateKey(value) || containsSecret(value, secrets);
  // An image's URL may name it by its SHA-256, 64 hex digits like a key: there only an nsec or the agent's key counts.
  const urlHoldsKey = (value: string) => value.search(NSEC_SHAPE) >= 0 || containsSecret(value, secrets);
  const settings = sources.settings;
  const relayText = read("NOSTR_RELAY") ?? settings?.relays?.join(",");
  const relaySource = read("NOSTR_RELAY") === undefined ? `${SETTINGS_FILE} relays` : "NOSTR_RELAY";
  const relays = relayText === undefined
    ? [...DEFAULT_RELAYS]
    : parseRelays(relayText, problems, { source: relaySource, holdsKey });
  for (const [name, value, kind] of publicValues(read, options, settings)) {
    if (value !== undefined && (kind === "url" ? urlHoldsKey(value) : holdsKey(value))) {
      problems.push(
        `${name} holds a private key or a token (NOSTR_NSEC, HEARTBEAT_TOKEN, or text shaped like a key), which ` +
          `would be published; it is not shown: take it out of ${name} (each belongs in its own variable alone)`,
      );
    }
  }

  const agentName = read("AGENT_NAME") ?? settings?.agentName;
  if (agentName !== undefined && agentName.length > 100) {
    problems.push(`AGENT_NAME is ${agentName.length} characters long: at most 100 are allowed`);
  }
  const launch = launchConfig(read, problems);
  // heartbeat.json is contributor-writable: each threshold is held to its safe range, and a loosening is reported.
  const thresholds = resolveThresholds(settings?.thresholds, options.duplicateThresholds, problems);
  const previousKeys = (read("NOSTR_PREVIOUS_KEYS") ?? "").split(",").map((key) => key.trim()).filter((key) =>
    key !== ""
  ).flatMap((key, i) => parsePublicKey(`NOSTR_PREVIOUS_KEYS entry ${i + 1}`, key, nostr, problems) ?? []);
  const clawnchText = read("CLAWNCH_PUBKEY");
  const clawnchPubkey = clawnchText === undefined
    ? undefined
    : parsePublicKey("CLAWNCH_PUBKEY", clawnchText, nostr, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    repo,
    skillsDir,
    stateDir,
    archiveDir,
    ruleSets: options.ruleSets,
    strict: options.strict,
    modelDir: options.model === undefined ? BUNDLED_MODEL_DIR : resolve(sources.cwd, options.model),
    git: { remote: options.remote, branch: options.branch, author: options.gitAuthor },
    clustering: {
      related: options.related,
      mergeRelated: options.mergeRelated,
      thresholds: thresholds.values,
    },
    consent: settings !== undefined,
    loosenedThresholds: thresholds.loosened,
    pinned: settings?.pinned ?? [],
    nostr,
    relays,
    relaysAreDefault: relayText === undefined,
    agentName,
    launch,
    previousKeys: [...new Set(previousKeys)],
    clawnchPubkey,
    heartbeatToken,
    secrets,
  };
}

/** The shortest `HEARTBEAT_TOKEN` accepted: a short one is guessed, and would be scrubbed out of ordinary words. */
const MIN_TOKEN_LENGTH = 16;

/** `HEARTBEAT_TOKEN`, from the environment or `.env`: too short is a problem. */
function readHeartbeatToken(text: string | undefined, problems: string[]): Secret | undefined {
  if (text === undefined) return undefined;
  if (text.length < MIN_TOKEN_LENGTH) {
    problems.push(`HEARTBEAT_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long`);
  }
  return new Secret(text);
}

/** The variable behind each launch field. */
const LAUNCH_VARIABLES: Record<keyof LaunchFields, keyof typeof ENVIRONMENT_VARIABLES> = {
  symbol: "TOKEN_TICKER",
  wallet: "TOKEN_WALLET",
  name: "TOKEN_NAME",
  description: "TOKEN_DESCRIPTION",
  image: "TOKEN_IMAGE",
  website: "TOKEN_WEBSITE",
  twitter: "TOKEN_TWITTER",
};

/**
 * The launch: off (saying which opt-in variable is missing) unless both the
 * ticker and the wallet are set; then every field is validated, each problem
 * naming its variable.
 */
function launchConfig(
  read: (name: keyof typeof ENVIRONMENT_VARIABLES) => string | undefined,
  problems: string[],
): LaunchingSettings["launch"] {
  const missing = (["TOKEN_TICKER", "TOKEN_WALLET"] as const).filter((name) => read(name) === undefined);
  if (missing.length > 0) return { off: `the token launch is off: ${missing.join(" and ")} not set` };
  const fields = Object.fromEntries(
    Object.entries(LAUNCH_VARIABLES).map(([field, variable]) => [field, read(variable)]),
  ) as LaunchFields;
  try {
    return { request: validateLaunch(fields) };
  } catch (error) {
    if (!(error instanceof LaunchFieldError)) throw error;
    for (const problem of error.problems) problems.push(`${LAUNCH_VARIABLES[problem.field]} ${problem.message}`);
    return { off: "the token launch is not valid" };
  }
}

/** The launch fields that are URLs. */
const LAUNCH_URLS: ReadonlySet<string> = new Set(["TOKEN_IMAGE", "TOKEN_WEBSITE"]);

/**
 * The settings whose values are published, by the name a person set each under, and whether each is a URL: the
 * profile's name, the launch post's fields, the commits' author and branch. (Relay URLs are checked entry by entry as
 * they are read.)
 */
function publicValues(
  read: (name: keyof typeof ENVIRONMENT_VARIABLES) => string | undefined,
  options: Pick<CommonOptions, "gitAuthor" | "branch">,
  settings: RepositorySettings | undefined,
): Array<[name: string, value: string | undefined, kind: "text" | "url"]> {
  return [
    ["AGENT_NAME", read("AGENT_NAME"), "text"],
    [`${SETTINGS_FILE} agentName`, settings?.agentName, "text"],
    ...Object.values(LAUNCH_VARIABLES).map((name): [string, string | undefined, "text" | "url"] => [
      name,
      read(name),
      LAUNCH_URLS.has(name) ? "url" : "text",
    ]),
    ["--git-author", options.gitAuthor, "text"],
    ["--branch", options.branch, "text"],
  ];
}

/**
 * The relay URLs of `NOSTR_RELAY` or `heartbeat.json` (the `source`, in messages); an entry that holds a key, valid URL
 * or not, is refused without being echoed.
 */
function parseRelays(
  text: string,
  problems: string[],
  check: { source: string; holdsKey: (value: string) => boolean },
): string[] {
  const { source } = check;
  const relays: string[] = [];
  const entries = text.split(",").map((part) => part.trim()).filter((part) => part !== "");
  entries.forEach((entry, index) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      // Reported below.
    }
    if (check.holdsKey(entry)) {
      // A key pasted into the wrong variable, or into a URL: say so, without echoing it.
      problems.push(`${source} entry ${index + 1} looks like a private key; it is not shown`);
    } else if (url && (url.protocol === "wss:" || (url.protocol === "ws:" && isLoopback(url.hostname)))) {
      relays.push(url.href.replace(/\/$/, ""));
    } else if (!url) {
      problems.push(`${source} entry "${entry}" is not a URL`);
    } else if (url.protocol === "ws:") {
      problems.push(`${source} entry "${entry}" uses ws://, which is allowed only for loopback: use wss://`);
    } else {
      problems.push(`${source} entry "${entry}" is not a relay URL: expected wss://…`);
    }
  });
  if (relays.length === 0 && problems.length === 0) problems.push(`${source} names no relay`);
  return [...new Set(relays)];
}
