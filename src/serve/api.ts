/**
 * The HTTP face of `clawstr-heartbeat serve`: a JSON API under `/api/`, the
 * dashboard's static files, a live event stream and the health probe, routed
 * with Hono. Every `/api/` request needs `Authorization: Bearer <token>`; the
 * health probe and the dashboard's files (which hold no data) do not. Each
 * client is rate-limited, the owner's requests (those with the token) apart
 * from everyone else's, so no flood of strangers' requests locks the owner
 * out. Nothing here runs the pipeline but through a repository's runner, so
 * consent, review and pins hold.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { Hono } from "hono";
import type { Context } from "hono";
import { DecisionsError } from "../clustering/review_decisions.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import type { RunReport } from "../report.ts";
import type { Secret } from "../secret.ts";
import { isLoopback } from "../loopback.ts";
import { ROOT_CATEGORY, scrubSecrets } from "../logging.ts";
import { authenticate, type AuthenticatedEnv, requireToken } from "../http/bearer_auth.ts";
import { limitBody } from "../http/body_limit.ts";
import { internalError } from "../http/internal_error.ts";
import { limitRequests } from "../http/limit_requests.ts";
import { sharedBody } from "../http/shared_body.ts";
import { methodNotAllowed } from "../http/method_not_allowed.ts";
import { DASHBOARD_FILES, readDashboardFile } from "./dashboard_files.ts";
import { rateLimiter, type RateLimitOptions } from "./rate_limit.ts";
import type { RepositoryRunner, RunnerEvent } from "./repository_runner.ts";
import { NoSuchProposalError, proposalsOf } from "../proposal_decision.ts";
import { jsonBytes } from "../json_chunks.ts";

/** What the API serves. */
export interface ApiOptions {
  /** The repositories, by name. */
  runners: readonly RepositoryRunner[];
  /** The bearer token; none: only loopback clients are served at all (the server binds to loopback). */
  token?: Secret | undefined;
  /** The program's version. */
  version: string;
  /** Requests per client. */
  rateLimit: RateLimitOptions;
  /** Secrets no answer may hold. */
  secrets: readonly Secret[];
}

/** The variable holding the API's bearer token. */
export const TOKEN_VARIABLE = "HEARTBEAT_TOKEN";

/** How many items a list answers by default, and at most. */
const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** The largest review decision taken: `{"decision": "approve"}` is 23 bytes. */
const MAX_DECISION_BYTES = 16 * 1024;

/** What a request that carries no body may still carry (a client's empty JSON, say). */
const MAX_EMPTY_BODY_BYTES = 1024;

/** The server's own environment: the client's address, for the rate limit; whether the request has the token. */
type Env = AuthenticatedEnv & { Bindings: { remote?: string } };

/**
 * Builds the application.
 *
 * @param options The repositories, token, version and limits.
 * @returns The Hono application; `app.fetch(request, { remote })` answers a request.
 */
