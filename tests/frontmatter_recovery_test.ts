import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { parseFrontmatter } from "../src/discovery/frontmatter.ts";
import { repairFrontmatter } from "../src/cli/fix.ts";
import { runCli, tempRepo, writeTree } from "./utils.ts";

const read = (yaml: string) => parseFrontmatter(`---\n${yaml}---\n\n# Body\n`);

Deno.test("each common breakage is recovered with a warning naming the fix, and the values are the text as written", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "name: a\ndescription: | Use when the user asks\n  for tasks and lists.\n",
      { name: "a", description: "Use when the user asks\nfor tasks and lists." },
      "text after a block indicator on the same line",
    ],
    [
      "name: b\ndescription: > Folded text\n  on two lines.\n",
      { name: "b", description: "Folded text on two lines." },
      "text after a block indicator on the same line",
    ],
    [
      "name: c\ndescription: Use when: (1) creating tasks, (2) listing them\n",
      { name: "c", description: "Use when: (1) creating tasks, (2) listing them" },
      "an unquoted ': ' inside a plain value",
    ],
    [
      "name: d\ndescription: **Bold**: a value starting with a reserved character\n",
      { name: "d", description: "**Bold**: a value starting with a reserved character" },
      "a value starting with a reserved character",
    ],
    [
      "name: e\nargument-hint: [date] [duration]\n",
      { name: "e", "argument-hint": "[date] [duration]" },
      "a value starting with a reserved character",
    ],
  ];
  for (const [yaml, expected, fix] of cases) {
    const { data, diagnostics } = read(yaml);
    assertEquals(data, expected, yaml);
    const recovered = diagnostics.filter((d) => d.rule === "frontmatter/recovered");
    assertEquals(recovered.length, 1, yaml);
    assertEquals(recovered[0]!.severity, "warning");
    assertEquals(recovered[0]!.line, 3);
    assertStringIncludes(recovered[0]!.message, fix);
  }
});

Deno.test("recovery never invents or drops a field: a broken nested mapping or a stray line stays an error", () => {
  for (
    const yaml of [
      "name: a\nmetadata:\n  clawdbot: {emoji: x\n  other: [1\n",
      "<<<<<<< Updated upstream\nname: a\n=======\n",
      "name: a\nstray text that is no key\ndescription: ok: yes\n",
    ]
  ) {
    const { data, diagnostics } = read(yaml);
    assertEquals(data, undefined, yaml);
    assert(diagnostics.some((d) => d.rule === "frontmatter/yaml"), yaml);
  }
  // Valid YAML is read as ever, with no warning.
  assertEquals(read("name: a\ndescription: 'Use when: quoted'\n").diagnostics, []);
});

Deno.test("heartbeat fix shows the diff, and --write rewrites only the frontmatter: the body stays byte for byte", async () => {
  await using repo = await tempRepo();
  const body = "\r\n# Tasks\r\n\r\nKeep this body: exactly, with CRLF.\r\n";
  const file = `---\r\nname: tasks\r\ndescription: Use when: the user asks\r\n---${body}`;
  await writeTree(repo.path, { "skills/tasks/SKILL.md": file });
  assertEquals(
    repairFrontmatter(file),
    `---\r\nname: tasks\r\ndescription: "Use when: the user asks"\r\n---${body}`,
  );
  const shown = await runCli(["fix"], { cwd: repo.path });
  assertEquals(shown.code, 0, shown.stderr);
  assertStringIncludes(shown.stdout, '+description: "Use when: the user asks"');
  assertStringIncludes(shown.stdout, "1 files would be fixed");
  assertEquals(Deno.readTextFileSync(join(repo.path, "skills/tasks/SKILL.md")), file);
  const written = await runCli(["fix", "--write"], { cwd: repo.path });
  assertEquals(written.code, 0, written.stderr);
  const after = Deno.readTextFileSync(join(repo.path, "skills/tasks/SKILL.md"));
  assert(after.endsWith(`---${body}`), "the body is untouched");
  const { data, diagnostics } = parseFrontmatter(after);
  assertEquals([data?.description, diagnostics], ["Use when: the user asks", []]);
  assertStringIncludes((await runCli(["fix"], { cwd: repo.path })).stdout, "No frontmatter needs fixing.");
});
