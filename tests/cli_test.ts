import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { generateLibrary } from "../bench/generate_library.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";
import { startRelay } from "./relay_harness.ts";
import {
  BUNDLED_SKILLS,
  cliCommand,
  copyTree,
  PROJECT_ROOT,
  readUntil,
  runCli,
  tempDir,
  tempRepo,
  writeTree,
} from "./utils.ts";

/** Every file under `dir` with its bytes, except the state directory. */
async function snapshot(dir: string, skip = ".heartbeat"): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (path: string, rel: string) => {
    for await (const entry of Deno.readDir(path)) {
      if (rel === "" && entry.name === skip) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child, `${rel}${entry.name}/`);
      else files.set(`${rel}${entry.name}`, new TextDecoder().decode(await Deno.readFile(child)));
    }
  };
  await walk(dir, "");
  return files;
}

Deno.test("the heartbeat task's flags run --once --dry-run --json and print the documented report", async () => {
  await using repo = await tempRepo();
  const before = await snapshot(repo.path);
  const result = await runCli(["--once", "--dry-run", "--json", "--repo", repo.path], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  assertEquals(lines.length, 1, "one JSON document on stdout");
  const report = JSON.parse(lines[0]!);
  for (
    const key of [
      "runId",
      "startedAt",
      "dryRun",
      "discovery",
      "clusters",
      "consolidation",
      "publishing",
      "broadcasting",
      "timings",
    ]
  ) {
    assert(key in report, `missing ${key}`);
  }
  assertEquals(report.dryRun, true);
  assertEquals(report.status, "ok");
  assertEquals(report.repo, repo.path);
  assertEquals(report.skillsDir, "skills");
  for (const key of ["found", "parsed", "valid", "diagnostics"]) assert(key in report.discovery, key);
  assert(Array.isArray(report.clusters));
  assertMatch(report.runId, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  assertStringIncludes(result.stderr, report.runId, "logs go to stderr");
  assertEquals(await snapshot(repo.path), before, "a dry run changes nothing outside the state directory");
});

Deno.test("a run broadcasts to a real relay, logs the run id on every line, and no secret is anywhere", async () => {
  await using repo = await tempRepo();
  await withRemote(repo.path);
  await using relay = await startRelay();
  const result = await runCli(["--once", "--json", "--log-level", "debug"], {
    cwd: repo.path,
    env: { NOSTR_NSEC: TEST_NSEC, AGENT_NAME: "Test Keeper", NOSTR_RELAY: relay.url },
  });
  await Deno.remove(`${repo.path}.remote.git`, { recursive: true });
  assertEquals(result.code, 0, result.stderr);
  const runId = JSON.parse(result.stdout).runId;
  const broadcasting = JSON.parse(result.stdout).broadcasting;
  // Three masters, pushed; the run's post and the profile.
  assertEquals(broadcasting.events.length, 5);
  assert(broadcasting.events.every((event: { accepted: boolean }) => event.accepted), JSON.stringify(broadcasting));
  const reader = nostrRelayClient({
    sign: () => {
      throw new Error("no AUTH expected");
    },
    timeoutMs: 2000,
  });
  const { events } = await reader.query([{ kinds: [0, 1111, 30023] }], [relay.url]);
  reader.close();
  for (const event of events) {
    assert(!JSON.stringify(event).includes(TEST_NSEC) && !JSON.stringify(event).includes(TEST_KEY_HEX));
  }
  const log = await Deno.readTextFile(join(repo.path, ".heartbeat", "orchestrator_heartbeat.log"));
  const runLines = log.trim().split("\n").map((line) => JSON.parse(line));
  assert(runLines.length >= 2);
  for (const line of runLines) assertEquals(line.properties.runId, runId, JSON.stringify(line));
  const stateFiles = await Array.fromAsync(Deno.readDir(join(repo.path, ".heartbeat")));
  for (const text of [result.stdout, result.stderr, log]) {
    assert(!text.includes(TEST_NSEC) && !text.includes(TEST_KEY_HEX), "a secret leaked");
  }
  assert(stateFiles.some((entry) => entry.name === ".gitignore"), "the state directory ignores itself");
});

Deno.test("bad flags exit 2 with one line naming the flag", async () => {
  await using repo = await tempRepo();
  for (
    const [args, flag] of [
      [["--interval", "-1"], "--interval"],
      [["--interval", "abc"], "--interval"],
      [["--frobnicate"], "--frobnicate"],
    ] as const
  ) {
    const result = await runCli([...args], { cwd: repo.path });
    assertEquals(result.code, 2);
    assertEquals(result.stdout, "");
    const lines = result.stderr.trim().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assertStringIncludes(lines[0]!, flag);
    assertStringIncludes(lines[0]!, "--help");
  }
});

Deno.test("an invalid key exits 2 naming the variable and never echoing the key", async () => {
  await using repo = await tempRepo();
  const badKey = TEST_NSEC.slice(0, -3) + "qqq";
  const result = await runCli(["--once"], { cwd: repo.path, env: { NOSTR_NSEC: badKey } });
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "NOSTR_NSEC is not a valid private key");
  assert(!result.stderr.includes(badKey));
});

Deno.test("a .env file configures the run, and a malformed one names its line", async () => {
  await using repo = await tempRepo();
  await Deno.writeTextFile(join(repo.path, ".env"), "NOSTR_RELAY=http://nope\n");
  const result = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, 'NOSTR_RELAY entry "http://nope"');
  await Deno.writeTextFile(join(repo.path, ".env"), "# ok\nthis is not an assignment\n");
  const malformed = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(malformed.code, 2);
  assertStringIncludes(malformed.stderr, ".env line 2");
});

