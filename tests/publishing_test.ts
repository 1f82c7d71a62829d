import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { testConfig } from "./options.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { localRepositoryWriter, type RepositoryWriter } from "../src/fs/repository_writer.ts";
import { nostrRelayClient, type RelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import { startRelay } from "./relay_harness.ts";
import { runPipeline } from "../src/pipeline.ts";
import { type Git, GitError, localGit } from "../src/publishing/git.ts";
import { publish, RepositoryStateError } from "../src/publishing/publish.ts";
import type { RunReport } from "../src/report.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { nsecEncode } from "nostr-tools/nip19";
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

/** How a test heartbeat runs: its flags, environment, relays, and a way to stop it as a crash would. */
interface HeartbeatFlags {
  commit?: boolean;
  push?: boolean;
  dryRun?: boolean;
  env?: Record<string, string>;
  relays?: RelayClient;
  signal?: AbortSignal;
  repository?: RepositoryWriter;
}

async function heartbeat(repo: string, store: KvStateStore, flags: HeartbeatFlags = {}): Promise<RunReport> {
  const config = testConfig(repo, { env: flags.env ?? {} });
  return await runPipeline(
    {
      store,
      clock: { now: () => new Date() },
      fs: denoFileSystem,
      embedder,
      repository: flags.repository ?? localRepositoryWriter(repo),
      git: localGit(repo, gitEnv),
      relays: flags.relays,
    },
    {
      config,
      dryRun: flags.dryRun ?? false,
      commit: flags.commit ?? true,
      push: flags.push ?? true,
      version: "0.0.0-test",
      signal: flags.signal,
    },
  );
}

/** A heartbeat that talks to one relay with the test key; the client is closed after the run. */
async function heartbeatWithRelay(
  repo: string,
  store: KvStateStore,
  relay: string,
  flags: HeartbeatFlags = {},
): Promise<RunReport> {
  const env = { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay };
  const client = nostrRelayClient({ sign: signer(testConfig(repo, { env }).nostr!), timeoutMs: 2000 });
  try {
    return await heartbeat(repo, store, { ...flags, env, relays: client });
  } finally {
    client.close();
  }
}

/** The `d` and `version` tags of every master skill event the relay holds. */
async function announcedVersions(relay: string): Promise<string[]> {
  const reader = nostrRelayClient({
    sign: () => {
      throw new Error("no AUTH expected");
    },
    timeoutMs: 2000,
  });
  const { events } = await reader.query([{ kinds: [30023] }], [relay]);
  reader.close();
  const tag = (tags: string[][], name: string) => tags.find((t) => t[0] === name)?.[1];
  return events.map((event) => `${tag(event.tags, "d")}@${tag(event.tags, "version")}`).sort();
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
  assertStringIncludes(message, "clawstr-heartbeat: merge 2 skills into 1 master");
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
  assert(log.startsWith("clawstr-heartbeat: merge") && log.includes("other"), log);
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
  assertStringIncludes(report.error ?? "", "contain the agent's Nostr private key");
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

Deno.test("merges a crash left uncommitted are committed, pushed and only then announced by the next run", async () => {
  await using repo = await repository();
  await using relay = await startRelay();
  // A folder skill too, whose copy brings a supporting file that is carried beside the master.
  const gamma = "---\nname: gamma\ndescription: Gamma.\n---\n\n# Gamma\n\nGamma folds epsilon maps with gammafold.\n";
  await writeTree(repo.path, {
    "skills/gamma/SKILL.md": gamma,
    "skills/gamma-copy/SKILL.md": gamma,
    "skills/gamma-copy/references/notes.md": "# Notes\n\nOnly the copy has these.\n",
  });
  await git(repo.path, "add", "-A");
  await git(repo.path, "commit", "-q", "-m", "gamma");
  await git(repo.path, "push", "-q", "origin", "main");
  const crash = new AbortController();
  // The run stops as a kill would right after consolidation: the archive's index is the merge's last write.
  const real = localRepositoryWriter(repo.path);
  const crashing: RepositoryWriter = {
    ...real,
    write(path, bytes) {
      real.write(path, bytes);
      if (path.endsWith("index.json")) crash.abort();
    },
  };
  {
    using store = await KvStateStore.open(":memory:");
    const first = await heartbeatWithRelay(repo.path, store, relay.url, { signal: crash.signal, repository: crashing });
    assertEquals([first.status, first.consolidation.merged.length, first.publishing.status], [
      "interrupted",
      2,
      "interrupted",
    ]);
  }
  assertEquals(await announcedVersions(relay.url), [], "nothing announced before the commit exists");
  // A new state store: the work left behind is found in the repository itself.
  using store = await KvStateStore.open(":memory:");
  const second = await heartbeatWithRelay(repo.path, store, relay.url);
  assertEquals(second.status, "ok", second.error);
  assertEquals(second.consolidation.merged, [], "nothing new merges");
  assertEquals([second.publishing.committed, second.publishing.pushed], [true, true], second.publishing.reason);
  assertEquals(await git(repo.path, "status", "--porcelain"), "", "nothing left uncommitted");
  assertEquals(await git(repo.remote, "rev-parse", "main"), await git(repo.path, "rev-parse", "HEAD"));
  assertStringIncludes(await git(repo.path, "ls-files"), "skills/gamma/references/notes.md");
  assertEquals(await announcedVersions(relay.url), ["beta@0.9.1", "gamma@0.0.1"]);
});

Deno.test("a master is announced only once the remote has it, and each version once", async () => {
  await using repo = await repository();
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const hook = join(repo.remote, "hooks", "pre-receive");
  await Deno.writeTextFile(hook, "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n");
  await Deno.chmod(hook, 0o755);
  const refused = await heartbeatWithRelay(repo.path, store, relay.url);
  assertEquals([refused.publishing.committed, refused.publishing.pushed], [true, false]);
  assertEquals([refused.broadcasting.events, refused.broadcasting.unpushed], [[], 1]);
  assertEquals(await announcedVersions(relay.url), []);
  await Deno.remove(hook);
  const pushed = await heartbeatWithRelay(repo.path, store, relay.url);
  assertEquals(pushed.publishing.pushed, true, pushed.publishing.reason);
  assertEquals(pushed.broadcasting.events.map((event) => [event.kind, event.accepted]).sort(), [
    [1111, true],
    [30023, true],
  ]);
  const again = await heartbeatWithRelay(repo.path, store, relay.url);
  assertEquals(again.broadcasting.events, [], "an announced version is not announced again");
  assertEquals(await announcedVersions(relay.url), ["beta@0.9.1"]);
});

Deno.test("two masters that share a name in different folders are announced as two events", async () => {
  await using repo = await repository();
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  // Two projects' own deploy workflows: different tools, one generic name (their licences keep them apart).
  const master = (team: string, description: string, body: string) =>
    `---\nname: deploy\ndescription: ${description}\nversion: 1.0.0\nlicense: ${
      team === "team-a" ? "MIT" : "Apache-2.0"
    }\nmerged_from:\n  - name: deploy\n` +
    `    path: skills/${team}/deploy-old/SKILL.md\n    hash: ${"0".repeat(64)}\n---\n\n${body}\n`;
  await writeTree(repo.path, {
    "skills/team-a/deploy/SKILL.md": master(
      "team-a",
      "Ships the storefront to Kubernetes with Helm.",
      "# Deploy\n\nRun `helm upgrade --install shop ./chart -n prod` against the GKE cluster, then watch " +
        "`kubectl rollout status deploy/shop`.",
    ),
    "skills/team-b/deploy/SKILL.md": master(
      "team-b",
      "Publishes the docs site to Netlify.",
      "# Deploy\n\nBuild with `hugo --minify` and publish the `public/` folder with `netlify deploy --prod`; " +
        "needs NETLIFY_AUTH_TOKEN.",
    ),
  });
  await git(repo.path, "add", "-A");
  await git(repo.path, "commit", "-q", "-m", "masters");
  await git(repo.path, "push", "-q", "origin", "main");
  const report = await heartbeatWithRelay(repo.path, store, relay.url);
  assertEquals(report.status, "ok", report.error);
  assertEquals(await announcedVersions(relay.url), ["beta@0.9.1", "team-a/deploy@1.0.0", "team-b/deploy@1.0.0"]);
});

Deno.test("example nsec text in a skill does not block the commit; the agent's own key still does", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const example = nsecEncode(new Uint8Array(32).fill(7));
  for (const file of ["skills/beta.md", "skills/beta-old.md"]) {
    const path = join(repo.path, file);
    await Deno.writeTextFile(path, (await Deno.readTextFile(path)) + `\nExample: NOSTR_NSEC=${example}\n`);
  }
  await git(repo.path, "commit", "-q", "-am", "examples");
  const report = await heartbeat(repo.path, store, { env: { NOSTR_NSEC: TEST_KEY_HEX } });
  assertEquals(report.status, "ok", report.error);
  assertEquals([report.publishing.committed, report.publishing.pushed], [true, true]);
  assertStringIncludes(await git(repo.path, "show", "HEAD:skills/beta.md"), example);
});

Deno.test("file names with a line break or a bidirectional override are escaped in the commit message", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const copy = SKILLS["skills/beta.md"];
  await writeTree(repo.path, { "skills/evil\u202egpj.md": copy, "skills/two\nlines.md": copy });
  await git(repo.path, "add", "-A");
  await git(repo.path, "commit", "-q", "-m", "more copies");
  const report = await heartbeat(repo.path, store);
  assertEquals(report.status, "ok", report.error);
  assertEquals(report.consolidation.merged[0]?.members.length, 4);
  const message = await git(repo.path, "log", "-1", "--format=%B");
  assert(!message.includes("\u202e"), "no raw override");
  assertStringIncludes(message, "skills/evil\\u{202e}gpj.md");
  assertStringIncludes(message, "skills/two\\u{a}lines.md");
  assertEquals(message.split("\n").filter((line) => line.startsWith("- ")).length, 1, "one line per master");
});

