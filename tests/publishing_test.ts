import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { testConfig } from "./options.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { localRepositoryWriter } from "../src/fs/repository_writer.ts";
import { runPipeline } from "../src/pipeline.ts";
import { localGit } from "../src/publishing/git.ts";
import { publish, RepositoryStateError } from "../src/publishing/publish.ts";
import type { RunReport } from "../src/report.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { tempDir, writeTree } from "./utils.ts";

const embedder = { model: await identifyModel(BUNDLED_MODEL_DIR), load: () => loadEmbedder({ workers: 0 }) };
const gitEnv = { PATH: Deno.env.get("PATH"), HOME: Deno.env.get("HOME") };

const body = "# Beta\n\nBeta converts gamma rays into delta files with betactl.";
const SKILLS = {
  "skills/beta.md": `---\nname: beta\ndescription: Beta.\n---\n\n${body}\n`,
  "skills/beta-old.md": `---\nname: beta\ndescription: Beta.\nversion: 0.9.0\n---\n\n${body}\n`,
  "skills/weather.md": "---\nname: weather\ndescription: Forecasts.\n---\n\n# Weather\n\nForecasts for any city.\n",
  "notes.txt": "a person's notes\n",
};

async function git(dir: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd: dir, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout).trim();
}

/** A repository with the skills committed, and a bare remote it tracks. */
async function repository(): Promise<AsyncDisposable & { path: string; remote: string }> {
  const dir = await tempDir();
  const path = join(dir.path, "work");
  const remote = join(dir.path, "remote.git");
  await writeTree(path, SKILLS);
  await git(dir.path, "init", "-q", "--bare", "-b", "main", remote);
  await git(path, "init", "-q", "-b", "main");
  await git(path, "config", "user.name", "Repo Owner");
  await git(path, "config", "user.email", "owner@example.com");
  await git(path, "add", "-A");
  await git(path, "commit", "-q", "-m", "skills");
  await git(path, "remote", "add", "origin", remote);
  await git(path, "push", "-q", "-u", "origin", "main");
  return { path, remote, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

async function heartbeat(
  repo: string,
  store: KvStateStore,
  flags: { commit?: boolean; push?: boolean; dryRun?: boolean; env?: Record<string, string> } = {},
): Promise<RunReport> {
  const config = testConfig(repo, { env: flags.env ?? {} });
  return await runPipeline(
    {
      store,
      clock: { now: () => new Date() },
      fs: denoFileSystem,
      embedder,
      repository: localRepositoryWriter(repo),
      git: localGit(repo, gitEnv),
    },
    {
      config,
      dryRun: flags.dryRun ?? false,
      commit: flags.commit ?? true,
      push: flags.push ?? true,
      version: "0.0.0-test",
    },
  );
}

Deno.test("a run commits exactly what it changed and pushes it; a person's files stay as they were", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  await Deno.writeTextFile(join(repo.path, "notes.txt"), "edited, not committed\n");
  await Deno.writeTextFile(join(repo.path, "scratch.md"), "untracked\n");
  const report = await heartbeat(repo.path, store);
  assertEquals(report.status, "ok", report.error);
  assertEquals([report.publishing.committed, report.publishing.pushed], [true, true]);
  const files = (await git(repo.path, "show", "--name-only", "--no-renames", "--format=", "HEAD")).split("\n").sort();
  assertEquals(files, [
    ".archive/beta-old.md",
    ".archive/beta.md",
    ".archive/index.json",
    "skills/beta-old.md",
    "skills/beta.md",
  ]);
  const message = await git(repo.path, "log", "-1", "--format=%B");
  assertStringIncludes(message, "heartbeat: merge 2 skills into 1 master");
  assertStringIncludes(message, "- skills/beta.md 0.9.1 <- skills/beta-old.md, skills/beta.md");
  assertEquals(await git(repo.path, "log", "-1", "--format=%an <%ae>"), "Repo Owner <owner@example.com>");
  assertEquals(await git(repo.remote, "rev-parse", "main"), await git(repo.path, "rev-parse", "HEAD"));
  assertEquals(await git(repo.path, "status", "--porcelain"), "M notes.txt\n?? scratch.md");
});

Deno.test("--no-push commits without pushing, and the next heartbeat pushes", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const first = await heartbeat(repo.path, store, { push: false });
  assertEquals([first.publishing.committed, first.publishing.pushed], [true, false]);
  assert(await git(repo.remote, "rev-parse", "main") !== await git(repo.path, "rev-parse", "HEAD"));
  const second = await heartbeat(repo.path, store);
  assertEquals([second.publishing.committed, second.publishing.pushed], [false, true]);
  assertEquals(await git(repo.remote, "rev-parse", "main"), await git(repo.path, "rev-parse", "HEAD"));
});

