import { join } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { recoverConsolidation } from "../src/consolidation/apply.ts";
import { testConfig } from "./options.ts";
import { BUNDLED_MODEL_DIR, identifyModel, loadEmbedder } from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { localRepositoryWriter, OutsideRepositoryError } from "../src/fs/repository_writer.ts";
import { runPipeline } from "../src/pipeline.ts";
import type { RunReport } from "../src/report.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { hasShared, PROJECT_ROOT, SHARED, tempDir, treeSnapshot, writeTree } from "./utils.ts";

const embedder = { model: await identifyModel(BUNDLED_MODEL_DIR), load: () => loadEmbedder({ workers: 0 }) };

const snapshot = treeSnapshot;

/** Runs the heartbeat's pipeline once over `repo`. */
async function heartbeat(repo: string, dryRun = false, pinned?: string[]): Promise<RunReport> {
  const config = testConfig(repo, pinned ? { settings: { pinned } } : {});
  using store = await KvStateStore.open(":memory:");
  return await runPipeline(
    { store, clock: { now: () => new Date() }, fs: denoFileSystem, embedder, repository: localRepositoryWriter(repo) },
    { config, dryRun, commit: false, push: false, version: "0.0.0-test" },
  );
}

const skill = (name: string, body: string, extra = "") =>
  `---\nname: ${name}\ndescription: The ${name} skill.\n${extra}---\n\n${body}\n`;
const ALPHA =
  "# Alpha\n\nRun scripts/run.sh to fetch alpha data from the alpha service.\n\n## Usage\n\nalpha fetch --all";

/** A repository with copies in both layouts, supporting files, and an unrelated skill. */
const FIXTURE: Record<string, string> = {
  "skills/alpha/SKILL.md": skill("alpha", ALPHA, "version: 1.2.0\n"),
  "skills/alpha/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  "skills/alpha-copy/SKILL.md": skill("alpha-copy", ALPHA, "version: 1.10.0\n"),
  "skills/alpha-copy/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  "skills/alpha-copy/references/notes.md": "# Notes\n\nExtra notes only the copy has.\n",
  "skills/alpha-copy/_meta.json": '{"owner": "someone", "latest": {"version": "1.10.0"}}',
  "skills/beta.md": skill("beta", "# Beta\n\nBeta converts gamma rays into delta files with betactl."),
  "skills/beta-old.md": skill(
    "beta",
    "# Beta\n\nBeta converts gamma rays into delta files with betactl.",
    "version: 0.9.0\n",
  ),
  "skills/delta/SKILL.md": skill("delta", "# Delta\n\nDelta syncs epsilon buckets with deltasync."),
  "skills/delta/scripts/x.sh": "echo one\n",
  "skills/delta-two/SKILL.md": skill("delta", "# Delta\n\nDelta syncs epsilon buckets with deltasync."),
  "skills/delta-two/scripts/x.sh": "echo two\n",
  "skills/unrelated.md": skill("unrelated", "# Weather\n\nForecasts for any city."),
};

Deno.test("consolidation merges each cluster into a master, archives every original, and a second run changes nothing", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, FIXTURE);
  const before = snapshot(repo.path);
  const report = await heartbeat(repo.path);
  assertEquals(report.status, "ok", report.error);
  assertEquals(report.consolidation.merged.map((m) => m.master).sort(), [
    "skills/alpha/SKILL.md",
    "skills/beta.md",
    "skills/delta/SKILL.md",
  ]);
  const after = snapshot(repo.path);
  const present = new Set(Object.values(after));
  for (const [path, hash] of Object.entries(before)) assert(present.has(hash), `${path} was lost`);
  // The folder layout keeps supporting files; the copy's extra reference is carried over.
  assertEquals(after["skills/alpha/scripts/run.sh"], before["skills/alpha/scripts/run.sh"]);
  assertEquals(after["skills/alpha/references/notes.md"], before["skills/alpha-copy/references/notes.md"]);
  assertEquals(after["skills/alpha-copy/SKILL.md"], undefined);
  // A conflicting supporting file is reported and not overwritten; its copy is in the archive.
  assertEquals(after["skills/delta/scripts/x.sh"], before["skills/delta/scripts/x.sh"]);
  assertEquals(after[".archive/delta-two/scripts/x.sh"], before["skills/delta-two/scripts/x.sh"]);
  const delta = report.consolidation.merged.find((m) => m.master === "skills/delta/SKILL.md")!;
  assert(delta.conflicts.some((conflict) => conflict.includes("skills/delta-two/scripts/x.sh")));
  // The master's frontmatter: a valid name, the highest version bumped, provenance of every member.
  const master = parse(
    /^---\n([\s\S]*?)\n---/.exec(Deno.readTextFileSync(join(repo.path, "skills/alpha/SKILL.md")))![1]!,
  );
  assertEquals(master.name, "alpha");
  assertEquals(master.version, "1.10.1");
  assertEquals(master.merged_from.map((entry: { path: string }) => entry.path).sort(), [
    "skills/alpha-copy/SKILL.md",
    "skills/alpha/SKILL.md",
  ]);
  const index = JSON.parse(Deno.readTextFileSync(join(repo.path, ".archive/index.json")));
  assert(
    index.some((entry: { original: string; master: string }) =>
      entry.original === "skills/beta-old.md" && entry.master === "skills/beta.md"
    ),
  );
  const second = await heartbeat(repo.path);
  assertEquals(second.consolidation.merged, []);
  assertEquals(snapshot(repo.path), after);
});