Deno.test("a repository outside the granted permissions is one clear error naming the flag", async () => {
  await using repo = await tempRepo();
  await using other = await tempRepo();
  const result = await runCli(["--once", "--repo", other.path], { cwd: repo.path });
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, `--allow-read=${other.path}`);
});

Deno.test("a --model directory that is not a model exits 2 naming the missing file", async () => {
  await using repo = await tempRepo();
  const result = await runCli(["--once", "--dry-run", "--model", "skills"], { cwd: repo.path });
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "config.json is missing");
});

Deno.test("the real heartbeat task, run where deno task runs it, embeds the bundled skills once", async () => {
  await using project = await tempDir();
  for (const entry of ["deno.json", "deno.lock", "main.ts", "src", "models", "skills"]) {
    await copyTree(join(PROJECT_ROOT, entry), join(project.path, entry));
  }
  const task = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "heartbeat", ...args],
      cwd: project.path,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const first = await task(["--once", "--dry-run", "--json"]);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assertEquals(first.code, 0, decode(first.stderr));
  const report = JSON.parse(decode(first.stdout));
  assertEquals([report.discovery.found, report.clustering.embedding.embedded], [10, 9]);
  const second = JSON.parse(decode((await task(["--once", "--dry-run", "--json"])).stdout));
  assertEquals([second.clustering.embedding.embedded, second.clustering.embedding.cached], [0, 9]);
});

Deno.test("the heartbeat task's flags run the whole job over a repository with a remote: merge, commit, push", async () => {
  await using repo = await tempRepo();
  await withRemote(repo.path);
  const result = await runCli(["--once", "--json"], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assertEquals(report.consolidation.merged.length, 3);
  assertEquals([report.publishing.committed, report.publishing.pushed], [true, true], report.publishing.reason);
  const remoteHead = await new Deno.Command("git", {
    args: ["rev-parse", "main"],
    cwd: `${repo.path}.remote.git`,
    stdout: "piped",
  })
    .output();
  assertEquals(new TextDecoder().decode(remoteHead.stdout).trim(), report.publishing.commit);
  await Deno.remove(`${repo.path}.remote.git`, { recursive: true });
});

Deno.test("--help and --version exit 0, and the program calls itself by one name in both and in its errors", async () => {
  await using repo = await tempRepo();
  const help = await runCli(["--help"], { cwd: repo.path });
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "--interval HOURS");
  assertMatch(help.stdout, /^Usage: clawstr-heartbeat \[run\]/);
  const version = await runCli(["--version"], { cwd: repo.path });
  assertEquals(version.code, 0);
  assertMatch(version.stdout, /^clawstr-heartbeat \d+\.\d+\.\d+/);
  const wrong = await runCli(["--no-such-flag"], { cwd: repo.path });
  assertEquals(wrong.code, 2);
  assertMatch(wrong.stderr, /^clawstr-heartbeat: .*Try "clawstr-heartbeat --help"/);
});

Deno.test("SIGTERM stops the heartbeat loop cleanly with exit code 0, and a second process is locked out", async () => {
  await using repo = await tempRepo();
  const loop = cliCommand(["--dry-run", "--interval", "0.5"], { cwd: repo.path }).spawn();
  const { rest } = await readUntil(loop.stderr, /Heartbeat every 30 min/);
  const second = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(second.code, 3);
  assertStringIncludes(second.stderr, "Another heartbeat is running on this repository");
  loop.kill("SIGTERM");
  const status = await loop.status;
  const stderr = await Array.fromAsync(rest);
  await loop.stdout.cancel();
  assertEquals(status.code, 0);
  assertStringIncludes(stderr.join(""), "Heartbeat stopped");
  const afterwards = await runCli(["--once", "--dry-run"], { cwd: repo.path });
  assertEquals(afterwards.code, 0, "the lock is released on exit");
});

