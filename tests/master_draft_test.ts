import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { licenceConflict } from "../src/consolidation/licence.ts";
import { draftMaster } from "../src/consolidation/master_draft.ts";
import { masterName, toSlug } from "../src/consolidation/master_name.ts";
import { masterVersion } from "../src/consolidation/master_version.ts";
import { mergeBodies } from "../src/consolidation/merge_bodies.ts";
import { drafted, members } from "./master_fixtures.ts";
import { PROJECT_ROOT } from "./utils.ts";

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

Deno.test("a master of near copies takes the richest member's fields, unions tags, metadata and descriptions, and records every member", async () => {
  const draft = drafted(draftMaster(
    await members({
      "skills/todo/SKILL.md":
        "---\nname: todo\ndescription: Tasks.\nversion: 1.2.0\ntags: [tasks]\nmetadata: {a: 1, shared: x}\n---\n# Todo\n\nLong body with more text than the other: it lists tasks, projects, labels, priorities, due dates, filters and reminders for every list there is. Twice, to be sure.\n",
      "skills/todo-2/SKILL.md":
        "---\nname: todo-list\ndescription: Other.\nversion: 1.10.0\nauthor: bob\ntags: [todo, tasks]\nmetadata: {b: 2, shared: y}\n---\n# Todo\n\nLong body with more text than the other: it lists tasks, projects, labels, priorities, due dates, filters and reminders for every list there is.\n\nShort.\n",
    }),
  ));
  assertEquals(draft.name, "todo");
  // What an agent picks the skill by covers both members.
  assertEquals(draft.frontmatter.description, "Tasks. Other.");
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
  // A near copy (more than 95% of its text already in the base) adds what it has that the base lacks.
  assertEquals(
    draft.body,
    "# Todo\n\nLong body with more text than the other: it lists tasks, projects, labels, priorities, due dates, filters and reminders for every list there is. Twice, to be sure.\n\nShort.\n",
  );
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

/** The five Todoist skills of the corpus: three different CLIs all called `todoist` or `td`. */
async function todoistMembers() {
  const root = join(PROJECT_ROOT, "tests", "fixtures", "todoist");
  const files: Record<string, string> = {};
  for (const author of Deno.readDirSync(root)) {
    if (!author.isDirectory) continue;
    for (const slug of Deno.readDirSync(join(root, author.name))) {
      files[`skills/${author.name}/${slug.name}/SKILL.md`] = Deno.readTextFileSync(
        join(root, author.name, slug.name, "SKILL.md"),
      );
    }
  }
  return await members(files);
}

Deno.test("the Todoist case: one CLI's instructions whole, each other implementation in an attributed section of its own", async () => {
  const todoist = await todoistMembers();
  assertEquals(todoist.length, 5);
  const draft = drafted(draftMaster(todoist));
  const base = todoist.find(({ skill }) => skill.path === draft.base.path)!;
  // The base's body is the master's beginning, whole and in order: nothing of another CLI is mixed into it.
  const [head, ...sections] = draft.body.split(/\n(?=## Alternative: )/);
  const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");
  assertEquals(lines(head!), lines(base.body));
  assertEquals(sections.length, 4);
  for (const member of todoist.filter((member) => member !== base)) {
    const section = sections.find((text) => text.includes(`(${member.skill.path.replace(/\/SKILL\.md$/, "")}`));
    assert(section, `no section for ${member.skill.path}`);
    // Whatever the member taught is in its section: every line of its body, headings moved down.
    for (const line of member.body.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"))) {
      assert(section.includes(line), `${member.skill.path} lost: ${line}`);
    }
  }
  // Requirements stay with their implementation: each other CLI's in its section, none in the master's own gate.
  const gate = JSON.stringify(draft.frontmatter.metadata ?? {});
  for (const member of todoist.filter((member) => member !== base)) {
    const requires = (member.skill.openclaw?.requires ?? {}) as { bins?: string[]; env?: string[] };
    const section = sections.find((text) => text.includes(member.skill.path))!;
    for (const need of [...requires.bins ?? [], ...requires.env ?? []]) {
      assertStringIncludes(section, `\`${need}\``);
      const baseNeeds = JSON.stringify(base.skill.openclaw?.requires ?? {});
      if (!baseNeeds.includes(`"${need}"`)) assert(!gate.includes(`"${need}"`), `${need} gates the master`);
    }
  }
  // What an agent picks it by covers the jobs and triggers of all five, within the AgentSkills limit.
  const description = draft.frontmatter.description as string;
  assert(description.length <= 1024, `${description.length} characters`);
  for (const trigger of ["my tasks", "comments", "reminders", "agenda"]) assertStringIncludes(description, trigger);
});

Deno.test("the newest release of an author's skill is the master's base, and an earlier release's wording does not come back", async () => {
  const body = (trigger: string, extra: string) =>
    `# Voice wake say\n\nWhen the message starts with "${trigger}", answer aloud with \`say\` as well as in text.\n${extra}`;
  const draft = drafted(draftMaster(
    await members({
      "skills/voice-old/SKILL.md":
        `---\nname: voice-wake-say\ndescription: Speak replies.\nversion: 0.1.0\nauthor: xaden\n---\n${
          body("User talked via voice recognition on m3", "\nKeep answers short and plain.\n")
        }`,
      "skills/voice/SKILL.md":
        `---\nname: voice-wake-say\ndescription: Speak replies.\nversion: 1.0.1\nauthor: xaden\n---\n${
          body("User talked via voice recognition", "")
        }`,
    }),
  ));
  assertEquals(draft.base.path, "skills/voice/SKILL.md");
  assert(!draft.body.includes("on m3"), draft.body);
  assertEquals(draft.frontmatter.version, "1.1.0");
});

Deno.test("another author's skill of the same name is never taken for an old release, and copies of one implementation get one section", async () => {
  const other = "# Coding agent\n\nRun every agent with `pty:true`; run `git init` first in a scratch folder.\n";
  const draft = drafted(draftMaster(
    await members({
      "skills/a/coding-agent/SKILL.md":
        "---\nname: coding-agent\ndescription: Run coding agents.\nversion: 2.0.0\nauthor: ann\n---\n# Coding agent\n\nUse `codex exec` in the project folder and check the result with `git diff` before you report back.\n",
      "skills/b/coding-agent/SKILL.md":
        `---\nname: coding-agent\ndescription: Run coding agents.\nversion: 1.0.0\nauthor: bob\n---\n${other}`,
      "skills/c/coding-agent-copy/SKILL.md":
        `---\nname: coding-agent-copy\ndescription: Run coding agents.\nversion: 1.0.0\nauthor: cid\n---\n${other}`,
    }),
  ));
  assertStringIncludes(draft.body, "pty:true");
  assertEquals(draft.body.match(/^## Alternative: /gm)?.length, 1);
  assertStringIncludes(draft.body, "`skills/b/coding-agent/SKILL.md` and `skills/c/coding-agent-copy/SKILL.md`");
});