Deno.test("a dry run reports every planned write with a diff, and changes nothing", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, FIXTURE);
  const before = snapshot(repo.path);
  const report = await heartbeat(repo.path, true);
  assertEquals(report.consolidation.merged.length, 3);
  assert(report.consolidation.archived.length > 0 && report.consolidation.removed.length > 0);
  const alpha = report.consolidation.merged.find((m) => m.master === "skills/alpha/SKILL.md")!;
  assert(alpha.diff?.includes("+merged_from:"), alpha.diff);
  assertEquals(snapshot(repo.path), before);
});

Deno.test("a cluster whose licences differ is reported, not merged", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, {
    "skills/a/SKILL.md": skill("tool", "# Tool\n\nThe same tool text here.", "license: MIT\n"),
    "skills/b/SKILL.md": skill("tool", "# Tool\n\nThe same tool text here.", "license: GPL-3.0\n"),
  });
  const before = snapshot(repo.path);
  const report = await heartbeat(repo.path);
  assertEquals(report.consolidation.merged, []);
  assert(report.consolidation.refused[0]?.reason.startsWith("licences differ"));
  assertEquals(snapshot(repo.path), before);
});

Deno.test("an archive name already taken gets a ~2 suffix; nothing in the archive is overwritten", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, {
    ".archive/beta-old.md": "an older archive entry\n",
    "skills/beta.md": FIXTURE["skills/beta.md"]!,
    "skills/beta-old.md": FIXTURE["skills/beta-old.md"]!,
  });
  await heartbeat(repo.path);
  assertEquals(Deno.readTextFileSync(join(repo.path, ".archive/beta-old.md")), "an older archive entry\n");
  assertEquals(Deno.readTextFileSync(join(repo.path, ".archive/beta-old~2.md")), FIXTURE["skills/beta-old.md"]);
});

Deno.test("the repository writer refuses any path outside the repository", () => {
  const writer = localRepositoryWriter(PROJECT_ROOT);
  for (const path of ["../outside.md", "/etc/passwd", "skills/../../x"]) {
    assertThrows(() => writer.write(path, new Uint8Array()), OutsideRepositoryError);
  }
});

Deno.test("consolidation killed with SIGKILL at any point is completed by the next start, losing and doubling nothing", async () => {
  const script = join(PROJECT_ROOT, "tests/fixtures/consolidate_until.ts");
  const run = async (repo: string, crash: string[] = []) =>
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, repo, join(repo, ".heartbeat"), ...crash],
      stdout: "piped",
      stderr: "piped",
    }).output();
  await using reference = await tempDir();
  await writeTree(reference.path, FIXTURE);
  const completed = await run(reference.path);
  assert(completed.success, new TextDecoder().decode(completed.stderr));
  const expected = snapshot(reference.path);
  let crashes = 0;
  for (let operation = 0;; operation++) {
    const stages = operation % 3 === 0 ? ["applied", "recorded"] : [operation % 2 === 0 ? "recorded" : "applied"];
    let finished = false;
    for (const stage of stages) {
      await using repo = await tempDir();
      await writeTree(repo.path, FIXTURE);
      const output = await run(repo.path, [String(operation), stage]);
      if (output.success) {
        finished = true; // There are fewer operations than that: every point was covered.
        break;
      }
      assertEquals(output.signal, "SIGKILL", new TextDecoder().decode(output.stderr));
      crashes++;
      assert(
        recoverConsolidation(localRepositoryWriter(repo.path), join(repo.path, ".heartbeat")) > 0 ||
          stage === "recorded",
      );
      assertEquals(snapshot(repo.path), expected, `after a crash at operation ${operation}, ${stage}`);
    }
    if (finished) break;
  }
  assert(crashes >= 20, `only ${crashes} crash points`);
});

