import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PROJECT_ROOT, runCli, treeSnapshot } from "./utils.ts";
import { mergedRepository } from "./merged_repository.ts";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd, stderr: "null" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("restore brings a member back byte for byte as a commit of its own; the master keeps the rest; no run merges it again", async () => {
  await using repo = await mergedRepository();
  const master = "skills/alpha/SKILL.md";
  const restored = await runCli(["restore", "skills/alpha-three"], { cwd: repo.path });
  assertEquals(restored.code, 0, restored.stderr);
  assertStringIncludes(
    restored.stdout,
    `Restored skills/alpha-three/SKILL.md from ${master}; the master was rewritten.`,
  );
  const tree = treeSnapshot(repo.path);
  for (const path of ["skills/alpha-three/SKILL.md", "skills/alpha-three/references/notes.md"]) {
    assertEquals(tree[path], repo.originals[path], `${path} is back as it was`);
  }
  const text = Deno.readTextFileSync(join(repo.path, master));
  assertStringIncludes(text, "path: skills/alpha-copy/SKILL.md");
  assert(!text.includes("alpha-three"), "the master no longer names the restored skill");
  assertEquals(
    await git(repo.path, "log", "-1", "--format=%s"),
    "clawstr-heartbeat: restore skills/alpha-three/SKILL.md",
  );
  assertEquals(await git(repo.path, "status", "--porcelain"), "");
  const decisions = JSON.parse(Deno.readTextFileSync(join(repo.path, ".archive/decisions.json"))).decisions;
  assertEquals(decisions.map((d: { decision: string; parts: string[][] }) => [d.decision, d.parts[0]]), [
    ["rejected", ["skills/alpha-three/SKILL.md"]],
  ]);
  // The next run merges nothing (the restored skill is the owner's rejection) and pushes the restore.
  const next = JSON.parse((await runCli(["--once", "--json"], { cwd: repo.path })).stdout);
  assertEquals(next.consolidation.merged, []);
  assert(next.publishing.pushed, next.publishing.reason);
  assertEquals(treeSnapshot(repo.path), tree);
  assertEquals(await git(repo.path, "rev-parse", "origin/main"), await git(repo.path, "rev-parse", "HEAD"));
});

Deno.test("restoring a master brings every member back and removes it; an unknown path changes nothing", async () => {
  await using repo = await mergedRepository();
  const unknown = await runCli(["restore", "skills/nothing-here"], { cwd: repo.path });
  assertEquals(unknown.code, 1);
  assertStringIncludes(unknown.stderr, "Nothing archived was merged from or into skills/nothing-here");
  const restored = await runCli(["restore", "skills/alpha/SKILL.md"], { cwd: repo.path });
  assertEquals(restored.code, 0, restored.stderr);
  assertStringIncludes(restored.stdout, "the master was removed");
  const tree = treeSnapshot(repo.path);
  for (const [path, hash] of Object.entries(repo.originals)) assertEquals(tree[path], hash, path);
  assertEquals((JSON.parse((await runCli(["--once", "--json"], { cwd: repo.path })).stdout)).consolidation.merged, []);
});

Deno.test("a restore killed with SIGKILL at any point is completed by the next start, to the tree a whole restore leaves", async () => {
  const script = join(PROJECT_ROOT, "tests/fixtures/restore_until.ts");
  const restore = (repo: string, ...rest: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, repo, join(repo, ".heartbeat"), "skills/alpha-three", ...rest],
      stdout: "piped",
      stderr: "piped",
    }).output();
  await using template = await mergedRepository();
  await Deno.remove(join(template.path, ".heartbeat"), { recursive: true });
  const fresh = async () => {
    const dir = await Deno.makeTempDir({ prefix: "restore-crash-" });
    await new Deno.Command("cp", { args: ["-r", `${template.path}/.`, dir] }).output();
    return dir;
  };
  const whole = await fresh();
  const done = await restore(whole);
  const operations = Number(new TextDecoder().decode(done.stdout).trim());
  assert(operations >= 4, `${operations} operations`);
  const expected = treeSnapshot(whole);
  let crashes = 0;
  for (let operation = 0; operation < operations; operation++) {
    for (const stage of ["applied", "recorded"]) {
      const repo = await fresh();
      const output = await restore(repo, String(operation), stage);
      assertEquals(output.signal, "SIGKILL", new TextDecoder().decode(output.stderr));
      crashes++;
      await restore(repo, "recover");
      assertEquals(treeSnapshot(repo), expected, `after a crash at operation ${operation}, ${stage}`);
      await Deno.remove(repo, { recursive: true });
    }
  }
  await Deno.remove(whole, { recursive: true });
  assert(crashes >= 8, `${crashes} crash points`);
});