Deno.test("--no-commit leaves the changes, and the next run that commits commits them", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const head = await git(repo.path, "rev-parse", "HEAD");
  const first = await heartbeat(repo.path, store, { commit: false, push: false });
  assertEquals(first.publishing.committed, false);
  assertEquals(await git(repo.path, "rev-parse", "HEAD"), head);
  assert(first.publishing.paths.includes("skills/beta.md"));
  const second = await heartbeat(repo.path, store);
  assertEquals(second.consolidation.merged, [], "nothing new merges");
  assertEquals([second.publishing.committed, second.publishing.pushed], [true, true]);
  assertStringIncludes(
    await git(repo.path, "show", "--name-only", "--no-renames", "--format=", "HEAD"),
    "skills/beta-old.md",
  );
});

Deno.test("a remote that moved on is fetched, the commit rebased onto it, and pushed", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const other = join(repo.path, "..", "other");
  await git(join(repo.path, ".."), "clone", "-q", repo.remote, other);
  await Deno.writeTextFile(join(other, "README.md"), "someone else's change\n");
  await git(other, "add", "README.md");
  await git(other, "-c", "user.name=X", "-c", "user.email=x@example.com", "commit", "-q", "-m", "other");
  await git(other, "push", "-q", "origin", "main");
  const report = await heartbeat(repo.path, store);
  assertEquals(report.publishing.pushed, true, report.publishing.reason);
  const log = await git(repo.remote, "log", "--format=%s", "main");
  assert(log.startsWith("heartbeat: merge") && log.includes("other"), log);
});

Deno.test("a pre-receive hook that rejects the push fails publishing clearly and keeps the commit", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const hook = join(repo.remote, "hooks", "pre-receive");
  await Deno.writeTextFile(hook, "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n");
  await Deno.chmod(hook, 0o755);
  const report = await heartbeat(repo.path, store);
  assertEquals([report.publishing.status, report.publishing.committed, report.publishing.pushed], [
    "failed",
    true,
    false,
  ]);
  assertStringIncludes(report.publishing.reason ?? "", "the commit stays local");
  assertStringIncludes(report.publishing.reason ?? "", "pushes are frozen");
});

Deno.test("an unreachable remote fails publishing with a clear message and keeps the commit for later", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  await git(repo.path, "remote", "set-url", "origin", join(repo.path, "..", "nowhere.git"));
  const report = await heartbeat(repo.path, store);
  assertEquals([report.publishing.status, report.publishing.committed], ["failed", true]);
  assertStringIncludes(report.publishing.reason ?? "", "a later heartbeat pushes it");
});

Deno.test("a change holding a private key is never committed, and the error does not print it", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  for (const file of ["skills/beta.md", "skills/beta-old.md"]) {
    const path = join(repo.path, file);
    await Deno.writeTextFile(path, (await Deno.readTextFile(path)) + `\nKey: ${TEST_NSEC}\n`);
  }
  await git(repo.path, "commit", "-q", "-am", "planted");
  const head = await git(repo.path, "rev-parse", "HEAD");
  const report = await heartbeat(repo.path, store, { env: { NOSTR_NSEC: TEST_KEY_HEX } });
  assertEquals(report.status, "failed");
  assertStringIncludes(report.error ?? "", "contain a Nostr private key");
  assert(!(report.error ?? "").includes(TEST_NSEC) && !(report.error ?? "").includes(TEST_KEY_HEX));
  assertEquals(await git(repo.path, "rev-parse", "HEAD"), head);
  assertEquals(await git(repo.path, "diff", "--cached", "--name-only"), "", "nothing left staged");
});

Deno.test("a detached HEAD, a merge under way or someone's staged changes stop publishing with a clear error", async () => {
  await using repo = await repository();
  const publishIn = (path: string, paths: string[]) => () =>
    publish({
      git: localGit(path, gitEnv),
      paths,
      message: "m",
      commit: true,
      push: false,
      dryRun: false,
      remote: "origin",
      secrets: [],
    });
  const run = publishIn(repo.path, ["skills/weather.md"]);
  await Deno.writeTextFile(join(repo.path, "notes.txt"), "staged by a person\n");
  await git(repo.path, "add", "notes.txt");
  await assertRejects(run, RepositoryStateError, "staged changes that are not the heartbeat's");
  await git(repo.path, "reset", "-q");
  await git(repo.path, "checkout", "-q", "--detach");
  await assertRejects(run, RepositoryStateError, "HEAD is detached");
  await git(repo.path, "checkout", "-q", "main");
  const notRepo = await tempDir();
  await assertRejects(
    publishIn(notRepo.path, []),
    RepositoryStateError,
    "Not a git repository",
  );
  await notRepo[Symbol.asyncDispose]();
});

Deno.test("discovery skips what git ignores", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  await writeTree(repo.path, {
    ".gitignore": "skills/drafts/\nskills/scratch.md\n",
    "skills/drafts/beta-draft/SKILL.md": SKILLS["skills/beta.md"],
    "skills/scratch.md": SKILLS["skills/beta.md"],
  });
  const report = await heartbeat(repo.path, store, { dryRun: true });
  assertEquals(report.discovery.found, 3);
  assertEquals(report.consolidation.merged.map((merge) => merge.members), [["skills/beta-old.md", "skills/beta.md"]]);
});
