// deno-lint-ignore-file no-console -- the driver reports what it saw on stdout, as JSON
/**
 * Drives the dashboard in headless Chromium with playwright-core, as a person
 * would, and prints what it saw as JSON. A process of its own: playwright
 * reads `/proc/sys/…`, which Deno grants only with `--allow-all`, and the
 * test suite does not run with it.
 *
 * Usage: deno run -A tests/browser/drive_dashboard.ts BASE_URL TOKEN SCREENSHOT_DIR CHROMIUM
 *
 * @module
 */

import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, token, screenshots, executablePath] = Deno.args as [string, string, string, string];
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(`${base}/dashboard/#token=${token}`);
  await page.waitForSelector("#reviews .proposal");
  await page.waitForSelector("#timings canvas");
  const loaded = {
    clusters: await page.textContent("#clusters") ?? "",
    diff: await page.textContent("#reviews pre.diff") ?? "",
    url: page.url(),
  };
  await page.screenshot({ path: join(screenshots, "dashboard-loaded.png"), fullPage: true });
  await page.click("#reviews button.approve");
  await page.locator("#message", { hasText: /^approved/ }).waitFor();
  const approved = await page.textContent("#message") ?? "";
  await page.click("#run-now");
  await page.locator("#progress", { hasText: /finished: ok/ }).waitFor({ timeout: 60_000 });
  await page.locator("#reviews", { hasText: "Nothing waits for review" }).waitFor();
  const progress = await page.textContent("#progress") ?? "";
  await page.screenshot({ path: join(screenshots, "dashboard-after-run.png"), fullPage: true });
  console.log(JSON.stringify({ ...loaded, approved, progress, problems }));
} finally {
  await browser.close();
}
