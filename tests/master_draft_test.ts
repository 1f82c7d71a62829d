import { assert, assertEquals } from "./assert.ts";
import { licenceConflict } from "../src/consolidation/licence.ts";
import { draftMaster, type MasterDraft, type Member } from "../src/consolidation/master_draft.ts";
import { masterName, toSlug } from "../src/consolidation/master_name.ts";
import { masterVersion } from "../src/consolidation/master_version.ts";
import { mergeBodies } from "../src/consolidation/merge_bodies.ts";
import { parseFrontmatter } from "../src/discovery/frontmatter.ts";
import { discoverTree } from "./utils.ts";

Deno.test("the master's version is the highest by semver, not string order, bumped by what changed", () => {
  assertEquals(masterVersion(["1.9.0", "1.10.0"], "combined"), "1.11.0");
  assertEquals(masterVersion(["1.9.0", "1.10.0"], "identical"), "1.10.1");
  assertEquals(masterVersion([undefined, undefined], "identical"), "0.0.1");
  assertEquals(masterVersion(["1.0", "v0.9.3"], "combined"), "1.1.0");
  assertEquals(masterVersion(["2.0.0-rc.1", "1.5.0"], "combined"), "2.0.0");
  assertEquals(masterVersion(["not a version", "0.2.0"], "combined"), "0.3.0");
});

Deno.test("the master's name is the best-supported member name as a valid slug, never a _Master suffix", () => {
  assertEquals(
    masterName([{ name: "qmd", slug: "qmd", size: 10 }, { name: "qmd", slug: "qmd-local-search", size: 10 }]),
    "qmd",
  );
  assertEquals(
    masterName([{ name: "Solana Trader", slug: "solana-trader-v2", size: 5 }, {
      name: "solana-trader",
      slug: "solana-trader",
      size: 3,
    }]),
    "solana-trader",
  );
  assertEquals(
    masterName([{ name: "tiny", slug: "tiny", size: 10 }, { name: "huge", slug: "huge", size: 900 }]),
    "huge",
    "ties of equal length go to the larger member",
  );
  assertEquals(
    masterName([{ name: "todo-v2", slug: "todo-v2", size: 900 }, { name: "todo", slug: "todo", size: 10 }]),
    "todo",
    "otherwise to the shorter name",
  );
  assertEquals(
    masterName([{ name: "keep-me", slug: "keep-me", size: 1, master: true }, { name: "x", slug: "x", size: 99 }]),
    "keep-me",
  );
  assertEquals(toSlug("Ünïcode  Name__Master!!"), "unicode-name-master");
  assertEquals(toSlug("!!!"), "skill");
});

Deno.test("bodies merge section by section: base first, new blocks and sections added once, code kept whole", () => {
  const base = "Intro.\n\n## Setup\n\nInstall it.\n\n```sh\nnpm i x\n\nnpm test\n```\n\n## Usage\n\nRun x.\n";
  const other =
    "Intro.\n\n## setup\n\nInstall it.\n\nSet X_TOKEN first.\n\n## Troubleshooting\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
  assertEquals(
    mergeBodies([base, other]),
    "Intro.\n\n## Setup\n\nInstall it.\n\n```sh\nnpm i x\n\nnpm test\n```\n\nSet X_TOKEN first.\n\n## Usage\n\nRun x.\n\n" +
      "## Troubleshooting\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
  );
  assertEquals(mergeBodies([base, base, base]), base, "identical members give exactly one copy");
  assertEquals(
    mergeBodies([
      "## A\n\nThe quick brown fox jumps over the lazy dog today.\n",
      "## A\n\nThe quick brown fox jumps over the lazy dog.\n",
    ]),
    "## A\n\nThe quick brown fox jumps over the lazy dog today.\n",
    "a near-duplicate paragraph is dropped",
  );
  assertEquals(mergeBodies(["a\r\n\r\nb\r\n", "c\n"]), "a\n\nb\n\nc\n");
});

