// deno-lint-ignore-file no-console -- a tick's outcome goes to the deployment's log
/**
 * The entry module for Deno Deploy: the heartbeat as a cron job with a health
 * endpoint. It registers `Deno.cron` at top level (Deploy finds crons there),
 * then serves `GET /health` and `POST /run`. Configuration comes from the
 * deployment's environment variables (see the README, "Deno Deploy"); the
 * state lives in the deployment's KV; git runs without a binary.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { systemClock } from "./src/clock.ts";
import { deployment } from "./src/deploy/deployment.ts";
import { PROGRAM_NAME } from "./src/program_name.ts";

const app = deployment({
  env: Deno.env.toObject(),
  version: denoJson.version,
  clock: systemClock,
  // Each repository's outcome, one line in the deployment's log.
  onOutcome: (repository, outcome) => {
    const detail = outcome.status === "ran"
      ? { run: outcome.report.runId, status: outcome.report.status }
      : outcome.status === "failed"
      ? { reason: outcome.reason }
      : outcome.status === "not-due"
      ? { next: outcome.next }
      : {};
    console.log(JSON.stringify({ repository, outcome: outcome.status, ...detail }));
  },
});

// A tick queues one message per repository; whichever isolate takes a message runs that repository.
Deno.cron(PROGRAM_NAME, app.cron, async () => {
  await app.tick();
});
app.listen();

// Deploy routes requests itself; elsewhere (a test, a trial on one's own machine) PORT says where to listen.
Deno.serve({ port: Number(Deno.env.get("PORT") ?? 8000) }, (request) => app.fetch(request));
