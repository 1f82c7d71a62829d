import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { commitRepository, git, runCli, tempRepo, treeSnapshot } from "./utils.ts";
import { THRESHOLD_FLOORS } from "../src/clustering/clustering_settings.ts";
import { ConfigError } from "../src/config.ts";
import { testConfig } from "./options.ts";

Deno.test("thresholds of 0 in heartbeat.json are refused at start: one line naming the file, the key, the value and the range, exit 2, nothing merged", async () => {
  await using repo = await tempRepo();
  const remote = `${repo.path}.remote.git`;
  try {
    await Deno.writeTextFile(join(repo.path, "heartbeat.json"), '{ "thresholds": { "near": 0 } }\n');
    await commitRepository(repo.path, remote);
    const head = await git(repo.path, "rev-parse", "HEAD");
    const before = treeSnapshot(repo.path);
    const result = await runCli(["--once"], { cwd: repo.path });
    assertEquals(result.code, 2, result.stderr);
    assertEquals(result.stdout, "");
    const lines = result.stderr.trim().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    for (const part of ["heartbeat.json", '"thresholds.near"', " 0,", `${THRESHOLD_FLOORS.near} to 1`]) {
      assertStringIncludes(lines[0]!, part);
    }
    assertEquals(treeSnapshot(repo.path), before, "nothing merged");
    assertEquals(await git(repo.path, "rev-parse", "HEAD"), head, "nothing committed");
    assertEquals(await git(remote, "rev-parse", "main"), head, "nothing pushed");
  } finally {
    await Deno.remove(remote, { recursive: true });
  }
});

Deno.test("a threshold heartbeat.json loosens within its range is a warning, naming the key, the default and the value, in the JSON report, the human report and the log", async () => {
  await using repo = await tempRepo();
  await Deno.writeTextFile(join(repo.path, "heartbeat.json"), '{ "thresholds": { "near": 0.47 } }\n');
  const json = await runCli(["--once", "--dry-run", "--json"], { cwd: repo.path });
  assertEquals(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assertEquals(report.loosenedThresholds, [
    { threshold: "near", default: 0.5, value: 0.47, source: "heartbeat.json" },
  ]);
  const warning = "heartbeat.json loosens the duplicate threshold near to 0.47 (default 0.5)";
  assertStringIncludes(json.stderr, warning);
  const human = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(human.code, 0, human.stderr);
  assertEquals(human.stdout.split("\n")[1], `  warning: ${warning}: more skills merge unattended`);
});

Deno.test("the owner's --duplicate-thresholds is held to the same range, and a loosening it makes is reported as the owner's", async () => {
  await using repo = await tempRepo();
  const refused = await runCli(["--once", "--dry-run", "--duplicate-thresholds", "sameTool=0.01"], { cwd: repo.path });
  assertEquals(refused.code, 2, refused.stderr);
  assertStringIncludes(refused.stderr.trim(), "--duplicate-thresholds sameTool=0.01");
  const loosened = await runCli(["--once", "--dry-run", "--json", "--duplicate-thresholds", "near=0.47"], {
    cwd: repo.path,
  });
  assertEquals(loosened.code, 0, loosened.stderr);
  assertEquals(JSON.parse(loosened.stdout).loosenedThresholds, [
    { threshold: "near", default: 0.5, value: 0.47, source: "--duplicate-thresholds" },
  ]);
});

Deno.test("health warns about a loosened threshold and stays healthy", async () => {
  await using repo = await tempRepo();
  await Deno.writeTextFile(join(repo.path, "heartbeat.json"), '{ "thresholds": { "near": 0.47 } }\n');
  await commitRepository(repo.path);
  const result = await runCli(["health", "--json"], { cwd: repo.path });
  const check = JSON.parse(result.stdout).checks.find((c: { name: string }) => c.name === "thresholds");
  assert(check, result.stdout);
  assertEquals([check.healthy, check.warning], [true, true]);
  assertStringIncludes(check.detail, "heartbeat.json loosens the duplicate threshold near to 0.47 (default 0.5)");
});

Deno.test("the flag's threshold wins over heartbeat.json's, and a loosening is put down to whichever set the value used", () => {
  const config = testConfig("/srv/skills", {
    settings: { thresholds: { near: 0.47, sameTool: 0.25 } },
    overrides: { duplicateThresholds: { near: 0.6 } },
  });
  assertEquals([config.clustering.thresholds.near, config.clustering.thresholds.sameTool], [0.6, 0.25]);
  assertEquals(config.loosenedThresholds, [
    { threshold: "sameTool", default: 0.3, value: 0.25, source: "heartbeat.json" },
  ]);
  const refused = assertThrows(
    () => testConfig("/srv/skills", { settings: { thresholds: { near: 0, meaning: 1.5 } } }),
    ConfigError,
  );
  assertEquals(refused.problems.length, 2, "every value out of range is named, each on its own line");
});