Deno.test("the folder layout wins over a flat file: a mixed cluster's master is a folder skill", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, {
    "skills/gamma.md": skill("gamma", "# Gamma\n\nGamma renders zeta charts with gammaplot."),
    "skills/gamma-tool/SKILL.md": skill("gamma", "# Gamma\n\nGamma renders zeta charts with gammaplot."),
  });
  const report = await heartbeat(repo.path);
  assertEquals(report.consolidation.merged.map((m) => m.master), ["skills/gamma/SKILL.md"]);
  assertEquals(Object.keys(snapshot(repo.path)).filter((path) => path.startsWith("skills/")), [
    "skills/gamma/SKILL.md",
  ]);
});

Deno.test("a newcomer joins an earlier master in place: version bumped, provenance appended, old version archived", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, {
    "skills/beta.md": FIXTURE["skills/beta.md"]!,
    "skills/beta-old.md": FIXTURE["skills/beta-old.md"]!,
  });
  await heartbeat(repo.path);
  const first = parse(/^---\n([\s\S]*?)\n---/.exec(Deno.readTextFileSync(join(repo.path, "skills/beta.md")))![1]!);
  await writeTree(repo.path, {
    "skills/beta-new.md": skill(
      "beta",
      "# Beta\n\nBeta converts gamma rays into delta files with betactl.",
      "version: 2.0.0\n",
    ),
  });
  const report = await heartbeat(repo.path);
  assertEquals(report.consolidation.merged.map((m) => [m.master, m.absorbed]), [["skills/beta.md", true]]);
  const updated = parse(/^---\n([\s\S]*?)\n---/.exec(Deno.readTextFileSync(join(repo.path, "skills/beta.md")))![1]!);
  assertEquals(updated.version, "2.0.1");
  assertEquals(updated.merged_from.map((e: { path: string }) => e.path), [
    ...first.merged_from.map((e: { path: string }) => e.path),
    "skills/beta-new.md",
  ]);
  const index = JSON.parse(Deno.readTextFileSync(join(repo.path, ".archive/index.json")));
  assert(
    index.some((entry: { original: string; previousMaster?: boolean }) =>
      entry.original === "skills/beta.md" && entry.previousMaster
    ),
  );
});

const haveShared = hasShared("the corpus consolidation test");

