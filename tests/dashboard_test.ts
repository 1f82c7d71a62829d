import { join } from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { repositoryWithProposal, SERVE_TOKEN, settledRuns, startServe } from "./serve_harness.ts";
import { PROJECT_ROOT } from "./utils.ts";

/** Debian's Chromium, which the browser tests drive with playwright-core. */
const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const haveChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
// deno-lint-ignore no-console -- the skip must be visible in the test output
if (!haveChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt install chromium)`);

/** Where the screenshots go, to be looked at. */
const ARTEFACTS = join(PROJECT_ROOT, "tests", "artefacts");

Deno.test({
  name:
    "the dashboard loads without a console error, shows the last run's clusters and a proposal's diff, approves it, and 'Run now' shows the run to its end",
  ignore: !haveChromium,
  fn: async () => {
    await Deno.mkdir(ARTEFACTS, { recursive: true });
    await using repo = await repositoryWithProposal();
    await using server = await startServe(repo.path, ["--no-push"]);
    await settledRuns(server, repo.path.split("/").at(-1)!);
    const driver = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        join(PROJECT_ROOT, "deno.json"),
        join(PROJECT_ROOT, "tests/browser/drive_dashboard.ts"),
        server.base,
        SERVE_TOKEN,
        ARTEFACTS,
        CHROMIUM,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    assertEquals(driver.code, 0, decoder.decode(driver.stderr));
    const seen = JSON.parse(decoder.decode(driver.stdout));
    assertStringIncludes(seen.clusters, "skills/weather-copy.md");
    assertStringIncludes(seen.diff, "+++ b/");
    assertEquals(seen.url.includes(SERVE_TOKEN), false, "the token leaves the address bar");
    assertMatch(seen.approved, /^approved r[0-9a-f]{8}/);
    assertMatch(seen.progress, /run \S+ finished: ok/);
    assertEquals(seen.problems, []);
  },
});
