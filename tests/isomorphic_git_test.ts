import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { cloneRepository, isomorphicGit } from "../src/publishing/isomorphic_git.ts";
import { type Git, localGit } from "../src/publishing/git.ts";
import { publish, type PublishInput } from "../src/publishing/publish.ts";
import { Secret } from "../src/secret.ts";
import { startGitServer } from "./git_http_server.ts";
import { git, tempDir, writeTree } from "./utils.ts";

const TOKEN = new Secret("test-token-0123");
const ENV = { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" };

/** A bare repository `skills.git` under `root`, holding three skills in one commit by "Owner". */
async function seedRemote(root: string): Promise<string> {
  const seed = join(root, "seed");
  await writeTree(seed, {
    "skills/alpha/SKILL.md": "---\nname: alpha\n---\nAlpha.\n",
    "skills/beta/SKILL.md": "---\nname: beta\n---\nBeta.\n",
    "skills/gamma.md": "---\nname: gamma\n---\nGamma.\n",
  });
  await git(seed, "init", "-q", "-b", "main");
  await git(seed, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "add", "-A");
  await git(seed, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-q", "-m", "skills");
  await git(root, "clone", "-q", "--bare", seed, join(root, "skills.git"));
  return seed;
}

/** What both adapters answer to the same command, side by side. */
async function both(binary: Git, pure: Git, args: string[], stdin?: string) {
  const options = { allowFailure: true, ...(stdin === undefined ? {} : { stdin }) };
  const [a, b] = [await binary.run(args, options), await pure.run(args, options)];
  const sorted = (text: string) => text.split(/(?<=\0)|(?<=\n)/).filter((part) => part !== "").sort().join("");
  return { binary: [a.code, sorted(a.stdout)], pure: [b.code, sorted(b.stdout)] };
}

Deno.test("the pure-JavaScript git clones over HTTP with the token, and a wrong token gets nothing", async () => {
  await using dir = await tempDir();
  await seedRemote(dir.path);
  await using server = startGitServer({ root: dir.path, token: TOKEN.reveal() });
  await assertRejects(
    () => cloneRepository({ dir: join(dir.path, "wrong"), token: new Secret("nope") }, server.url("skills.git")),
    Error,
    "401",
  );
  await cloneRepository({ dir: join(dir.path, "work"), token: TOKEN }, server.url("skills.git"));
  assertEquals(await Deno.readTextFile(join(dir.path, "work/skills/gamma.md")), "---\nname: gamma\n---\nGamma.\n");
});

Deno.test("the pure-JavaScript git answers status, staged names, counts, trees, hashes and blobs as the git binary does", async () => {
  await using dir = await tempDir();
  await seedRemote(dir.path);
  await using server = startGitServer({ root: dir.path, token: TOKEN.reveal() });
  const work = join(dir.path, "work");
  await cloneRepository({ dir: work, token: TOKEN }, server.url("skills.git"));
  const [binary, pure] = [localGit(work, ENV), isomorphicGit({ dir: work, token: TOKEN })];
  // Every kind of change: modified, deleted, untracked, staged new, staged then modified again.
  await writeTree(work, {
    "skills/alpha/SKILL.md": "---\nname: alpha\n---\nAlpha, changed.\n",
    "skills/delta/SKILL.md": "---\nname: delta\n---\nDelta.\n",
    "skills/epsilon.md": "---\nname: epsilon\n---\nEpsilon.\n",
  });
  await Deno.remove(join(work, "skills/beta/SKILL.md"));
  await git(work, "add", "skills/epsilon.md");
  await Deno.writeTextFile(join(work, "skills/epsilon.md"), "---\nname: epsilon\n---\nEpsilon, again.\n");
  const status = ["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", "skills"];
  const compare = async (args: string[], stdin?: string) => {
    const { binary: expected, pure: actual } = await both(binary, pure, args, stdin);
    assertEquals(actual, expected, args.join(" "));
  };
  await compare(status);
  await compare(["diff", "--cached", "--name-only", "--no-renames", "-z"]);
  await pure.run(["--literal-pathspecs", "add", "-A", "--", "skills"]);
  await compare(status);
  await compare(["diff", "--cached", "--name-only", "--no-renames", "-z"]);
  await compare(["rev-parse", "--is-inside-work-tree"]);
  await compare(["symbolic-ref", "-q", "--short", "HEAD"]);
  await compare(["rev-parse", "--verify", "-q", "refs/remotes/origin/main"]);
  await compare(["rev-parse", "-q", "--verify", "MERGE_HEAD"]);
  await compare(["remote"]);
  await compare([
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    "refs/remotes/origin/main",
    "--",
    "skills/alpha/SKILL.md",
    "skills/gamma.md",
    "skills/none.md",
  ]);
  await compare(["hash-object", "--stdin-paths"], "skills/alpha/SKILL.md\nskills/gamma.md\n");
  await compare(["cat-file", "blob", "HEAD:skills/gamma.md"]);
  await compare(["cat-file", "blob", "HEAD:skills/none.md"]);
  await pure.run(["-c", "user.name=Heartbeat", "-c", "user.email=hb@example.com", "commit", "-q", "-m", "merge"]);
  await compare(["rev-list", "--count", "refs/remotes/origin/main..HEAD"]);
  await compare(status);
  assertEquals((await git(work, "log", "-1", "--format=%an <%ae> %s")).trim(), "Heartbeat <hb@example.com> merge");
  const unsupported = await pure.run(["gc"], { allowFailure: true });
  assertEquals(unsupported.code, 129);
});

Deno.test("publishing through the pure-JavaScript git commits and pushes; a push the remote rejects is rebased and retried", async () => {
  await using dir = await tempDir();
  const seed = await seedRemote(dir.path);
  const bare = join(dir.path, "skills.git");
  // Someone pushes while the heartbeat works: the remote moves on just before the heartbeat's first push.
  let moved = false;
  await using server = startGitServer({
    root: dir.path,
    token: TOKEN.reveal(),
    beforePush: async (push) => {
      if (push !== 1 || moved) return;
      moved = true;
      await Deno.writeTextFile(join(seed, "skills/zeta.md"), "---\nname: zeta\n---\nZeta.\n");
      await git(seed, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "add", "-A");
      await git(seed, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-q", "-m", "zeta");
      await git(seed, "push", "-q", bare, "main");
    },
  });
  const work = join(dir.path, "work");
  await cloneRepository({ dir: work, token: TOKEN }, server.url("skills.git"));
  await Deno.writeTextFile(join(work, "skills/alpha/SKILL.md"), "---\nname: alpha\nversion: 2.0.0\n---\nAlpha.\n");
  await Deno.remove(join(work, "skills/beta"), { recursive: true });
  const input: PublishInput = {
    git: isomorphicGit({ dir: work, token: TOKEN }),
    paths: ["skills/alpha/SKILL.md", "skills/beta/SKILL.md"],
    message: "clawstr-heartbeat: merge 2 skills into 1 master",
    commit: true,
    push: true,
    dryRun: false,
    remote: "origin",
    author: "Clawstr Skill Orchestrator <heartbeat@clawstr.invalid>",
    secrets: [TOKEN],
    retryDelays: [10, 10],
  };
  const report = await publish(input);
  assertEquals([report.status, report.committed, report.pushed], ["ok", true, true], report.reason);
  assertEquals(server.pushes, 1, "rejected before a pack was sent, then accepted");
  const log = await git(bare, "log", "--format=%s|%an", "main");
  assertEquals(log.trim().split("\n"), [
    "clawstr-heartbeat: merge 2 skills into 1 master|Clawstr Skill Orchestrator",
    "zeta|Owner",
    "skills|Owner",
  ]);
  const tree = await git(bare, "ls-tree", "-r", "--name-only", "main");
  assertEquals(tree.trim().split("\n"), ["skills/alpha/SKILL.md", "skills/gamma.md", "skills/zeta.md"]);
  assertStringIncludes(await git(bare, "show", "main:skills/alpha/SKILL.md"), "version: 2.0.0");
  // Nothing left to push: the next run says so rather than pushing again.
  const again = await publish({ ...input, paths: [] });
  assert(!again.pushed && server.pushes === 1, again.reason);
});

Deno.test("when the remote changed a file the heartbeat's commit changes, the pure-JavaScript rebase changes nothing and the commit stays local", async () => {
  await using dir = await tempDir();
  const seed = await seedRemote(dir.path);
  const bare = join(dir.path, "skills.git");
  const work = join(dir.path, "work");
  await using server = startGitServer({ root: dir.path, token: TOKEN.reveal() });
  await cloneRepository({ dir: work, token: TOKEN }, server.url("skills.git"));
  await Deno.writeTextFile(join(seed, "skills/alpha/SKILL.md"), "---\nname: alpha\n---\nThe owner's edit.\n");
  await git(seed, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-qam", "owner edit");
  await git(seed, "push", "-q", bare, "main");
  await Deno.writeTextFile(join(work, "skills/alpha/SKILL.md"), "---\nname: alpha\nversion: 2.0.0\n---\nAlpha.\n");
  const pure = isomorphicGit({ dir: work, token: TOKEN });
  const report = await publish({
    git: pure,
    paths: ["skills/alpha/SKILL.md"],
    message: "clawstr-heartbeat: update skills",
    commit: true,
    push: true,
    dryRun: false,
    remote: "origin",
    secrets: [],
    retryDelays: [10],
  });
  assertEquals([report.status, report.committed, report.pushed], ["failed", true, false]);
  assertStringIncludes(report.reason ?? "", "does not rebase onto it cleanly");
  assertEquals((await git(work, "log", "-1", "--format=%s")).trim(), "clawstr-heartbeat: update skills");
  assertStringIncludes(await Deno.readTextFile(join(work, "skills/alpha/SKILL.md")), "version: 2.0.0");
  assertEquals((await git(bare, "log", "-1", "--format=%s", "main")).trim(), "owner edit");
});
