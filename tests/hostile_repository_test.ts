/**
 * A hostile contributor's repository: committed links that lead outside the
 * repository or into `.git`, special files, a huge sparse file, NUL bytes, a
 * second run on another state directory, a key in the wrong variable. Each
 * test runs the real program (with the heartbeat task's own permissions) or
 * the pipeline over a real git repository with a directory `outside/` beside
 * it, and then looks outside: nothing there may change, nothing may be
 * written in `.git`, nothing from outside may be committed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { testConfig } from "./options.ts";
import { cliCommand, optIn, readUntil, runCli, tempDir, writeTree } from "./utils.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { FileTooLargeError, NotRegularFileError } from "../src/fs/regular_file.ts";
import {
  GitDirectoryError,
  localRepositoryWriter,
  OutsideRepositoryError,
  UnsafePathError,
} from "../src/fs/repository_writer.ts";
import { runPipeline } from "../src/pipeline.ts";
import type { RunReport } from "../src/report.ts";
import { KvStateStore } from "../src/store/state_store.ts";

const skill = (name: string, body: string) => `---\nname: ${name}\ndescription: The ${name} skill.\n---\n\n${body}\n`;
const BETA = "# Beta\n\nBeta converts gamma rays into delta files with betactl.";
const ALPHA =
  "# Alpha\n\nRun scripts/run.sh to fetch alpha data from the alpha service.\n\n## Usage\n\nalpha fetch --all";

/** Two flat copies of one skill: a cluster that merges. */
const FLAT_DUPLICATES: Record<string, string> = {
  "skills/beta.md": skill("beta", BETA),
  "skills/beta-old.md": skill("beta", BETA),
  "skills/unrelated.md": skill("unrelated", "# Weather\n\nForecasts for any city."),
};

/** A repository `repo/` and a directory `outside/` beside it, in one temporary directory. */
async function repoBesideOutside(): Promise<AsyncDisposable & { repo: string; outside: string }> {
  const base = await tempDir();
  const repo = join(base.path, "repo");
  const outside = join(base.path, "outside");
  await Deno.mkdir(repo);
  await Deno.mkdir(outside);
  return { repo, outside, [Symbol.asyncDispose]: () => base[Symbol.asyncDispose]() };
}

/** Runs git in `cwd`; fails the test when git fails. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", {
    args: ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert(output.success, `git ${args.join(" ")}: ${decoder.decode(output.stderr)}`);
  return decoder.decode(output.stdout);
}

/** Commits everything in `repo` (links included, as a contributor would) and pushes it to a bare remote beside it. */
async function commitWithRemote(repo: string): Promise<void> {
  await optIn(repo);
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "a contribution");
  await git(repo, "init", "-q", "--bare", "-b", "main", `${repo}.remote.git`);
  await git(repo, "remote", "add", "origin", `${repo}.remote.git`);
  await git(repo, "push", "-q", "-u", "origin", "main");
}

/**
 * Every entry under `dir`, links not followed: its kind, size, modification time (a directory's changes
 * when an entry is added or removed) and, for a file of reasonable size, its bytes' hash.
 */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (path: string, rel: string) => {
    const info = Deno.lstatSync(path);
    const content = info.isSymlink
      ? `-> ${Deno.readLinkSync(path)}`
      : info.isFile && info.size <= 1024 * 1024
      ? createHash("sha256").update(Deno.readFileSync(path)).digest("hex")
      : "";
    const kind = info.isDirectory ? "dir" : info.isSymlink ? "link" : info.isFile ? "file" : "special";
    entries.set(rel, `${kind} ${info.size} ${info.mtime?.getTime()} ${content}`);
    if (info.isDirectory) {
      for (const entry of Deno.readDirSync(path)) walk(join(path, entry.name), `${rel}/${entry.name}`);
    }
  };
  walk(dir, ".");
  return entries;
}

