import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { DEFAULT_INTERVAL_HOURS, parseCommandLine } from "../src/cli/args.ts";
import { UsageError } from "../src/usage_error.ts";
import { COMMON_FLAGS, readCommonOptions } from "../src/common_options.ts";
import { usage } from "../src/cli/usage.ts";

Deno.test("parseCommandLine() gives the documented defaults for no arguments", () => {
  assertEquals(parseCommandLine([]), {
    name: "run",
    options: {
      repo: ".",
      skillsDir: "skills",
      stateDir: ".heartbeat",
      archiveDir: ".archive",
      ruleSets: ["agentskills", "clawhub"],
      strict: false,
      model: undefined,
      related: 0.9,
      mergeRelated: false,
      duplicateThresholds: {},
      remote: "origin",
      branch: undefined,
      gitAuthor: undefined,
      envFile: undefined,
      json: false,
      logLevel: "info",
      intervalHours: DEFAULT_INTERVAL_HOURS,
      once: false,
      dryRun: false,
      commit: true,
      push: true,
    },
  });
});

Deno.test("parseCommandLine() reads every run flag", () => {
  const command = parseCommandLine([
    "run",
    "--interval",
    "0.5",
    "--once",
    "--dry-run",
    "--no-commit",
    "--no-push",
    "--repo",
    "/srv/skills",
    "--skills-dir=library",
    "--state-dir",
    "/var/lib/heartbeat",
    "--archive-dir",
    "old",
    "--rules",
    "orchestrator, agentskills,orchestrator",
    "--strict",
    "--model",
    "/models/minilm",
    "--related",
    "0.8",
    "--merge-related",
    "--duplicate-thresholds",
    "near=0.95, meaning=0.8",
    "--remote",
    "upstream",
    "--branch",
    "skills-bot",
    "--git-author",
    "Skill Bot <bot@example.com>",
    "--env-file",
    "prod.env",
    "--json",
    "--log-level",
    "debug",
  ]);
  assertEquals(command, {
    name: "run",
    options: {
      repo: "/srv/skills",
      skillsDir: "library",
      stateDir: "/var/lib/heartbeat",
      archiveDir: "old",
      ruleSets: ["orchestrator", "agentskills"],
      strict: true,
      model: "/models/minilm",
      related: 0.8,
      mergeRelated: true,
      duplicateThresholds: { near: 0.95, meaning: 0.8 },
      remote: "upstream",
      branch: "skills-bot",
      gitAuthor: "Skill Bot <bot@example.com>",
      envFile: "prod.env",
      json: true,
      logLevel: "debug",
      intervalHours: 0.5,
      once: true,
      dryRun: true,
      commit: false,
      push: false,
    },
  });
});

Deno.test("parseCommandLine() accepts warn as a name for the warning level", () => {
  const command = parseCommandLine(["--log-level", "warn"]);
  assertEquals(command.name === "run" && command.options.logLevel, "warning");
});

Deno.test("parseCommandLine() recognises help, version and health", () => {
  assertEquals(parseCommandLine(["--help"]), { name: "help", topic: "run" });
  assertEquals(parseCommandLine(["-h"]), { name: "help", topic: "run" });
  assertEquals(parseCommandLine(["help"]), { name: "help" });
  assertEquals(parseCommandLine(["help", "health"]), { name: "help", topic: "health" });
  assertEquals(parseCommandLine(["health", "--help"]), { name: "help", topic: "health" });
  assertEquals(parseCommandLine(["--version"]), { name: "version" });
  assertEquals(parseCommandLine(["-V"]), { name: "version" });
  const health = parseCommandLine(["health", "--json", "--repo", "x"]);
  assertEquals(health.name, "health");
  assertEquals(health.name === "health" && health.options.json, true);
});

const BAD_COMMAND_LINES: Array<[string[], string]> = [
  [["--interval", "-1"], 'Option "--interval" must be more than 0 hours, not "-1"'],
  [["--interval=-1"], 'Option "--interval" must be more than 0 hours, not "-1"'],
  [["--interval", "0"], 'Option "--interval" must be more than 0 hours, not "0"'],
  [["--interval", "abc"], 'Option "--interval" takes a number of hours, not "abc"'],
  [["--interval", ""], 'Option "--interval" takes a number of hours, not ""'],
  [["--interval", "Infinity"], 'Option "--interval" takes a number of hours, not "Infinity"'],
  [["--interval", "0.001"], 'Option "--interval" must be a whole number of minutes, not "0.001" hours'],
  [["--interval"], 'Option "--interval" needs a value'],
  [["--bogus"], 'Unknown option "--bogus"'],
  [["-z"], 'Unknown option "-z"'],
  [["--once=yes"], 'Option "--once" takes no value'],
  [["--log-level", "loud"], 'Option "--log-level" takes one of trace, debug, info, warning, error, fatal, not "loud"'],
  [["--repo", ""], 'Option "--repo" needs a value'],
  [
    ["--rules", "agentskills,pep8"],
    'Option "--rules" takes a comma-separated list of agentskills, clawhub, orchestrator',
  ],
  [["--rules", ","], 'Option "--rules" takes a comma-separated list'],
  [["--related", "1.5"], 'Option "--related" takes a number above 0 and at most 1, not "1.5"'],
  [["--related", "x"], 'Option "--related" takes a number above 0 and at most 1, not "x"'],
  [["--git-author", "nobody"], 'Option "--git-author" takes "Name <email>", not "nobody"'],
  [["--duplicate-thresholds", "nearly=0.9"], 'Option "--duplicate-thresholds" knows near, head, sameTool'],
  [
    ["--duplicate-thresholds", "near=2"],
    'Option "--duplicate-thresholds" takes a number above 0 and at most 1, not "2"',
  ],
  [["frobnicate"], 'Unknown command "frobnicate"'],
  [["help", "frobnicate"], 'Unknown command "frobnicate"'],
  [["run", "extra"], 'Unexpected argument "extra"'],
  [["health", "--once"], 'Unknown option "--once"'],
  [["health", "--interval", "2"], 'Unknown option "--interval"'],
];

for (const [args, message] of BAD_COMMAND_LINES) {
  Deno.test(`parseCommandLine() refuses ${JSON.stringify(args)} with a message naming the problem`, () => {
    assertThrows(() => parseCommandLine(args), UsageError, message);
  });
}

Deno.test("every flag of the common table is read by every command and listed in its help, from the table alone", () => {
  const commands = [[], ["health"], ["init"], ["review"], ["fix"], ["restore", "skills/a"], ["approve", "r3f9a2c1b"]];
  for (const [name, flag] of Object.entries(COMMON_FLAGS)) {
    const given = flag.type === "boolean" ? [`--${name}`] : [`--${name}`, SAMPLE_VALUES[name] ?? "x"];
    for (const command of commands) {
      const parsed = parseCommandLine([...command, ...given]);
      assert("options" in parsed, `${command.join(" ")} --${name}`);
      const options = parsed.options as unknown as Record<string, unknown>;
      const unchanged = JSON.stringify(options[flag.key]) === JSON.stringify(readCommonOptions({})[flag.key]);
      assert(!unchanged, `--${name} changes ${flag.key}`);
    }
    for (const topic of ["run", "health", "init", "review", "fix", "restore", "approve"] as const) {
      assertStringIncludes(usage(topic), `--${name}`);
    }
  }
});

/** A value each text flag takes, other than its default. */
const SAMPLE_VALUES: Record<string, string> = {
  rules: "orchestrator",
  related: "0.8",
  "git-author": "A <a@b.c>",
  "duplicate-thresholds": "near=0.95",
  "log-level": "debug",
};
