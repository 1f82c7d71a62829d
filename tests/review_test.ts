import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { commitRepository, optIn, runCli, tempDir, writeTree } from "./utils.ts";
import { BACKGROUND, ONE_CLUE } from "./fixtures/libraries.ts";

/** A git repository holding the background skills and one pair proposed for review. */
async function repositoryWithProposal(): Promise<AsyncDisposable & { path: string }> {
  const repo = await tempDir();
  await writeTree(repo.path, { ...BACKGROUND, ...ONE_CLUE });
  await optIn(repo.path);
  await commitRepository(repo.path);
  return repo;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd, stderr: "null" }).output();
  return new TextDecoder().decode(output.stdout);
}

async function proposals(
  cwd: string,
): Promise<Array<{ id: string; members: string[]; parts: string[][]; reasons: string[]; preview: string }>> {
  const review = await runCli(["review", "--json"], { cwd });
  assertEquals(review.code, 0, review.stderr);
  return JSON.parse(review.stdout).proposals;
}

async function run(cwd: string) {
  const result = await runCli(["--once", "--no-push", "--json"], { cwd });
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const PAIR = ["skills/gemini-picture-maker/SKILL.md", "skills/picture-maker/SKILL.md"];

Deno.test("review shows a proposal's parts, evidence and master; only an approval makes a run merge it, and the decision is committed", async () => {
  await using repo = await repositoryWithProposal();
  const [proposal, ...others] = await proposals(repo.path);
  assertEquals(others, []);
  assertEquals(proposal!.members, PAIR);
  assertEquals(proposal!.parts, PAIR.map((path) => [path]));
  assertEquals(proposal!.reasons, ["same tool but gemini is one's only: gemini"]);
  assertStringIncludes(proposal!.preview, "+merged_from:");
  const listing = await runCli(["review"], { cwd: repo.path });
  assertStringIncludes(listing.stdout, `${proposal!.id}  2 skills`);
  assertStringIncludes(listing.stdout, "clawstr-heartbeat approve ID");

  // Unattended, the heartbeat leaves it alone.
  const unattended = await run(repo.path);
  assertEquals(unattended.consolidation.merged, []);
  assertEquals(
    unattended.clusters.filter((cluster: { action: string }) => cluster.action === "review").map((c: { id: string }) =>
      c.id
    ),
    [proposal!.id],
  );

  const approved = await runCli(["approve", proposal!.id], { cwd: repo.path });
  assertEquals(approved.code, 0, approved.stderr);
  assertStringIncludes(approved.stdout, `Approved ${proposal!.id}: the next run merges`);
  const decisions = JSON.parse(Deno.readTextFileSync(join(repo.path, ".archive", "decisions.json"))).decisions;
  assertEquals(decisions.map((d: { id: string; decision: string }) => [d.id, d.decision]), [[
    proposal!.id,
    "approved",
  ]]);
  assertEquals(await proposals(repo.path), []);

  const merged = await run(repo.path);
  assertEquals(merged.consolidation.merged.map((merge: { members: string[] }) => merge.members.sort()), [PAIR]);
  assert(merged.publishing.committed, merged.publishing.reason);
  const committed = (await git(repo.path, "show", "--name-only", "--format=", "HEAD")).split("\n");
  assert(committed.includes(".archive/decisions.json"), committed.join(", "));
});

Deno.test("a rejected proposal is never proposed or merged again, even once the state directory is lost", async () => {
  await using repo = await repositoryWithProposal();
  const [proposal] = await proposals(repo.path);
  const rejected = await runCli(["reject", proposal!.id], { cwd: repo.path });
  assertEquals(rejected.code, 0, rejected.stderr);
  assertStringIncludes(rejected.stdout, `Rejected ${proposal!.id}`);
  const first = await run(repo.path);
  assertEquals(first.consolidation.merged, []);
  assertEquals(first.clusters.filter((cluster: { action: string }) => cluster.action === "review"), []);
  // The decision lives in the repository, committed by that run: losing the state changes nothing.
  assert((await git(repo.path, "show", "--name-only", "--format=", "HEAD")).includes(".archive/decisions.json"));
  await Deno.remove(join(repo.path, ".heartbeat"), { recursive: true });
  assertEquals(await proposals(repo.path), []);
  assertEquals((await run(repo.path)).consolidation.merged, []);
});

Deno.test("deciding an id that no proposal has exits 1 and writes nothing; a malformed id is a usage error", async () => {
  await using repo = await repositoryWithProposal();
  const unknown = await runCli(["approve", "r00000000"], { cwd: repo.path });
  assertEquals(unknown.code, 1);
  assertStringIncludes(unknown.stderr, "no proposal r00000000 waits for review");
  assertEquals(await git(repo.path, "status", "--porcelain", "--", ".archive"), "");
  const malformed = await runCli(["reject", "42"], { cwd: repo.path });
  assertEquals(malformed.code, 2);
  assertStringIncludes(
    malformed.stderr,
    'reject takes one proposal id, like r3f9a2c1b (clawstr-heartbeat review lists them), not "42"',
  );
});

Deno.test("a decisions file that is not decisions stops the run before anything merges, naming the file", async () => {
  await using repo = await repositoryWithProposal();
  await writeTree(repo.path, { ".archive/decisions.json": "{ not json" });
  const result = await runCli(["--once", "--no-push", "--json"], { cwd: repo.path });
  assertEquals(result.code, 1);
  const report = JSON.parse(result.stdout);
  assertStringIncludes(report.error, "The review decisions .archive/decisions.json are not valid JSON");
  assertEquals(report.consolidation.merged, []);
});