/** What git says of the repository: the commits, and the work tree's changes. */
async function gitState(repo: string): Promise<{ commits: number; status: string }> {
  const commits = (await git(repo, "rev-list", "--count", "HEAD")).trim();
  return { commits: Number(commits), status: await git(repo, "status", "--porcelain", "--untracked-files=all") };
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs the program and kills it when it has not exited in time, so a hang fails the test instead of stalling it. */
async function runCliWithin(
  seconds: number,
  args: string[],
  options: Parameters<typeof cliCommand>[1],
): Promise<{ code: number; stderr: string; seconds: number }> {
  const started = performance.now();
  const child = cliCommand(args, options).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
  const [status, , stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearTimeout(timer);
  return { code: status.code, stderr, seconds: (performance.now() - started) / 1000 };
}

const embedder = { model: await identifyModel(BUNDLED_MODEL_DIR), load: () => loadEmbedder({ workers: 0 }) };

/** Runs the heartbeat's pipeline once over `repo`, without the command line's start-up checks. */
async function pipeline(repo: string): Promise<RunReport> {
  using store = await KvStateStore.open(":memory:");
  return await runPipeline(
    {
      store,
      clock: { now: () => new Date() },
      fs: denoFileSystem,
      embedder,
      repository: localRepositoryWriter(repo),
    },
    { config: testConfig(repo), dryRun: false, commit: false, push: false, version: "0.0.0-test" },
  );
}

Deno.test("a committed .archive link to outside, or an archive in .git, stops dry runs and real runs before anything is written", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  await writeTree(dirs.outside, { "archive/keep.md": "someone else's file\n" });
  await Deno.symlink("../outside/archive", join(dirs.repo, ".archive"));
  await commitWithRemote(dirs.repo);
  const outside = snapshot(dirs.outside);
  for (const args of [["--once", "--dry-run"], ["--once"]]) {
    const result = await runCli(args, { cwd: dirs.repo });
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(
      result.stderr,
      '--archive-dir ".archive" is a symbolic link that leads outside the repository',
    );
  }
  const intoGit = await runCli(["--once", "--archive-dir", ".git/archive"], { cwd: dirs.repo });
  assertEquals(intoGit.code, 2, intoGit.stderr);
  assertStringIncludes(intoGit.stderr, '--archive-dir ".git/archive" is in a git directory');
  assert(!exists(join(dirs.repo, ".git", "archive")));
  assertEquals(snapshot(dirs.outside), outside, "nothing outside changed");
  assert(!exists(join(dirs.repo, ".heartbeat")), "not even the state directory was made");
  assertEquals(await gitState(dirs.repo), { commits: 1, status: "" });
});

Deno.test("a committed .heartbeat link to outside stops runs and health before a log, store or lock is written", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  await Deno.mkdir(join(dirs.outside, "state"));
  await Deno.symlink("../outside/state", join(dirs.repo, ".heartbeat"));
  await commitWithRemote(dirs.repo);
  const outside = snapshot(dirs.outside);
  for (
    const [args, task] of [[["--once", "--dry-run"], "heartbeat"], [["--once"], "heartbeat"], [
      ["health"],
      "health",
    ]] as const
  ) {
    const result = await runCli([...args], { cwd: dirs.repo, task });
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assertStringIncludes(
      result.stderr,
      '--state-dir ".heartbeat" is a symbolic link that leads outside the repository',
    );
  }
  assertEquals(snapshot(dirs.outside), outside, "no log, store or lock outside");
  assertEquals(await gitState(dirs.repo), { commits: 1, status: "" });
});

Deno.test("a link committed inside the state directory stops the run before the lock truncates what it names", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  await writeTree(dirs.outside, { "victim.txt": "a file the lock would truncate\n" });
  await Deno.mkdir(join(dirs.repo, ".heartbeat"));
  await Deno.symlink("../../outside/victim.txt", join(dirs.repo, ".heartbeat", "heartbeat.lock"));
  await commitWithRemote(dirs.repo);
  const outside = snapshot(dirs.outside);
  const result = await runCli(["--once", "--dry-run"], { cwd: dirs.repo });
  assertEquals(result.code, 2, result.stderr);
  assertStringIncludes(result.stderr, '--state-dir ".heartbeat" holds "heartbeat.lock", a symbolic link');
  assertEquals(snapshot(dirs.outside), outside);
});

Deno.test("a committed skills link to outside stops the run: no outside file is rewritten, removed or committed", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.outside, FLAT_DUPLICATES);
  await writeTree(dirs.repo, { "README.md": "# Skills\n" });
  await Deno.symlink("../outside/skills", join(dirs.repo, "skills"));
  await commitWithRemote(dirs.repo);
  const outside = snapshot(dirs.outside);
  const result = await runCli(["--once"], { cwd: dirs.repo });
  assertEquals(result.code, 2, result.stderr);
  assertStringIncludes(result.stderr, '--skills-dir "skills" is a symbolic link that leads outside the repository');
  assertEquals(snapshot(dirs.outside), outside);
  assertEquals(await gitState(dirs.repo), { commits: 1, status: "" });
  assertEquals(await git(dirs.repo, "ls-files"), "README.md\nheartbeat.json\nskills\n", "no outside bytes committed");
});

