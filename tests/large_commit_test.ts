/**
 * A real heartbeat whose commit is larger than the system lets one command line be (issue 28): the commit message and
 * the path lists go to git through standard input or in bounded batches, never as arguments that grow with the
 * library.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { commitRepository, git, optIn, runCli, tempDir, writeTree } from "./utils.ts";
import { startRelay } from "./relay_harness.ts";
import { TEST_NSEC } from "./keys.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";

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
  const { repo, remote } = await optedInLibrary(dir.path, 700, copies);
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

/** A tool of its own subject, `i`, published by ten publishers with their own small edits. */
function tenCopies(i: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let copy = 0; copy < 10; copy++) {
    files[`skills/publisher-${copy}--tool-${i}/SKILL.md`] =
      `---\nname: tool-${i}\ndescription: Converts format ${i} files into format ${i + 1} files.\n---\n\n` +
      `# Tool ${i}\n\nRun \`convert-${i} --in file.f${i} --out file.f${i + 1}\` to convert one file, or pass a ` +
      `folder to convert every file in it. Set CONVERT_${i}_THREADS to use more cores.\n` +
      (copy % 2 === 0 ? "" : `\nPublished by publisher ${copy}.\n`);
  }
  return files;
}

Deno.test("a first real run that merges 5,000 skills commits, pushes and announces every master once; the second run changes nothing", async () => {
  await using dir = await tempDir();
  const { repo, remote } = await optedInLibrary(dir.path, 500, tenCopies);
  await using relay = await startRelay();
  const env = { NOSTR_NSEC: TEST_NSEC, AGENT_NAME: "Test Keeper", NOSTR_RELAY: relay.url };
  const first = await runCli(["--once", "--json"], { cwd: repo, env });
  assertEquals(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  const merged = report.consolidation.merged as Array<{ master: string; members: string[] }>;
  assertEquals(merged.reduce((sum, merge) => sum + merge.members.length, 0), 5000);
  assert(report.publishing.committed && report.publishing.pushed, report.publishing.reason ?? report.error);
  assertEquals((await git(repo, "status", "--porcelain")).trim(), "", "nothing left uncommitted");
  assertEquals(await git(repo, "rev-parse", "HEAD"), await git(repo, "--git-dir", remote, "rev-parse", "main"));

  const announced = await masterEvents(relay.url);
  assertEquals(announced.length, 500, "one event per master, none twice");
  assertEquals(new Set(announced).size, 500);
  assertEquals(new Set(announced), new Set(merged.map((merge) => merge.master.split("/").at(-2))));

  const head = await git(repo, "rev-parse", "HEAD");
  const second = await runCli(["--once", "--json"], { cwd: repo, env });
  assertEquals(second.code, 0, second.stderr);
  const again = JSON.parse(second.stdout);
  assertEquals(again.consolidation.merged, []);
  assertEquals(await git(repo, "rev-parse", "HEAD"), head, "no commit");
  assertEquals((await masterEvents(relay.url)).length, 500, "nothing announced again");
});

/** The `d` tags (master folders) of the long-form events on a relay, one per event. */
async function masterEvents(url: string): Promise<string[]> {
  const reader = nostrRelayClient({
    sign: () => {
      throw new Error("no AUTH expected");
    },
    timeoutMs: 5000,
  });
  try {
    const { events } = await reader.query([{ kinds: [30023], limit: 10_000 }], [url]);
    return events.map((event) => event.tags.find((tag) => tag[0] === "d")?.[1] ?? "");
  } finally {
    reader.close();
  }
}

/** A repository of `count` tools' files, opted in, committed and pushed to a bare remote beside it. */
async function optedInLibrary(
  dir: string,
  count: number,
  filesOf: (i: number) => Record<string, string>,
): Promise<{ repo: string; remote: string }> {
  const repo = join(dir, "repo");
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) Object.assign(files, filesOf(i));
  await writeTree(repo, files);
  await optIn(repo);
  const remote = join(dir, "remote.git");
  await commitRepository(repo, remote);
  return { repo, remote };
}
