/**
 * The heartbeat as a Deno Deploy application: the cron schedule it registers,
 * what a tick does, and its HTTP answers. `GET /health` says whether the
 * configuration is valid and how the last run went (503 when it is not well);
 * `POST /run`, with `Authorization: Bearer HEARTBEAT_ADMIN_TOKEN`, runs the
 * heartbeat now and answers its report. Nothing it answers holds a secret.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Clock } from "../clock.ts";
import { ConfigError } from "../config.ts";
import { errorMessage } from "../error_message.ts";
import { ROOT_CATEGORY, scrubSecrets } from "../logging.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import { heartbeatSchedule } from "../schedule.ts";
import type { Secret } from "../secret.ts";
import { bearerMatches } from "../bearer_token.ts";
import { KvStateStore, type RunRecord } from "../store/state_store.ts";
import { deployHeartbeat, type DeployOutcome } from "./deploy_heartbeat.ts";
import { type DeploySettings, readDeploySettings } from "./deploy_settings.ts";

/** What the application needs from its host. */
export interface DeploymentOptions {
  /** The environment variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** The program's version. */
  version: string;
  /** The time. */
  clock: Clock;
}

/** The application. */
export interface Deployment extends Disposable {
  /** The cron schedule to register (`Deno.cron`), from `HEARTBEAT_INTERVAL_HOURS`. */
  readonly cron: string;
  /** A cron tick: runs the heartbeat when one is due. */
  tick(): Promise<DeployOutcome>;
  /** Answers an HTTP request. */
  fetch(request: Request): Promise<Response>;
}

/** The default schedule, used while the configuration is invalid (a tick then only logs why nothing runs). */
const DEFAULT_INTERVAL_HOURS = 6;

/**
 * Builds the application. The environment is read once, here; the KV store is opened at first use.
 *
 * @param options The environment, version and clock.
 * @returns The application.
 *
 * @example
 * ```ts ignore
 * const app = deployment({ env: Deno.env.toObject(), version: "0.1.0", clock: systemClock });
 * Deno.cron("clawstr-heartbeat", app.cron, () => app.tick());
 * Deno.serve((request) => app.fetch(request));
 * ```
 */
export function deployment(options: DeploymentOptions): Deployment {
  const logger = getLogger([ROOT_CATEGORY, "deploy"]);
  const problems: string[] = [];
  let settings: DeploySettings | undefined;
  let cron = heartbeatSchedule(DEFAULT_INTERVAL_HOURS).cron;
  try {
    settings = readDeploySettings(options.env);
    cron = heartbeatSchedule(settings.intervalHours).cron;
  } catch (error) {
    problems.push(...(error instanceof ConfigError ? error.problems : [errorMessage(error)]));
    settings = undefined;
  }
  const secrets: Secret[] = settings ? [settings.token, ...(settings.adminToken ? [settings.adminToken] : [])] : [];
  let store: Promise<KvStateStore> | undefined;
  const openStore = () => store ??= KvStateStore.open(settings?.kvPath);
  let lastFailure: { at: string; reason: string } | undefined;

  const heartbeat = async (force: boolean): Promise<DeployOutcome> => {
    if (!settings) return { status: "failed", reason: `the configuration is invalid: ${problems.join("; ")}` };
    const outcome = await deployHeartbeat({
      settings,
      env: options.env,
      store: await openStore(),
      clock: options.clock,
      version: options.version,
      force,
    });
    if (outcome.status !== "failed") return outcome;
    lastFailure = { at: options.clock.now().toISOString(), reason: scrubSecrets(outcome.reason, secrets) };
    logger.error("The heartbeat could not run: {reason}", { reason: lastFailure.reason });
    return { status: "failed", reason: lastFailure.reason };
  };

  const json = (body: unknown, status: number) =>
    new Response(scrubSecrets(JSON.stringify(body), secrets), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });

  return {
    cron,
    tick: () => heartbeat(false),
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && (pathname === "/health" || pathname === "/")) {
        const lastRun = settings ? (await (await openStore()).recentRuns(1))[0] : undefined;
        const status = healthStatus(problems, lastRun, lastFailure);
        return json({
          program: PROGRAM_NAME,
          version: options.version,
          status,
          repository: settings?.repository,
          cron,
          problems,
          lastRun: lastRun ?? null,
          lastFailure: lastFailure ?? null,
        }, status === "ok" || status === "waiting" ? 200 : 503);
      }
      if (request.method === "POST" && pathname === "/run") {
        if (!settings?.adminToken) return json({ error: "POST /run is off: set HEARTBEAT_ADMIN_TOKEN" }, 404);
        if (!bearerMatches(request.headers.get("authorization"), settings.adminToken)) {
          return json({ error: "unauthorised" }, 401);
        }
        const outcome = await heartbeat(true);
        const code = outcome.status === "ran" ? 200 : outcome.status === "busy" ? 409 : 502;
        return json(outcome, code);
      }
      return json({ error: "not found" }, 404);
    },
    [Symbol.dispose]() {
      store?.then((opened) => opened.close());
    },
  };
}

/** `misconfigured`, `failing` (the last attempt failed), `ok`, or `waiting` for its first run. */
function healthStatus(
  problems: readonly string[],
  lastRun: RunRecord | undefined,
  lastFailure: { at: string } | undefined,
): "misconfigured" | "failing" | "ok" | "waiting" {
  if (problems.length > 0) return "misconfigured";
  if (lastFailure && (!lastRun || lastFailure.at > lastRun.finishedAt)) return "failing";
  if (!lastRun) return "waiting";
  return lastRun.status === "failed" ? "failing" : "ok";
}