Deno.test("a master whose folder is a committed link into .git is refused: nothing is written in .git", async () => {
  await using dirs = await repoBesideOutside();
  const hook = "#!/bin/sh\necho owned\n";
  await writeTree(dirs.repo, {
    "skills/hooks-a/SKILL.md": skill("hooks", ALPHA),
    "skills/hooks-a/hooks/pre-commit": hook,
    "skills/hooks-b/SKILL.md": skill("hooks", ALPHA),
    "skills/hooks-b/hooks/pre-commit": hook,
  });
  // Where the merge would put the master, skills/hooks/SKILL.md.
  await Deno.symlink("../.git", join(dirs.repo, "skills", "hooks"));
  await commitWithRemote(dirs.repo);
  const hooks = [...Deno.readDirSync(join(dirs.repo, ".git", "hooks"))].map((entry) => entry.name).sort();
  const result = await runCli(["--once", "--json"], { cwd: dirs.repo });
  assertEquals(result.code, 0, result.stderr);
  const report: RunReport = JSON.parse(result.stdout);
  assertEquals(report.consolidation.merged, []);
  assertEquals(report.consolidation.refused.length, 1);
  assertStringIncludes(report.consolidation.refused[0]!.reason, "leads into a git directory");
  assert(!exists(join(dirs.repo, ".git", "SKILL.md")));
  assert(!exists(join(dirs.repo, ".git", "hooks", "pre-commit")));
  assertEquals([...Deno.readDirSync(join(dirs.repo, ".git", "hooks"))].map((entry) => entry.name).sort(), hooks);
  assertEquals(await gitState(dirs.repo), { commits: 1, status: "" }, "the members are where they were");
});

Deno.test("a skill file linked to /etc/passwd is a diagnostic for that file, and the run finishes", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  await Deno.symlink("/etc/passwd", join(dirs.repo, "skills", "p.md"));
  await commitWithRemote(dirs.repo);
  const result = await runCli(["--once", "--json"], { cwd: dirs.repo });
  assertEquals(result.code, 0, result.stderr);
  const report: RunReport = JSON.parse(result.stdout);
  assertEquals(report.status, "ok", report.error);
  const diagnostic = report.discovery.diagnostics.find((d) => d.path === "skills/p.md");
  assertEquals([diagnostic?.rule, diagnostic?.severity], ["tree/symlink", "warning"]);
  assertEquals(report.consolidation.merged.map((merge) => merge.master), ["skills/beta.md"]);
  assertEquals(report.publishing.committed, true, report.publishing.reason);
  // The link is committed as the link it was; no byte of its target is, in the archive or anywhere.
  assertEquals(await git(dirs.repo, "cat-file", "-p", "HEAD:skills/p.md"), "/etc/passwd");
  const passwd = await new Deno.Command("git", { args: ["grep", "-q", "root:", "HEAD"], cwd: dirs.repo }).output();
  assertEquals(passwd.code, 1, "git grep found /etc/passwd's text in the commit");
});

Deno.test("a .env linked to /dev/zero, or a FIFO, stops the start at once with an error naming the file", async () => {
  for (
    const [kind, make] of [
      ["a character device", (path: string) => Deno.symlink("/dev/zero", path)],
      ["a FIFO", (path: string) => new Deno.Command("mkfifo", { args: [path] }).output().then(() => {})],
    ] as const
  ) {
    await using dirs = await repoBesideOutside();
    await writeTree(dirs.repo, FLAT_DUPLICATES);
    await make(join(dirs.repo, ".env"));
    const result = await runCliWithin(30, ["--once", "--dry-run"], { cwd: dirs.repo });
    assertEquals(result.code, 2, `${kind}: ${result.stderr}`);
    assertStringIncludes(result.stderr, `The .env file ${join(dirs.repo, ".env")}: it is ${kind}, not a regular file`);
    assert(result.seconds < 20, `${kind}: ${result.seconds} s`);
    assert(!exists(join(dirs.repo, ".heartbeat")));
  }
});

/**
 * The peak resident memory of a running process so far, in bytes, as Linux counts it (`VmHWM`); 0 once
 * it has exited. Read by `cat`: Deno lets only `--allow-all` read `/proc`.
 */
async function peakResident(pid: number): Promise<number> {
  const output = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stdout: "piped", stderr: "null" })
    .output();
  const match = /VmHWM:\s+(\d+) kB/.exec(new TextDecoder().decode(output.stdout));
  return match ? Number(match[1]) * 1024 : 0;
}

