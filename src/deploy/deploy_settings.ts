/**
 * What the Deno Deploy entry reads from its environment variables besides the
 * heartbeat's own (`NOSTR_NSEC`, `AGENT_NAME`, …): which repository to keep,
 * the token that may push to it, how often, and who may start a run by hand.
 * Deploy passes no flags and has no working copy, so these stand in for the
 * command line and the checkout.
 *
 * @module
 */

import { ConfigError } from "../config.ts";
import { Secret } from "../secret.ts";
import { looksLikePrivateKey } from "../secret_guard.ts";
import { isLoopback } from "../loopback.ts";
import { DEFAULT_INTERVAL_HOURS, heartbeatSchedule, IntervalError } from "../schedule.ts";

/** The variables, and what for. */
export const DEPLOY_VARIABLES = {
  SKILLS_REPOSITORY: "the skills repositories' HTTPS clone URLs, comma-separated (required)",
  SKILLS_BRANCH: "the branch the heartbeat keeps (default: the repository's default branch)",
  GIT_TOKEN: "a token that may push to the repository, sent as the HTTPS password (secret, required)",
  GIT_USERNAME: "the user name sent with the token (default: x-access-token)",
  GIT_AUTHOR: "Name <email> of the heartbeat's commits (default: the heartbeat's own)",
  HEARTBEAT_INTERVAL_HOURS: "hours between runs, as --interval (default: 6)",
  HEARTBEAT_ADMIN_TOKEN: "a bearer token for POST /run, which starts a run now (secret; without it /run is off)",
  HEARTBEAT_KV_PATH: "a KV file, to run this entry off Deploy (default: the deployment's own KV)",
} as const;

/** What the Deploy entry needs besides the heartbeat's configuration. */
export interface DeploySettings {
  /** The repositories' clone URLs (https, or http on loopback for tests), each kept on its own. */
  repositories: string[];
  /** The branch; the remote's default when absent. */
  branch?: string | undefined;
  /** The token that may push. */
  token: Secret;
  /** The user name sent with the token. */
  username?: string | undefined;
  /** `Name <email>` of the commits. */
  author?: string | undefined;
  /** Hours between runs. */
  intervalHours: number;
  /** The bearer token of `POST /run`; none: the endpoint is off. */
  adminToken?: Secret | undefined;
  /** A KV file; none: the platform's. */
  kvPath?: string | undefined;
}

/**
 * Reads the Deploy settings.
 *
 * @param env The environment variables.
 * @returns The settings.
 * @throws {ConfigError} Naming every variable that is missing or invalid (never echoing a token), or that would
 *   publish something shaped like a private key.
 *
 * @example
 * ```ts
 * import { readDeploySettings } from "./deploy_settings.ts";
 * const settings = readDeploySettings({ SKILLS_REPOSITORY: "https://git.example/skills.git", GIT_TOKEN: "t0ken" });
 * console.assert(settings.intervalHours === 6 && String(settings.token) === "[redacted]");
 * ```
 */
export function readDeploySettings(env: Readonly<Record<string, string | undefined>>): DeploySettings {
  const problems: string[] = [];
  const read = (name: keyof typeof DEPLOY_VARIABLES) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const repositories = (read("SKILLS_REPOSITORY") ?? "").split(",").map((url) => url.trim()).filter((url) =>
    url !== ""
  );
  if (repositories.length === 0) problems.push("SKILLS_REPOSITORY is not set: the HTTPS URL of the skills repository");
  repositories.forEach((url, index) => {
    if (!isCloneUrl(url)) {
      problems.push(
        `SKILLS_REPOSITORY entry ${
          index + 1
        } must be an https:// URL without credentials in it (the token goes in GIT_TOKEN)`,
      );
    }
  });
  const token = read("GIT_TOKEN");
  if (token === undefined) problems.push("GIT_TOKEN is not set: a token that may push to the repository");
  const intervalText = read("HEARTBEAT_INTERVAL_HOURS");
  const intervalHours = intervalText === undefined ? DEFAULT_INTERVAL_HOURS : Number(intervalText);
  try {
    heartbeatSchedule(intervalHours);
  } catch (error) {
    if (!(error instanceof IntervalError)) throw error;
    problems.push("HEARTBEAT_INTERVAL_HOURS must be a positive whole number of minutes, in hours");
  }
  // The commits' author and branch are published with every push: a key pasted there would be too.
  for (const name of ["GIT_AUTHOR", "SKILLS_BRANCH"] as const) {
    if (looksLikePrivateKey(read(name) ?? "")) {
      problems.push(
        `${name} holds something shaped like a private key, which would be published; it is not shown: take it out`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const admin = read("HEARTBEAT_ADMIN_TOKEN");
  return {
    repositories: [...new Set(repositories)],
    branch: read("SKILLS_BRANCH"),
    token: new Secret(token!),
    username: read("GIT_USERNAME"),
    author: read("GIT_AUTHOR"),
    intervalHours,
    adminToken: admin === undefined ? undefined : new Secret(admin),
    kvPath: read("HEARTBEAT_KV_PATH"),
  };
}

/** https, or http only on loopback (a test's server); never a user or password in the URL, where logs would show it. */
function isCloneUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
}