Deno.test("changes a killed run staged and never committed are committed by the next run", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const first = await heartbeat(repo.path, store, { commit: false, push: false });
  // As a run killed between `git add` and `git commit` leaves them.
  await git(repo.path, "add", "-A", "--", ...first.publishing.paths);
  const second = await heartbeat(repo.path, store);
  assertEquals(second.status, "ok", second.error);
  assertEquals([second.publishing.committed, second.publishing.pushed], [true, true]);
  assertEquals(await git(repo.path, "status", "--porcelain"), "");
});

Deno.test("a commit that fails (a full disk) leaves the index as it was found, and the next run commits", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const real = localGit(repo.path, gitEnv);
  const diskFull: Git = {
    run: (args, options) =>
      args.includes("commit")
        ? Promise.reject(new GitError(args, 128, "fatal: unable to write new index file: No space left on device"))
        : real.run(args, options),
  };
  const config = testConfig(repo.path);
  const failed = await runPipeline(
    {
      store,
      clock: { now: () => new Date() },
      fs: denoFileSystem,
      embedder,
      repository: localRepositoryWriter(repo.path),
      git: diskFull,
    },
    { config, dryRun: false, commit: true, push: true, version: "0.0.0-test" },
  );
  assertEquals([failed.status, failed.publishing.status], ["failed", "failed"]);
  assertStringIncludes(failed.error ?? "", "git commit -q failed (exit 128)");
  assertEquals(await git(repo.path, "diff", "--cached", "--name-only"), "", "nothing left staged");
  const next = await heartbeat(repo.path, store);
  assertEquals([next.publishing.committed, next.publishing.pushed], [true, true], next.publishing.reason);
});

