import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { progressLine, terminalProgress } from "../src/progress.ts";
import { PROJECT_ROOT, taskFlags, tempRepo } from "./utils.ts";

/** A terminal that records what is drawn, and a clock the test moves. */
function recordingTerminal() {
  const drawn: string[] = [];
  const clock = { ms: 0 };
  const decoder = new TextDecoder();
  const progress = terminalProgress({
    writer: { writeSync: (bytes) => (drawn.push(decoder.decode(bytes)), bytes.length) },
    now: () => clock.ms,
    intervalMs: 200,
  });
  return { drawn, clock, progress };
}

Deno.test("a progress line counts, gives a rate and an estimate of the time left", () => {
  assertEquals(progressLine("files read", 0, 60000, 0), "0 of 60,000 files read");
  assertEquals(progressLine("files read", 15000, 60000, 5), "15,000 of 60,000 files read (3,000/s, about 15 s left)");
  assertEquals(progressLine("skills embedded", 10, 10, 2), "10 of 10 skills embedded (5/s, about 0 s left)");
});

Deno.test("progress redraws one line at most every interval and erases it at the end", () => {
  const { drawn, clock, progress } = recordingTerminal();
  const task = progress.start("files read", 1000);
  task.advance(10);
  clock.ms = 100;
  task.advance(10); // within the interval: not drawn
  clock.ms = 1000;
  task.advance(480);
  task.end();
  assertEquals(drawn, [
    "\r\x1b[K10 of 1,000 files read",
    "\r\x1b[K500 of 1,000 files read (500/s, about 1 s left)",
    "\r\x1b[K",
  ]);
  // A task that never advanced leaves the terminal alone.
  progress.start("skills embedded", 5).end();
  assertEquals(drawn.length, 3);
});

/**
 * Runs the program with the heartbeat task's flags under a pseudo-terminal
 * (`script`), stdout to a file, so that what the terminal shows is stderr.
 */
async function runAtTerminal(repo: string, args: string[]): Promise<{ terminal: string; stdout: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const program = [
    Deno.execPath(),
    "run",
    "--config",
    join(PROJECT_ROOT, "deno.json"),
    ...taskFlags("heartbeat"),
    join(PROJECT_ROOT, "main.ts"),
    ...args,
  ];
  const stdoutFile = join(repo, "stdout.txt");
  const output = await new Deno.Command("script", {
    args: ["-qec", `${program.map(quote).join(" ")} > ${quote(stdoutFile)}`, "/dev/null"],
    cwd: repo,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const terminal = new TextDecoder().decode(output.stdout);
  assert(output.success, terminal + new TextDecoder().decode(output.stderr));
  const stdout = await Deno.readTextFile(stdoutFile);
  await Deno.remove(stdoutFile);
  return { terminal, stdout };
}

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "a run at a terminal shows each long phase's progress on stderr, and none of it reaches the log file",
  ignore: !hasScript,
  async fn() {
    await using repo = await tempRepo();
    const { terminal, stdout } = await runAtTerminal(repo.path, ["--once", "--dry-run"]);
    for (const counted of ["files read", "skills embedded", "skills' pairs judged"]) {
      assertStringIncludes(terminal, counted);
    }
    assert(!stdout.includes("files read"), "progress is not on stdout");
    const log = await Deno.readTextFile(join(repo.path, ".heartbeat", "orchestrator_heartbeat.log"));
    assert(!log.includes("files read") && !log.includes("\x1b[K"), "progress is not in the log file");
  },
});

Deno.test({
  name: "with --json a run at a terminal prints only the JSON report and no progress",
  ignore: !hasScript,
  async fn() {
    await using repo = await tempRepo();
    const { terminal, stdout } = await runAtTerminal(repo.path, ["--once", "--dry-run", "--json"]);
    assertEquals(JSON.parse(stdout).status, "ok");
    assert(!terminal.includes("files read") && !terminal.includes("\x1b[K"), terminal);
  },
});
