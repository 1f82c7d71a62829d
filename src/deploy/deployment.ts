/**
 * The heartbeat as a Deno Deploy application, over one or more repositories.
 * A cron tick puts one message per repository on the deployment's KV queue;
 * whichever isolate takes a message runs that repository's heartbeat, so
 * Deploy's isolates share the work. Delivery is at least once: a repeated
 * message finds its repository's slot done (or its lease held) and runs
 * nothing. Each repository keeps its state in its own namespace of the KV.
 *
 * `GET /health` says whether the configuration is valid and how each
 * repository's last run went (503 when not well); `POST /run`, with
 * `Authorization: Bearer HEARTBEAT_ADMIN_TOKEN`, runs every repository now
 * and answers their outcomes. Nothing it answers holds a secret: a failure
 * inside answers a generic 500, a wrong method 405.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { type Context, Hono } from "hono";
import type { Clock } from "../clock.ts";
import { ConfigError } from "../config.ts";
import { errorMessage } from "../error_message.ts";
import { ROOT_CATEGORY, scrubSecrets } from "../logging.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import { DEFAULT_INTERVAL_HOURS, heartbeatSchedule } from "../schedule.ts";
import type { Secret } from "../secret.ts";
import { authenticate, type AuthenticatedEnv, requireToken } from "../http/bearer_auth.ts";
import { limitBody } from "../http/body_limit.ts";
import { internalError } from "../http/internal_error.ts";
import { methodNotAllowed } from "../http/method_not_allowed.ts";
import { KvStateStore, type RunRecord } from "../store/state_store.ts";
import { deployHeartbeat, type DeployOutcome } from "./deploy_heartbeat.ts";
import { type DeploySettings, readDeploySettings } from "./deploy_settings.ts";
import { uniqueName } from "../unique_name.ts";

/** What the application needs from its host. */
export interface DeploymentOptions {
  /** The environment variables. */
  env: Readonly<Record<string, string | undefined>>;
  /** The program's version. */
  version: string;
  /** The time. */
  clock: Clock;
  /** Told each repository's outcome, whoever asked for the run (a queue message, `POST /run`). */
  onOutcome?: (repository: string, outcome: DeployOutcome) => void;
}

/** The application. */
export interface Deployment extends Disposable {
  /** The cron schedule to register (`Deno.cron`), from `HEARTBEAT_INTERVAL_HOURS`. */
  readonly cron: string;
  /** A cron tick: one queue message per repository; resolves with the repositories queued. */
  tick(): Promise<string[]>;
  /** Takes the queue's messages until disposed: runs each message's repository when its run is due. */
  listen(): Promise<void>;
  /** Answers an HTTP request. */
  fetch(request: Request): Promise<Response>;
}

/** What `POST /run` may carry: it takes no body. */
const MAX_RUN_BODY_BYTES = 1024;

/** A queue message: run this repository's heartbeat if it is due. */
interface HeartbeatMessage {
  kind: "heartbeat";
  repository: string;
}

/**
 * Builds the application. The environment is read once, here; the KV is opened at first use.
 *
 * @param options The environment, version, clock and who is told the outcomes.
 * @returns The application.
 *
 * @example
 * ```ts ignore
 * const app = deployment({ env: Deno.env.toObject(), version: "0.1.0", clock: systemClock });
 * Deno.cron("clawstr-heartbeat", app.cron, () => app.tick());
 * app.listen();
 * Deno.serve((request) => app.fetch(request));
 * ```
 */
