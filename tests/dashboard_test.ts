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
    const { chromium } = await import("playwright-core");
    await Deno.mkdir(ARTEFACTS, { recursive: true });
    await using repo = await repositoryWithProposal();
    await using server = await startServe(repo.path, ["--no-push"]);
    const name = repo.path.split("/").at(-1)!;
    await settledRuns(server, name);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(String(error)));
      await page.goto(`${server.base}/dashboard/#token=${SERVE_TOKEN}`);
      await page.waitForSelector("#reviews .proposal");
      await page.waitForSelector("#timings canvas");
      assertStringIncludes(await page.textContent("#clusters") ?? "", "skills/weather-copy.md");
      assertStringIncludes(await page.textContent("#reviews pre.diff") ?? "", "+++ b/");
      assertEquals(page.url().includes(SERVE_TOKEN), false, "the token leaves the address bar");
      await page.screenshot({ path: join(ARTEFACTS, "dashboard-loaded.png"), fullPage: true });

      await page.click("#reviews button.approve");
      await page.locator("#message", { hasText: /^approved/ }).waitFor();
      await page.click("#run-now");
      await page.locator("#progress", { hasText: /finished: ok/ }).waitFor({ timeout: 60_000 });
      await page.locator("#reviews", { hasText: "Nothing waits for review" }).waitFor();
      assertMatch(await page.textContent("#progress") ?? "", /run \S+ finished: ok/);
      await page.screenshot({ path: join(ARTEFACTS, "dashboard-after-run.png"), fullPage: true });
      assertEquals(problems, []);
    } finally {
      await browser.close();
    }
  },
});