Deno.test("licences: the same or none merge; different ones, or one against a text with its own terms, do not", () => {
  const member = (path: string, license: string | undefined, body = "") => ({ path, license, body });
  assertEquals(licenceConflict([member("a", "MIT"), member("b", "mit")]), undefined);
  assertEquals(licenceConflict([member("a", undefined), member("b", undefined)]), undefined);
  assertEquals(licenceConflict([member("a", "MIT"), member("b", undefined, "Just a skill.")]), undefined);
  assert(licenceConflict([member("a", "MIT"), member("b", "Apache-2.0")])?.includes("mit (a) / apache-2.0 (b)"));
  assert(licenceConflict([member("a", "MIT"), member("b", undefined, "Copyright (c) 2025 X. All rights reserved.")]));
});

async function members(files: Record<string, string>): Promise<Member[]> {
  const skills = await discoverTree(files);
  return skills.map((skill) => ({ skill, body: parseFrontmatter(files[skill.path]!).body }));
}

function drafted(result: ReturnType<typeof draftMaster>): MasterDraft {
  assert(!("refused" in result), "refused" in result ? result.refused : "");
  return result as MasterDraft;
}

Deno.test("a master takes the richest member's fields, unions tags and metadata, and records every member", async () => {
  const draft = drafted(draftMaster(
    await members({
      "skills/todo/SKILL.md":
        "---\nname: todo\ndescription: Tasks.\nversion: 1.2.0\ntags: [tasks]\nmetadata: {a: 1, shared: x}\n---\n# Todo\n\nLong body with more text than the other.\n",
      "skills/todo-2/SKILL.md":
        "---\nname: todo\ndescription: Other.\nversion: 1.10.0\nauthor: bob\ntags: [todo, tasks]\nmetadata: {b: 2, shared: y}\n---\n# Todo\n\nShort.\n",
    }),
  ));
  assertEquals(draft.name, "todo");
  assertEquals(draft.frontmatter.description, "Tasks.");
  assertEquals(draft.frontmatter.version, "1.11.0");
  assertEquals(draft.frontmatter.tags, ["tasks", "todo"]);
  assertEquals(draft.frontmatter.metadata, { a: 1, shared: "x", b: 2 });
  assertEquals(draft.frontmatter.author, "bob");
  assertEquals(draft.conflicts, ['metadata.shared: kept "x", not "y" from skills/todo-2/SKILL.md']);
  const provenance = draft.frontmatter.merged_from as Array<Record<string, string>>;
  assertEquals(provenance.map((entry) => [entry.path, entry.version]), [
    ["skills/todo/SKILL.md", "1.2.0"],
    ["skills/todo-2/SKILL.md", "1.10.0"],
  ]);
  assert(provenance.every((entry) => entry.hash?.length === 64));
  assertEquals(draft.body, "# Todo\n\nLong body with more text than the other.\n\nShort.\n");
});

Deno.test("a cluster holding an earlier master updates it: its name stays, its provenance grows", async () => {
  const master =
    "---\nname: linear\ndescription: Linear.\nversion: 2.1.0\nmerged_from:\n  - name: linear-old\n    path: skills/linear-old/SKILL.md\n    hash: " +
    "a".repeat(64) + "\n---\n# Linear\n\nShort master.\n";
  const draft = drafted(draftMaster(
    await members({
      "skills/linear/SKILL.md": master,
      "skills/linear-new/SKILL.md":
        "---\nname: linear-new\ndescription: A newcomer with a much longer body.\nversion: 2.0.0\n---\n# Linear\n\nA newcomer paragraph that is much longer than the master's own text.\n",
    }),
  ));
  assertEquals(draft.base.path, "skills/linear/SKILL.md");
  assertEquals(draft.name, "linear");
  assertEquals(draft.frontmatter.version, "2.2.0");
  const provenance = draft.frontmatter.merged_from as Array<Record<string, string>>;
  assertEquals(provenance.map((entry) => entry.path), ["skills/linear-old/SKILL.md", "skills/linear-new/SKILL.md"]);
  assertEquals(draft.merged.map((skill) => skill.path), ["skills/linear-new/SKILL.md"]);
});

Deno.test("members whose licences differ are refused, with the reason", async () => {
  const result = draftMaster(
    await members({
      "skills/a/SKILL.md": "---\nname: a\ndescription: A.\nlicense: MIT\n---\nBody.\n",
      "skills/b/SKILL.md": "---\nname: a\ndescription: A.\nlicense: GPL-3.0\n---\nBody.\n",
    }),
  );
  assert("refused" in result && result.refused.startsWith("licences differ"));
});