export function deployment(options: DeploymentOptions): Deployment {
  const logger = getLogger([ROOT_CATEGORY, "deploy"]);
  const problems: string[] = [];
  let settings: DeploySettings | undefined;
  // The default schedule while the configuration is invalid (a tick then queues nothing).
  let cron = heartbeatSchedule(DEFAULT_INTERVAL_HOURS).cron;
  try {
    settings = readDeploySettings(options.env);
    cron = heartbeatSchedule(settings.intervalHours).cron;
  } catch (error) {
    for (const problem of error instanceof ConfigError ? error.problems : [errorMessage(error)]) problems.push(problem);
    settings = undefined;
  }
  const secrets: Secret[] = settings ? [settings.token, ...(settings.adminToken ? [settings.adminToken] : [])] : [];
  const urls = repositoryNames(settings?.repositories ?? []);
  // One KV for the deployment: the queue's, and each repository's store in a namespace of its own.
  let kv: Promise<KvStateStore> | undefined;
  const queue = () => kv ??= KvStateStore.open(settings?.kvPath);
  const storeOf = async (name: string) => (await queue()).within(["repository", name]);
  const lastFailure = new Map<string, { at: string; reason: string }>();

  const heartbeat = async (name: string, force: boolean): Promise<DeployOutcome> => {
    const repository = urls.get(name);
    let outcome: DeployOutcome;
    if (!settings || repository === undefined) {
      outcome = { status: "failed", reason: `the configuration is invalid: ${problems.join("; ")}` };
    } else {
      outcome = await deployHeartbeat({
        settings,
        repository,
        env: options.env,
        store: await storeOf(name),
        clock: options.clock,
        version: options.version,
        force,
      });
    }
    if (outcome.status === "failed") {
      const reason = scrubSecrets(outcome.reason, secrets);
      lastFailure.set(name, { at: options.clock.now().toISOString(), reason });
      logger.error("The heartbeat of {repository} could not run: {reason}", { repository: name, reason });
      outcome = { status: "failed", reason };
    }
    options.onOutcome?.(name, outcome);
    return outcome;
  };

  const json = (body: unknown, status: number) =>
    new Response(scrubSecrets(JSON.stringify(body), secrets), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });

  const health = async () => {
    const repositories = await Promise.all([...urls.keys()].map(async (name) => {
      const lastRun = (await (await storeOf(name)).recentRuns(1))[0];
      const failure = lastFailure.get(name);
      return { name, status: healthStatus(lastRun, failure), lastRun: lastRun ?? null, lastFailure: failure ?? null };
    }));
    const status = problems.length > 0
      ? "misconfigured"
      : repositories.some((repository) => repository.status === "failing")
      ? "failing"
      : repositories.every((repository) => repository.status === "waiting")
      ? "waiting"
      : "ok";
    return { program: PROGRAM_NAME, version: options.version, status, cron, problems, repositories };
  };

  const http = new Hono<AuthenticatedEnv>();
  http.use(authenticate(settings?.adminToken));
  const answerHealth = async () => {
    const body = await health();
    return json(body, body.status === "ok" || body.status === "waiting" ? 200 : 503);
  };
  http.get("/", answerHealth);
  http.get("/health", answerHealth);
  http.post(
    "/run",
    async (_c: Context<AuthenticatedEnv>, next) =>
      settings?.adminToken ? await next() : json({ error: "POST /run is off: set HEARTBEAT_ADMIN_TOKEN" }, 404),
    requireToken({ realm: PROGRAM_NAME, variable: "HEARTBEAT_ADMIN_TOKEN" }),
    limitBody(MAX_RUN_BODY_BYTES),
    async () => {
      const outcomes = [];
      for (const name of urls.keys()) outcomes.push({ repository: name, ...(await heartbeat(name, true)) });
      return json({ outcomes }, outcomes.every((outcome) => outcome.status === "ran") ? 200 : 502);
    },
  );
  http.notFound(methodNotAllowed(http, () => json({ error: "not found" }, 404)));
  http.onError(internalError(logger));

  return {
    cron,
    async tick() {
      if (!settings) {
        logger.error("No heartbeat queued: the configuration is invalid: {problems}", {
          problems: problems.join("; "),
        });
        return [];
      }
      const store = await queue();
      for (const name of urls.keys()) await store.enqueue({ kind: "heartbeat", repository: name } as HeartbeatMessage);
      return [...urls.keys()];
    },
    async listen() {
      await (await queue()).listen(async (message) => {
        const { kind, repository } = (message ?? {}) as Partial<HeartbeatMessage>;
        if (kind !== "heartbeat" || repository === undefined || !urls.has(repository)) return;
        await heartbeat(repository, false);
      });
    },
    async fetch(request) {
      return await http.fetch(request);
    },
    [Symbol.dispose]() {
      kv?.then((opened) => opened.close());
    },
  };
}

/** Each repository's name (its URL's last part, without `.git`, made unique) and URL. */
function repositoryNames(urls: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const url of urls) {
    const base = new URL(url).pathname.split("/").filter((part) => part !== "").at(-1)?.replace(/\.git$/, "") ||
      "repository";
    names.set(uniqueName(base, names), url);
  }
  return names;
}

/** `failing` (the last attempt failed), `ok`, or `waiting` for its first run. */
function healthStatus(
  lastRun: RunRecord | undefined,
  lastFailure: { at: string } | undefined,
): "failing" | "ok" | "waiting" {
  if (lastFailure && (!lastRun || lastFailure.at > lastRun.finishedAt)) return "failing";
  if (!lastRun) return "waiting";
  return lastRun.status === "failed" ? "failing" : "ok";
}
