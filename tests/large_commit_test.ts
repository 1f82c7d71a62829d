/**
 * A real heartbeat whose commit is larger than the system lets one command line be (issue 28): the commit message and
 * the path lists go to git through standard input or in bounded batches, never as arguments that grow with the
 * library.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { commitRepository, optIn, runCli, tempDir, writeTree } from "./utils.ts";

/** Publishers with long names, as a flattened registry writes them (`owner--repo--skill`). */
const LONG = "a-publisher-whose-organisation-name-is-long--and-whose-repository-name-is-longer-still";

/** A skill of its own subject, `i`, copied into two repositories. */
function copies(i: number): Record<string, string> {
  const text = `---\nname: tool-${i}\ndescription: Converts format ${i} files into format ${i + 1} files.\n---\n\n` +
    `# Tool ${i}\n\nRun \`convert-${i} --in file.f${i} --out file.f${i + 1}\` to convert one file, or pass a folder ` +
    `to convert every file in it. Set CONVERT_${i}_THREADS to use more cores.\n`;
  return {
    [`skills/${LONG}-one--tool-${i}/SKILL.md`]: text,
    [`skills/${LONG}-two--tool-${i}/SKILL.md`]: text,
  };
}

Deno.test("a run that merges 700 pairs with long paths commits and pushes them: one readable commit, nothing left over", async () => {
  await using dir = await tempDir();
  const repo = join(dir.path, "repo");
  const files: Record<string, string> = {};
  for (let i = 0; i < 700; i++) Object.assign(files, copies(i));
  await writeTree(repo, files);
  await optIn(repo);
  const remote = join(dir.path, "remote.git");
  await commitRepository(repo, remote);
  const result = await runCli(["--once", "--json"], { cwd: repo });
  const report = JSON.parse(result.stdout);
  assertEquals(report.consolidation.merged.length, 700, result.stderr);
  assert(report.publishing.committed && report.publishing.pushed, report.publishing.reason ?? report.error);
  const git = async (...args: string[]) =>
    new TextDecoder().decode((await new Deno.Command("git", { args, cwd: repo, stdout: "piped" }).output()).stdout);
  assertEquals((await git("status", "--porcelain")).trim(), "", "nothing left uncommitted");
  const message = await git("log", "-1", "--format=%B");
  assertStringIncludes(message.split("\n")[0]!, "merge 1400 skills into 700 masters");
  assert(message.length < 16_000, `a readable message, not ${message.length} characters`);
  assertStringIncludes(message, ".archive/index.json");
  assertEquals(await git("rev-parse", "HEAD"), await git("--git-dir", remote, "rev-parse", "main"));
});