Deno.test("a 3 GiB sparse file in a merging skill's folder is not copied: the cluster is refused, nothing is lost", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, {
    "skills/alpha/SKILL.md": skill("alpha", ALPHA),
    "skills/alpha-copy/SKILL.md": skill("alpha", ALPHA),
    "skills/alpha-copy/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  });
  const big = join(dirs.repo, "skills", "alpha-copy", "assets", "big.bin");
  await Deno.mkdir(join(big, ".."));
  // Sparse: three gibibytes that take no disk.
  await Deno.writeFile(big, new Uint8Array());
  await Deno.truncate(big, 3 * 1024 ** 3);
  const before = snapshot(join(dirs.repo, "skills"));
  const child = cliCommand(["--once", "--json", "--no-commit"], { cwd: dirs.repo }).spawn();
  let peak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) peak = Math.max(peak, await peakResident(child.pid));
  })();
  const [status, stdout] = await Promise.all([child.status, new Response(child.stdout).text(), child.stderr.cancel()]);
  running = false;
  await sampling;
  assertEquals(status.code, 0);
  const report: RunReport = JSON.parse(stdout);
  assertEquals(report.consolidation.merged, []);
  assertEquals(report.consolidation.refused.map((refusal) => refusal.reason), [
    "skills/alpha-copy/assets/big.bin is 3221225472 bytes, over the 8 MiB limit for supporting files: its folder is not merged, nothing in it moves",
  ]);
  assertEquals(snapshot(join(dirs.repo, "skills")), before, "nothing moved, nothing lost");
  assert(!exists(join(dirs.repo, ".archive")), "nothing archived");
  assert(peak > 0 && peak < 1024 ** 3, `peak resident memory ${peak} bytes`);
});

Deno.test("a member folder holding a link or a FIFO is refused naming the file, and nothing moves", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, {
    "skills/alpha/SKILL.md": skill("alpha", ALPHA),
    "skills/alpha-copy/SKILL.md": skill("alpha", ALPHA),
    "skills/delta/SKILL.md": skill("delta", "# Delta\n\nDelta syncs epsilon buckets with deltasync."),
    "skills/delta-two/SKILL.md": skill("delta", "# Delta\n\nDelta syncs epsilon buckets with deltasync."),
  });
  await writeTree(dirs.outside, { "secret.txt": "not for the archive\n" });
  await Deno.symlink("../../../outside/secret.txt", join(dirs.repo, "skills", "alpha-copy", "notes.md"));
  await new Deno.Command("mkfifo", { args: [join(dirs.repo, "skills", "delta-two", "pipe")] }).output();
  const before = snapshot(dirs.repo);
  const outside = snapshot(dirs.outside);
  const report = await pipeline(dirs.repo);
  assertEquals(report.status, "ok", report.error);
  assertEquals(report.consolidation.merged, []);
  assertEquals(report.consolidation.refused.map((refusal) => refusal.reason).sort(), [
    "skills/alpha-copy/notes.md is a symbolic link: its folder is not merged, nothing in it moves",
    "skills/delta-two/pipe is a FIFO, socket or device: its folder is not merged, nothing in it moves",
  ]);
  assertEquals(snapshot(dirs.repo), before);
  assertEquals(snapshot(dirs.outside), outside);
});

Deno.test("a run handed an archive that leads outside refuses the merge and writes nothing outside", async () => {
  // The command line stops this at start; the writer must hold on its own (a test, another front end).
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  await Deno.mkdir(join(dirs.outside, "archive"));
  await Deno.symlink("../outside/archive", join(dirs.repo, ".archive"));
  const before = snapshot(join(dirs.repo, "skills"));
  const outside = snapshot(dirs.outside);
  const report = await pipeline(dirs.repo);
  // The owner's decisions are read from the archive first: the run stops there, before anything merges.
  assertEquals(report.status, "failed");
  assertStringIncludes(report.error ?? "", 'decisions.json" lies under a symbolic link that leads outside');
  assertEquals(report.consolidation.merged, []);
  assertEquals(snapshot(join(dirs.repo, "skills")), before);
  assertEquals(snapshot(dirs.outside), outside);
});