export function apiApp(options: ApiOptions): Hono<Env> {
  const app = new Hono<Env>();
  const limit = rateLimiter(options.rateLimit);
  const byName = new Map(options.runners.map((runner) => [runner.name, runner]));
  // The dashboard's files, read once each.
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const encoder = new TextEncoder();
  // Sent as bytes: node:http encodes a string in JavaScript, several times slower than TextEncoder for a large one.
  const json = (c: Context<Env>, body: unknown, status = 200) =>
    c.body(encoder.encode(scrubSecrets(JSON.stringify(body), options.secrets)), status as 200, {
      "content-type": "application/json; charset=utf-8",
    });
  const error = (c: Context<Env>, status: number, message: string) => json(c, { error: message }, status);

  // Authentication first: the rate limit counts the owner's requests apart from everyone else's.
  app.use(authenticate(options.token));
  app.use(
    limitRequests(limit, (c: Context<Env>) => `${c.var.authenticated ? "owner" : "anyone"} ${c.env?.remote ?? "?"}`),
  );
  app.use("/api/*", async (c, next) => {
    // A web page the owner visits must not steer the heartbeat: a request from another origin may change nothing,
    // and the name asked for must be the server's own (a rebound DNS name is refused).
    const origin = c.req.header("origin");
    const host = c.req.header("host") ?? "";
    if (c.req.method !== "GET" && origin !== undefined && !sameOrigin(origin, host)) {
      return error(c, 403, "requests from another origin may not change anything");
    }
    if (!options.token && !isLoopback(host.replace(/:\d+$/, ""))) {
      return error(c, 403, `the host "${host}" is not this server's`);
    }
    return await next();
  });
  if (options.token) app.use("/api/*", requireToken({ realm: PROGRAM_NAME, variable: TOKEN_VARIABLE }));

  app.get("/health", async (c) => {
    const repositories = await Promise.all(options.runners.map(async (runner) => {
      const [last] = await runner.history(1);
      return { name: runner.name, running: runner.running, lastRun: last ?? null };
    }));
    const failing = repositories.some((repository) => repository.lastRun?.status === "failed");
    return json(c, {
      program: PROGRAM_NAME,
      version: options.version,
      status: failing ? "failing" : "ok",
      repositories,
    });
  });

  app.get("/api/repositories", async (c) =>
    json(
      c,
      await Promise.all(options.runners.map(async (runner) => ({
        name: runner.name,
        repo: runner.config.repo,
        consent: runner.config.consent,
        running: runner.running,
        lastRun: (await runner.history(1))[0] ?? null,
        waitingForReview: runner.proposals().length,
      }))),
    ));

  const runnerOf = (c: Context<Env>) => byName.get(c.req.param("name") ?? "");
  const withRunner = (
    handler: (c: Context<Env>, runner: RepositoryRunner) => Response | Promise<Response>,
  ) =>
  (c: Context<Env>) => {
    const runner = runnerOf(c);
    return runner ? handler(c, runner) : error(c, 404, `no repository named "${c.req.param("name")}"`);
  };
  const latest = (runner: RepositoryRunner): RunReport | undefined => runner.reports()[0];
  // A large library's report is tens of megabytes of JSON: the whole report and each list's first page are serialised
  // and encoded once (encoding 32 MiB took 30 ms a request), each list is built once, and all goes when the report does.
  // Other pages are sliced from the built list per request: a client walking the pages leaves nothing behind. Kept
  // bytes are answered as they are (sharedBody): slow readers of the report share it rather than hold a copy each.
  const answers = new WeakMap<RunReport, Map<string, Uint8Array<ArrayBuffer>>>();
  const lists = new WeakMap<RunReport, Map<string, readonly unknown[]>>();
  const kept = <V>(memo: WeakMap<RunReport, Map<string, V>>, report: RunReport, key: string, make: () => V): V => {
    let byKey = memo.get(report);
    if (!byKey) memo.set(report, byKey = new Map());
    if (!byKey.has(key)) byKey.set(key, make());
    return byKey.get(key)!;
  };
  const cached = (c: Context<Env>, report: RunReport | undefined, key: string, body: () => unknown) => {
    if (!report) return json(c, body());
    const bytes = kept(
      answers,
      report,
      key,
      () => jsonBytes(body(), (piece) => scrubSecrets(piece, options.secrets)),
    );
    return c.body(sharedBody(bytes), 200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(bytes.length),
    });
  };
  /** A kept report's list, built once. */
  const listOf = <T>(report: RunReport | undefined, name: string, items: (report: RunReport) => readonly T[]) =>
    report ? kept(lists, report, name, () => items(report)) as readonly T[] : [];
  /** The `offset` and `limit` of a list (100 by default, at most 1,000), or why they are wrong. */
  const page = (c: Context<Env>): { offset: number; limit: number } | string => {
    const read = (name: string, fallback: number, max: number) => {
      const text = c.req.query(name);
      if (text === undefined) return fallback;
      // `Number("")` is 0: an empty `limit=` is a mistake to point out, not a request for nothing.
      const value = text.trim() === "" ? NaN : Number(text);
      return Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
    };
    const [offset, limit] = [read("offset", 0, Number.MAX_SAFE_INTEGER), read("limit", PAGE_SIZE, MAX_PAGE_SIZE)];
    if (offset === undefined) return "offset must be a whole number, 0 or more";
    if (limit === undefined) return `limit must be a whole number from 0 to ${MAX_PAGE_SIZE}`;
    return { offset, limit };
  };
  const paged = <T>(
    c: Context<Env>,
    list: { report: RunReport | undefined; name: string; items: (report: RunReport) => readonly T[] },
    build: (slice: T[]) => Record<string, unknown>,
  ) => {
    const at = page(c);
    if (typeof at === "string") return error(c, 400, at);
    const answer = () => {
      const items = listOf(list.report, list.name, list.items);
      return { total: items.length, ...at, ...build(items.slice(at.offset, at.offset + at.limit)) };
    };
    return at.offset === 0 && at.limit === PAGE_SIZE ? cached(c, list.report, list.name, answer) : json(c, answer());
  };
  /** A kept report's diagnostics by path. */
  const diagnosticsByPath = (report: RunReport | undefined) =>
    listOf(report, "diagnostics", ({ discovery }) => {
      const byPath = new Map<string, typeof discovery.diagnostics>();
      for (const diagnostic of discovery.diagnostics) {
        const found = byPath.get(diagnostic.path);
        if (found) found.push(diagnostic);
        else byPath.set(diagnostic.path, [diagnostic]);
      }
      return [...byPath];
    });

  app.get(
    "/api/repositories/:name/runs",
    withRunner(async (c, runner) => {
      const kept = new Map(runner.reports().map((report) => [report.runId, report]));
      const runs = (await runner.history(100)).map((run) => {
        const report = kept.get(run.runId);
        return { ...run, report: report !== undefined, timings: report?.timings ?? null };
      });
      return json(c, { running: runner.running, runs });
    }),
  );
  app.get(
    "/api/repositories/:name/runs/:runId",
    withRunner((c, runner) => {
      const report = runner.reports().find((found) => found.runId === c.req.param("runId"));
      if (!report) return error(c, 404, `no report of run "${c.req.param("runId")}" is kept`);
      return cached(c, report, "report", () => report);
    }),
  );
  app.post(
    "/api/repositories/:name/runs",
    limitBody(MAX_EMPTY_BODY_BYTES),
    withRunner((c, runner) => {
      const started = runner.start("request");
      if (!started) return error(c, 409, `a run of ${runner.name} is under way`);
      return json(c, { started: true }, 202);
    }),
  );
  app.get(
    "/api/repositories/:name/clusters",
    withRunner((c, runner) => {
      const report = latest(runner);
      return paged(c, { report, name: "clusters", items: (kept) => kept.clusters }, (clusters) => {
        const members = new Set(clusters.flatMap((cluster) => cluster.members));
        const merged = (report?.consolidation.merged ?? []).filter((merge) => members.has(merge.master));
        return { runId: report?.runId ?? null, clusters, merged };
      });
    }),
  );
  app.get(
    "/api/repositories/:name/reviews",
    withRunner((c, runner) =>
      paged(c, { report: latest(runner), name: "reviews", items: proposalsOf }, (proposals) => ({
        proposals,
      }))
    ),
  );
  app.post(
    "/api/repositories/:name/reviews/:id",
    limitBody(MAX_DECISION_BYTES),
    withRunner(async (c, runner) => {
      let body: { decision?: unknown };
      try {
        body = await c.req.json();
      } catch {
        return error(c, 400, 'the body must be JSON: {"decision": "approve"} or {"decision": "reject"}');
      }
      const decision = body?.decision === "approve" ? "approved" : body?.decision === "reject" ? "rejected" : undefined;
      if (!decision) return error(c, 400, 'decision must be "approve" or "reject"');
      try {
        const id = c.req.param("id") ?? "";
        return json(c, { id, decision, ...runner.decide(id, decision) });
      } catch (caught) {
        if (caught instanceof NoSuchProposalError) return error(c, 404, `${caught.message} in ${runner.name}`);
        if (caught instanceof DecisionsError) return error(c, 409, caught.message);
        throw caught;
      }
    }),
  );
  app.get(
    "/api/repositories/:name/skills",
    withRunner((c, runner) => {
      const report = latest(runner);
      const discovery = report?.discovery;
      const skills = () => diagnosticsByPath(report).map(([path, diagnostics]) => ({ path, diagnostics }));
      return paged(
        c,
        { report, name: "skills", items: skills },
        (slice) => ({ found: discovery?.found ?? 0, valid: discovery?.valid ?? 0, skills: slice }),
      );
    }),
  );
  app.get(
    "/api/repositories/:name/quarantine",
    withRunner((c, runner) => {
      const report = latest(runner);
      return cached(c, report, "quarantine", () => {
        const byPath = new Map(diagnosticsByPath(report));
        return (report?.discovery.quarantined ?? []).map((entry) => ({
          ...entry,
          evidence: (byPath.get(entry.path) ?? []).filter((diagnostic) => entry.rules.includes(diagnostic.rule)),
        }));
      });
    }),
  );
  app.get(
    "/api/repositories/:name/status",
    withRunner((c, runner) => {
      const report = latest(runner);
      return json(c, {
        runId: report?.runId ?? null,
        git: report?.publishing ?? null,
        relays: report?.broadcasting ?? null,
        launch: report?.launching ?? null,
      });
    }),
  );
  app.get("/api/events", () => eventStream(options.runners, options.secrets));

  app.get("/", (c) => c.redirect("/dashboard/"));
  app.get("/dashboard/*", async (c) => {
    const name = c.req.path.slice("/dashboard/".length) || "index.html";
    // Only the table's own entries: `constructor` or `__proto__` are Object's, and no file.
    if (!Object.hasOwn(DASHBOARD_FILES, name)) return error(c, 404, "no such file");
    const file = DASHBOARD_FILES[name]!;
    let bytes = files.get(name);
    if (!bytes) files.set(name, bytes = await readDashboardFile(name));
    return c.body(sharedBody(bytes), 200, {
      "content-type": file,
      "content-length": String(bytes.length),
      "cache-control": "no-cache",
      "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    });
  });
  app.notFound(methodNotAllowed(app, (c) => error(c, 404, "not found")));
  app.onError(internalError(getLogger([ROOT_CATEGORY, "serve", "api"])));
  return app;
}

/** Server-sent events: every runner's events, as they happen, and a comment every 15 s to keep the line open. */
function eventStream(runners: readonly RepositoryRunner[], secrets: readonly Secret[]): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const send = (event: RunnerEvent) =>
        write(`event: ${event.type}\ndata: ${scrubSecrets(JSON.stringify(event), secrets)}\n\n`);
      const unsubscribe = runners.map((runner) => runner.subscribe(send));
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), 15_000);
      stop = () => {
        clearInterval(keepAlive);
        for (const off of unsubscribe) off();
      };
      write(": connected\n\n");
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" },
  });
}

/** Whether an `Origin` header names the host the request was sent to; an unreadable one (`null`) does not. */
function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