Deno.test("a skill file named like a pathspec pattern stages itself only, never a person's other edits", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  await writeTree(repo.path, { "skills/*.md": SKILLS["skills/beta.md"] });
  await git(repo.path, "add", "-A");
  await git(repo.path, "commit", "-q", "-m", "a star");
  await Deno.writeTextFile(join(repo.path, "skills/weather.md"), "edited by a person, not committed\n");
  const report = await heartbeat(repo.path, store);
  assertEquals(report.status, "ok", report.error);
  assert(report.consolidation.merged[0]!.members.includes("skills/*.md"));
  const committed = await git(repo.path, "show", "--name-only", "--format=", "HEAD");
  assert(!committed.includes("skills/weather.md"), committed);
  assertEquals(await git(repo.path, "status", "--porcelain"), "M skills/weather.md");
});

Deno.test("git locks a killed run left are removed by the next run; a lock from before that run is left to its owner", async () => {
  await using repo = await repository();
  using store = await KvStateStore.open(":memory:");
  const now = Date.now();
  // A run that started a minute ago and was killed in the middle of `git commit`.
  await store.beginRun({ runId: "killed", startedAt: new Date(now - 60_000).toISOString() });
  const locks = [".git/index.lock", ".git/refs/heads/main.lock"];
  for (const lock of locks) {
    await Deno.writeTextFile(join(repo.path, lock), "");
    // Written during the killed run, and left unchanged since for longer than the grace period.
    await Deno.utime(join(repo.path, lock), new Date(now - 30_000), new Date(now - 30_000));
  }
  const healed = await heartbeat(repo.path, store);
  assertEquals(healed.status, "ok", healed.error);
  assertEquals(healed.publishing.removedLocks, locks);
  assertEquals([healed.publishing.committed, healed.publishing.pushed], [true, true]);

  // Someone's git holds the index since before the last run, which was killed too: not the heartbeat's to remove.
  await store.beginRun({ runId: "killed-again", startedAt: new Date(now).toISOString() });
  await Deno.writeTextFile(join(repo.path, "skills/beta-new.md"), SKILLS["skills/beta.md"]);
  await Deno.writeTextFile(join(repo.path, ".git/index.lock"), "");
  await Deno.utime(join(repo.path, ".git/index.lock"), new Date(now - 120_000), new Date(now - 120_000));
  const blocked = await heartbeat(repo.path, store);
  assertEquals(blocked.status, "failed");
  assertStringIncludes(blocked.error ?? "", "index.lock");
  assert(await Deno.stat(join(repo.path, ".git/index.lock")).then(() => true), "the lock is left");
});