Deno.test("the repository writer follows links that stay inside, and refuses those that lead outside or into .git", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, {
    "skills/real/SKILL.md": "inside\n",
    "skills/vendored/.git/config": "[core]\n",
    ".git/config": "[core]\n",
  });
  await writeTree(dirs.outside, { "target.md": "outside\n" });
  await Deno.symlink("real", join(dirs.repo, "skills", "alias"));
  await Deno.symlink("../../outside", join(dirs.repo, "skills", "away"));
  await Deno.symlink("../.git", join(dirs.repo, "skills", "git"));
  await Deno.symlink("../../outside/target.md", join(dirs.repo, "skills", "real", "link.md"));
  await Deno.symlink("../nowhere", join(dirs.repo, "skills", "dangling"));
  await new Deno.Command("mkfifo", { args: [join(dirs.repo, "skills", "real", "pipe")] }).output();
  const big = join(dirs.repo, "skills", "big.md");
  await Deno.writeFile(big, new Uint8Array());
  await Deno.truncate(big, 65);
  const outside = snapshot(dirs.outside);
  const writer = localRepositoryWriter(dirs.repo, { maxReadBytes: 64 });

  writer.write("skills/alias/new.md", new TextEncoder().encode("through an inside link\n"));
  assertEquals(Deno.readTextFileSync(join(dirs.repo, "skills", "real", "new.md")), "through an inside link\n");
  assertEquals(new TextDecoder().decode(writer.read("skills/alias/SKILL.md")), "inside\n");
  assertEquals(writer.list("skills/real").map((entry) => [entry.path, entry.kind]), [
    ["skills/real/SKILL.md", "file"],
    ["skills/real/link.md", "symlink"],
    ["skills/real/new.md", "file"],
    ["skills/real/pipe", "special"],
  ]);
  for (const path of ["skills/away/x.md", "skills/away/target.md"]) {
    assertThrows(() => writer.write(path, new Uint8Array()), OutsideRepositoryError);
  }
  assertThrows(() => writer.read("skills/away/target.md"), OutsideRepositoryError);
  assertThrows(() => writer.copy("skills/real/SKILL.md", "skills/away/copy.md"), OutsideRepositoryError);
  assertThrows(() => writer.list("skills/away"), OutsideRepositoryError);
  assertThrows(() => writer.remove("skills/away/target.md", "skills"), OutsideRepositoryError);
  for (const path of ["skills/git/SKILL.md", "skills/git/hooks/pre-commit", ".git/x", ".GIT/x", "skills/.git/x"]) {
    assertThrows(() => writer.write(path, new Uint8Array()), GitDirectoryError);
  }
  assertThrows(() => writer.list("skills/vendored"), GitDirectoryError, "nothing in it is touched");
  assertThrows(() => writer.write("skills/dangling/x.md", new Uint8Array()), UnsafePathError, "does not exist");
  assertThrows(() => writer.read("skills/real/link.md"), NotRegularFileError, "a symbolic link");
  assertThrows(() => writer.read("skills/real/pipe"), NotRegularFileError, "a FIFO");
  assertThrows(() => writer.copy("skills/real/pipe", "skills/real/copy"), NotRegularFileError);
  assertThrows(() => writer.read("skills/big.md"), FileTooLargeError);
  assertEquals(writer.read("skills/real/missing.md"), undefined);
  assertEquals(snapshot(dirs.outside), outside);
  assert(!exists(join(dirs.repo, ".git", "SKILL.md")) && !exists(join(dirs.repo, ".git", "x")));
});

Deno.test("two runs with different state directories do not work on one repository at once: the second exits 3", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  const loop = cliCommand(["--dry-run", "--interval", "0.5"], { cwd: dirs.repo }).spawn();
  const { rest } = await readUntil(loop.stderr, /Heartbeat every 30 min/);
  const second = await runCli(["--once", "--dry-run", "--state-dir", ".other-state"], { cwd: dirs.repo });
  assertEquals(second.code, 3, second.stderr);
  assertStringIncludes(second.stderr, "Another heartbeat is running on this repository");
  loop.kill("SIGTERM");
  assertEquals((await loop.status).code, 0);
  await rest.cancel();
  await loop.stdout.cancel();
  const afterwards = await runCli(["--once", "--dry-run", "--state-dir", ".other-state"], { cwd: dirs.repo });
  assertEquals(afterwards.code, 0, afterwards.stderr);
});

Deno.test("a private key put in NOSTR_RELAY by mistake is refused without being echoed", async () => {
  await using dirs = await repoBesideOutside();
  await writeTree(dirs.repo, FLAT_DUPLICATES);
  for (const key of [TEST_NSEC, TEST_KEY_HEX, TEST_KEY_HEX.toUpperCase()]) {
    const result = await runCli(["--once", "--dry-run"], {
      cwd: dirs.repo,
      env: { NOSTR_RELAY: `wss://relay.damus.io,${key}` },
    });
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, "NOSTR_RELAY entry 2 looks like a private key; it is not shown");
    assert(!result.stderr.includes(key.slice(8, 40)), `the key leaked: ${result.stderr}`);
  }
});