for (
  const { phase, after } of [
    { phase: "discovery", after: /Dry run started/ },
    { phase: "clustering", after: /Discovered 6000 skill files/ },
  ] as const
) {
  Deno.test(`SIGTERM during ${phase} stops the run there, not after the phase, with a report, and exits 0`, async () => {
    await using repo = await tempDir();
    generateLibrary(BUNDLED_SKILLS, repo.path, 6000);
    const run = cliCommand(["--once", "--dry-run", "--json"], { cwd: repo.path }).spawn();
    const { rest } = await readUntil(run.stderr, after);
    run.kill("SIGTERM");
    const [status, stdout, stderr] = await Promise.all([
      run.status,
      new Response(run.stdout).text(),
      Array.fromAsync(rest).then((chunks) => chunks.join("")),
    ]);
    assertEquals(status.code, 0, stderr);
    const report = JSON.parse(stdout);
    assertEquals(report.status, "interrupted");
    assertEquals(report[phase].status, "interrupted", "the phase under way stops at its next safe point");
    assertEquals(report.consolidation.status, "interrupted");
    assertStringIncludes(stderr, `Stopped during ${phase}`);
  });
}

/** Makes `dir` a git repository with a bare remote `origin` it has pushed to. */
async function withRemote(dir: string): Promise<void> {
  const git = (cwd: string, ...args: string[]) =>
    new Deno.Command("git", { args, cwd, stdout: "null", stderr: "null" }).output();
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "skills");
  await git(dir, "init", "-q", "--bare", "-b", "main", `${dir}.remote.git`);
  await git(dir, "remote", "add", "origin", `${dir}.remote.git`);
  await git(dir, "push", "-q", "-u", "origin", "main");
}

Deno.test("health exits 0 when healthy, and 1 when too few skills parse or the skills directory is missing", async () => {
  await using repo = await tempRepo();
  await withRemote(repo.path);
  const healthy = await runCli(["health", "--json"], { cwd: repo.path });
  assertEquals(healthy.code, 0, healthy.stderr);
  const report = JSON.parse(healthy.stdout);
  assertEquals(report.healthy, true);
  assertEquals(report.checks[0].name, "file-system");
  assertEquals(report.checks[1].name, "discovery");
  assertEquals(report.checks[1].data.parseSuccessRate, 1);
  assertEquals(report.checks[2].name, "model");
  assertEquals([report.checks[2].data.name, report.checks[2].data.dims], ["clawstr-static-64", 64]);
  assertEquals(report.checks[3].name, "git");
  assertEquals([report.checks[3].data.branch, report.checks[3].data.ahead, report.checks[3].data.remoteAnswers], [
    "main",
    0,
    true,
  ]);
  for (const broken of ["linear/SKILL.md", "spotify.md"]) {
    await Deno.writeTextFile(join(repo.path, "skills", broken), "no frontmatter\n");
  }
  const lowRate = await runCli(["health"], { cwd: repo.path });
  assertEquals(lowRate.code, 1, "8 of 10 files parse: below the 90% threshold");
  assertStringIncludes(lowRate.stdout, "FAIL discovery: 8 of 10 skill files parsed (80.0%");
  const missing = await runCli(["health", "--skills-dir", "nowhere"], { cwd: repo.path });
  assertEquals(missing.code, 1);
  assertStringIncludes(missing.stdout, "FAIL file-system");
  assertStringIncludes(missing.stdout, "does not exist");
  await Deno.remove(`${repo.path}.remote.git`, { recursive: true });
});

Deno.test("thousands of broken files do not flood the log: a few per rule are named, the rest counted; the report keeps all", async () => {
  await using repo = await tempRepo();
  const broken: Record<string, string> = {};
  for (let i = 0; i < 12; i++) broken[`skills/broken-${i}.md`] = `# Broken ${i}\n\nNo frontmatter here.\n`;
  await writeTree(repo.path, broken);
  const result = await runCli(["--once", "--dry-run", "--json"], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr);
  const named = result.stderr.split("\n").filter((line) => /skills\/broken-\d+\.md:1: no frontmatter/.test(line));
  assertEquals(named.length, 5);
  assertStringIncludes(result.stderr, "12 errors of frontmatter/missing in all: 7 more not logged one by one");
  const report = JSON.parse(result.stdout);
  assertEquals(
    report.discovery.diagnostics.filter((d: { rule: string }) => d.rule === "frontmatter/missing").length,
    12,
  );
  // The console summary, too: three examples per rule, then a count.
  const summary = (await runCli(["--once", "--dry-run"], { cwd: repo.path })).stdout.split("\n");
  assertEquals(summary.filter((line) => line.startsWith("  error skills/broken-")).length, 3);
  assert(summary.includes("  … and 9 more [frontmatter/missing] errors (--json lists all)"), summary.join("\n"));
});