Deno.test({
  name:
    "consolidating the corpus loses no file, names every merged original, a second run changes nothing, and pinned skills stay untouched",
  ignore: !haveShared,
  fn: async () => {
    await using repo = await tempDir();
    await new Deno.Command("cp", {
      args: ["-r", join(SHARED, "corpora/openclaw-skills/skills"), join(repo.path, "skills")],
    })
      .output();
    await new Deno.Command("chmod", { args: ["-R", "u+w", repo.path] }).output();
    const before = snapshot(repo.path);
    const report = await heartbeat(repo.path);
    assertEquals(report.status, "ok", report.error);
    assert(report.consolidation.merged.length > 150, `${report.consolidation.merged.length} masters`);
    const after = snapshot(repo.path);
    const present = new Set(Object.values(after));
    assertEquals(Object.entries(before).filter(([, hash]) => !present.has(hash)), [], "lost files");
    const named = new Set<string>();
    for (const path of Object.keys(after).filter((p) => p.startsWith("skills/") && p.endsWith(".md"))) {
      const text = Deno.readTextFileSync(join(repo.path, path));
      if (!text.includes("merged_from:")) continue;
      const data = parse(/^---\n([\s\S]*?)\n---/.exec(text)![1]!);
      for (const entry of data.merged_from) named.add(entry.hash);
    }
    const index = JSON.parse(Deno.readTextFileSync(join(repo.path, ".archive/index.json")));
    assertEquals(index.filter((entry: { hash?: string }) => entry.hash && !named.has(entry.hash)), []);
    const second = await heartbeat(repo.path);
    assertEquals(second.consolidation.merged, []);
    assertEquals(snapshot(repo.path), after);

    // Pinned by name, skills that merged above are left alone through a whole corpus run.
    const pins = ["qmd", "agent-browser", "n8n"];
    await using pinnedRepo = await tempDir();
    await new Deno.Command("cp", {
      args: ["-r", join(SHARED, "corpora/openclaw-skills/skills"), join(pinnedRepo.path, "skills")],
    }).output();
    await new Deno.Command("chmod", { args: ["-R", "u+w", pinnedRepo.path] }).output();
    const untouched = snapshot(pinnedRepo.path);
    const pinnedRun = await heartbeat(pinnedRepo.path, false, pins);
    assertEquals(pinnedRun.status, "ok", pinnedRun.error);
    const pinned = pinnedRun.discovery.pinned ?? [];
    const mergedUnpinned = new Set(report.consolidation.merged.flatMap((merge) => merge.members));
    assert(
      pinned.filter((path) => mergedUnpinned.has(path)).length >= 3,
      `pinned skills that merge unpinned: ${pinned}`,
    );
    const merged = new Set(pinnedRun.consolidation.merged.flatMap((merge) => merge.members));
    const tree = snapshot(pinnedRepo.path);
    for (const path of pinned) {
      assert(!merged.has(path), `${path} merged though pinned`);
      assertEquals(tree[path], untouched[path], `${path} changed though pinned`);
    }
  },
});

Deno.test("frontmatter and metadata keys named like Object.prototype members survive a merge", async () => {
  await using repo = await tempDir();
  const extra = "constructor: builds things\ntoString: plain\n__proto__: kept\n" +
    "metadata:\n  constructor: meta\n  hasOwnProperty: yes\n  valueOf: {deep: 1}\n";
  await writeTree(repo.path, {
    "skills/beta.md": skill("beta", "# Beta\n\nBeta converts gamma rays into delta files with betactl.", extra),
    "skills/beta-old.md": skill("beta", "# Beta\n\nBeta converts gamma rays into delta files with betactl."),
  });
  const report = await heartbeat(repo.path);
  assertEquals(report.consolidation.merged.length, 1, report.error);
  const text = Deno.readTextFileSync(join(repo.path, report.consolidation.merged[0]!.master));
  const frontmatter = parse(text.split("---\n")[1]!);
  assertEquals(
    [frontmatter.constructor, frontmatter.toString, Object.getOwnPropertyDescriptor(frontmatter, "__proto__")?.value],
    ["builds things", "plain", "kept"],
  );
  assertEquals(frontmatter.metadata, { constructor: "meta", hasOwnProperty: "yes", valueOf: { deep: 1 } });
});

Deno.test("an archive index that is not a list of entries stops consolidation before anything moves", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, { ...FIXTURE, ".archive/index.json": "{ not json" });
  const before = snapshot(repo.path);
  const report = await heartbeat(repo.path);
  assertEquals([report.status, report.consolidation.status], ["failed", "failed"]);
  assertEquals(report.error, "consolidation: The archive index .archive/index.json is not valid JSON");
  assertEquals(snapshot(repo.path), before, "nothing moved");
});

Deno.test("an interrupted consolidation that cannot be completed fails the run with its reason, and nothing else runs", async () => {
  await using repo = await tempDir();
  await writeTree(repo.path, FIXTURE);
  const operations = [{ kind: "archive", from: "skills/gone.md", to: ".archive/gone.md" }];
  await writeTree(repo.path, {
    ".heartbeat/consolidation-journal.json": JSON.stringify({ indexPath: ".archive/index.json", operations }),
  });
  const report = await heartbeat(repo.path);
  assertEquals(report.status, "failed");
  assertEquals(
    report.error,
    "consolidation: an interrupted consolidation could not be completed: Neither skills/gone.md nor .archive/gone.md exists",
  );
  for (const phase of ["discovery", "consolidation", "broadcasting"] as const) {
    assertEquals([report[phase].status, report[phase].reason], ["skipped", report.error], phase);
  }
});
