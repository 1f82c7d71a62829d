import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { discoverSkills, type DiscoveryOptions } from "../src/discovery/discover.ts";
import { denoFileSystem, type FileSystem } from "../src/fs/file_system.ts";
import { MAX_META_BYTES } from "../src/discovery/read_skill_files.ts";
import type { Diagnostic } from "../src/report.ts";
import { tempDir, writeTree } from "./utils.ts";

const FRONTMATTER = "---\nname: demo\ndescription: A demo skill.\nversion: 1.0.0\n---\n\n# Demo\n\nBody.\n";

function options(repo: string, extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { repo, skillsDir: join(repo, "skills"), ruleSets: ["agentskills", "clawhub"], workers: 0, ...extra };
}

async function discover(files: Record<string, string | Uint8Array>, extra: Partial<DiscoveryOptions> = {}) {
  const dir = await tempDir();
  await writeTree(dir.path, files);
  try {
    return await discoverSkills(denoFileSystem, options(dir.path, extra));
  } finally {
    await dir[Symbol.asyncDispose]();
  }
}

function only(diagnostics: Diagnostic[], rule: string): Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.rule === rule);
}

Deno.test("discovery finds flat files and SKILL.md folders at any depth, and nothing else", async () => {
  const { skills, report } = await discover({
    "skills/flat-one.md": FRONTMATTER.replace("demo", "flat-one"),
    "skills/README.md": "# About these skills\n",
    "skills/demo/SKILL.md": FRONTMATTER,
    "skills/demo/references/guide.md": "# A reference, part of demo\n",
    "skills/demo/README.md": "# Also part of demo\n",
    "skills/owner/grouped/SKILL.md": FRONTMATTER.replace("demo", "grouped"),
    "skills/pack/SKILL.md": FRONTMATTER.replace("demo", "pack"),
    "skills/pack/sub-skill/SKILL.md": FRONTMATTER.replace("demo", "sub-skill"),
    "skills/nested/notes.md": "not a skill: not directly in the skills directory\n",
    "skills/.hidden/SKILL.md": FRONTMATTER,
    "skills/node_modules/x/SKILL.md": FRONTMATTER,
    "skills/.archive/demo/SKILL.md": FRONTMATTER,
    "outside.md": FRONTMATTER,
  });
  assertEquals(skills.map((skill) => [skill.path, skill.layout, skill.slug]), [
    ["skills/demo/SKILL.md", "folder", "demo"],
    ["skills/flat-one.md", "flat", "flat-one"],
    ["skills/owner/grouped/SKILL.md", "folder", "grouped"],
    ["skills/pack/SKILL.md", "folder", "pack"],
    ["skills/pack/sub-skill/SKILL.md", "folder", "sub-skill"],
  ]);
  assertEquals(report.found, 5);
  assertEquals(report.diagnostics, []);
});

Deno.test("discovery skips the archive and state directories it is told to exclude", async () => {
  const dir = await tempDir();
  await writeTree(dir.path, {
    "skills/a/SKILL.md": FRONTMATTER.replace("demo", "a"),
    "skills/old/a/SKILL.md": FRONTMATTER.replace("demo", "a"),
  });
  const { skills } = await discoverSkills(
    denoFileSystem,
    options(dir.path, { exclude: [join(dir.path, "skills", "old")] }),
  );
  assertEquals(skills.map((skill) => skill.path), ["skills/a/SKILL.md"]);
  await dir[Symbol.asyncDispose]();
});

Deno.test("a skill is read into the typed model, with the version and author from _meta.json when missing", async () => {
  const { skills, report } = await discover({
    "skills/weather/SKILL.md": [
      "---",
      "name: weather",
      "description: Forecasts.",
      "license: MIT",
      "category: data",
      "tags: [forecast, api]",
      'metadata: {"openclaw": {"requires": {"bins": ["curl"], "env": ["WEATHER_KEY"]}}}',
      "---",
      "Intro line.",
      "## Usage",
      "```sh",
      "# not a heading",
      "```",
      "### Options",
      "",
    ].join("\n"),
    "skills/weather/_meta.json": JSON.stringify({ owner: "alice", latest: { version: "2.1.0" } }),
  });
  const [skill] = skills;
  assert(skill);
  assertEquals(skill.name, "weather");
  assertEquals(skill.description, "Forecasts.");
  assertEquals(skill.version?.text, "2.1.0");
  assertEquals(skill.version?.source, "_meta.json");
  assertEquals(skill.version?.semver?.minor, 1);
  assertEquals(skill.author, "alice");
  assertEquals(skill.license, "MIT");
  assertEquals(skill.category, "data");
  assertEquals(skill.tags, ["forecast", "api"]);
  assertEquals(skill.openclaw, { requires: { bins: ["curl"], env: ["WEATHER_KEY"] } });
  assertEquals(skill.sections.map((section) => [section.heading, section.level, section.line]), [
    ["", 0, 9],
    ["Usage", 2, 10],
    ["Options", 3, 14],
  ]);
  assertEquals(skill.contentHash.length, 64);
  assertEquals(report.diagnostics, []);
});

Deno.test("a file without frontmatter, or with an unclosed one, is a diagnostic on line 1, not a crash", async () => {
  const { skills, report } = await discover({
    "skills/plain/SKILL.md": "# Just Markdown\n",
    "skills/open/SKILL.md": "---\nname: open\ndescription: never closed\n\n# Body\n",
  });
  assertEquals(skills, []);
  assertEquals(report.found, 2);
  assertEquals(report.parsed, 0);
  assertEquals(report.parseSuccessRate, 0);
  assertEquals(report.diagnostics.map((d) => [d.path, d.line, d.rule, d.severity]), [
    ["skills/open/SKILL.md", 1, "frontmatter/unclosed", "error"],
    ["skills/plain/SKILL.md", 1, "frontmatter/missing", "error"],
  ]);
});

Deno.test("a YAML error carries the line and column in the file, with CRLF and a byte-order mark too", async () => {
  // A broken nested mapping: recovery reads scalars only, so this stays an error.
  const broken = ["---", "name: broken", "metadata:", "  tags: [unclosed", "---", "body"];
  const { report } = await discover({
    "skills/lf/SKILL.md": broken.join("\n"),
    "skills/crlf/SKILL.md": "\uFEFF" + broken.join("\r\n"),
  });
  const errors = only(report.diagnostics, "frontmatter/yaml");
  assertEquals(errors.map((d) => d.path), ["skills/crlf/SKILL.md", "skills/lf/SKILL.md"]);
  for (const error of errors) {
    assertEquals(error.severity, "error");
    assert(error.line !== undefined && error.line >= 3 && error.line <= 5, `line ${error.line}`);
    assert(error.column !== undefined && error.column >= 1);
    assert(error.message.startsWith("the frontmatter is not valid YAML"));
  }
  assertEquals(errors[0]?.line, errors[1]?.line, "CRLF and a BOM do not shift lines");
});

Deno.test("CRLF line ends and a byte-order mark are read like plain LF files", async () => {
  const { skills, report } = await discover({
    "skills/crlf/SKILL.md":
      "\uFEFF---\r\nname: crlf\r\ndescription: Windows.\r\nversion: 1.0.0\r\n---\r\n# Title\r\ntext\r\n",
  });
  assertEquals(report.diagnostics, []);
  assertEquals(skills[0]?.name, "crlf");
  assertEquals(skills[0]?.sections[0], { heading: "Title", level: 1, line: 6, lines: 3 });
});

Deno.test("non-UTF-8 bytes, empty files and huge files are errors naming the problem", async () => {
  const latin1 = new TextEncoder().encode("---\nname: caf");
  const { report } = await discover({
    "skills/latin1/SKILL.md": new Uint8Array([...latin1, 0xe9, 0x0a, ...new TextEncoder().encode("---\n")]),
    "skills/empty/SKILL.md": "",
    "skills/blank/SKILL.md": " \n\r\n\t",
    "skills/huge/SKILL.md": FRONTMATTER + "x".repeat(2000),
  }, { maxFileBytes: 1000 });
  assertEquals(report.diagnostics.map((d) => [d.path, d.rule, d.line]), [
    ["skills/blank/SKILL.md", "file/empty", undefined],
    ["skills/empty/SKILL.md", "file/empty", undefined],
    ["skills/huge/SKILL.md", "file/too-large", undefined],
    ["skills/latin1/SKILL.md", "file/encoding", 2],
  ]);
  assert(report.diagnostics[2]!.message.includes("over 1000 bytes"));
  assert(report.diagnostics[3]!.message.includes("offset 13"));
});

Deno.test("a YAML bomb is refused once alias expansion passes the limit", async () => {
  const bomb = [
    "---",
    "a: &a [x, x, x, x, x, x, x, x, x]",
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "name: bomb",
    "---",
  ].join("\n");
  const { skills, report } = await discover({ "skills/bomb/SKILL.md": bomb });
  assertEquals(skills, []);
  assertEquals(report.diagnostics.map((d) => d.rule), ["frontmatter/alias-limit"]);
});

Deno.test("values of the wrong type are read sensibly and reported at their line", async () => {
  const { skills, report } = await discover({
    "skills/typed/SKILL.md": [
      "---",
      "name: typed",
      "description: Types.",
      "version: 1.0",
      'tags: "a, b ,c"',
      "author: {name: Ann}",
      "category: [x]",
      "metadata: 12",
      "---",
    ].join("\n"),
  });
  const [skill] = skills;
  assertEquals(skill?.version?.text, "1.0");
  assertEquals(skill?.version?.strict, false);
  assertEquals(skill?.version?.semver?.major, 1);
  assertEquals(skill?.tags, ["a", "b", "c"]);
  assertEquals(skill?.author, "Ann");
  assertEquals(skill?.category, undefined);
  assertEquals(skill?.metadata, {});
  const typeDiagnostics = only(report.diagnostics, "field/type").map((d) => [d.line, d.message.split(":")[0]]);
  assertEquals(typeDiagnostics, [[4, "version"], [5, "tags"], [7, "category"], [8, "metadata"]]);
  assertEquals(only(report.diagnostics, "clawhub/version-semver").length, 1);
  assertEquals(skill?.excluded, false, "warnings do not exclude in lenient mode");
});

Deno.test("the frontmatter must be a mapping, and duplicate keys keep the last value with a warning", async () => {
  const { skills, report } = await discover({
    "skills/list/SKILL.md": "---\n- a\n- b\n---\n",
    "skills/scalar/SKILL.md": "---\njust text\n---\n",
    "skills/blank/SKILL.md": "---\n---\nbody\n",
    "skills/dup/SKILL.md": "---\nname: dup\ndescription: one\ndescription: two\nversion: 1.0.0\n---\n",
  });
  assertEquals(skills.map((skill) => [skill.name, skill.description]), [["dup", "two"]]);
  assertEquals(report.diagnostics.map((d) => [d.path, d.rule, d.line]), [
    ["skills/blank/SKILL.md", "frontmatter/empty", 2],
    ["skills/dup/SKILL.md", "frontmatter/duplicate-key", 4],
    ["skills/list/SKILL.md", "frontmatter/not-mapping", 2],
    ["skills/scalar/SKILL.md", "frontmatter/not-mapping", 2],
  ]);
});

Deno.test("lenient mode excludes only skills with neither name nor description; strict mode excludes on any warning", async () => {
  const files = {
    "skills/anonymous/SKILL.md": "---\nversion: 1.0.0\n---\n",
    "skills/no-name/SKILL.md": "---\ndescription: Has one.\nversion: 1.0.0\n---\n",
    "skills/Bad_Name/SKILL.md": "---\nname: Bad_Name\ndescription: x\nversion: 1.0.0\n---\n",
    "skills/clean/SKILL.md": "---\nname: clean\ndescription: Clean.\nversion: 1.0.0\n---\n",
  };
  const lenient = await discover(files);
  assertEquals(lenient.skills.map((skill) => [skill.slug, skill.name, skill.excluded]), [
    ["Bad_Name", "Bad_Name", false],
    ["anonymous", "anonymous", true],
    ["clean", "clean", false],
    ["no-name", "no-name", false],
  ]);
  assertEquals(lenient.report.valid, 3);
  assertEquals(only(lenient.report.diagnostics, "skill/identity")[0]?.severity, "error");
  assertEquals(only(lenient.report.diagnostics, "skill/name-missing")[0]?.severity, "warning");
  const strict = await discover(files, { strict: true });
  assertEquals(strict.skills.filter((skill) => !skill.excluded).map((skill) => skill.slug), ["clean"]);
  assert(strict.report.diagnostics.every((d) => d.severity !== "warning"));
});

Deno.test("each rule set reports its own breaches", async () => {
  const files = {
    "skills/folder-name/SKILL.md": `---\nname: Other_Name\ndescription: ${"d".repeat(1030)}\ncompatibility: ${
      "c".repeat(501)
    }\n---\n`,
  };
  const rules = async (ruleSets: DiscoveryOptions["ruleSets"]) =>
    (await discover(files, { ruleSets })).report.diagnostics.map((d) => d.rule).sort();
  assertEquals(await rules(["agentskills"]), [
    "agentskills/compatibility-length",
    "agentskills/description-length",
    "agentskills/name-folder",
    "agentskills/name-format",
  ]);
  assertEquals(await rules(["clawhub"]), ["clawhub/version-missing"]);
  assertEquals(await rules(["orchestrator"]), [
    "orchestrator/field-missing",
    "orchestrator/field-missing",
    "orchestrator/field-missing",
    "orchestrator/field-missing",
  ]);
});

Deno.test("duplicate names are an info diagnostic on each file, left for clustering", async () => {
  const { report } = await discover({
    "skills/a/SKILL.md": FRONTMATTER,
    "skills/b/SKILL.md": FRONTMATTER,
    "skills/demo.md": FRONTMATTER,
  });
  const duplicates = only(report.diagnostics, "skill/duplicate-name");
  assertEquals(duplicates.map((d) => [d.path, d.severity]), [
    ["skills/a/SKILL.md", "info"],
    ["skills/b/SKILL.md", "info"],
    ["skills/demo.md", "info"],
  ]);
  assert(duplicates[0]!.message.includes("skills/b/SKILL.md, skills/demo.md"));
});

Deno.test("symbolic links are never followed, inside or out of the tree, and a loop cannot form", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, {
    "skills/real/SKILL.md": FRONTMATTER,
    "elsewhere/secret/SKILL.md": FRONTMATTER,
  });
  await Deno.symlink(join(dir.path, "elsewhere", "secret"), join(dir.path, "skills", "escape"));
  await Deno.symlink(join(dir.path, "skills"), join(dir.path, "skills", "real", "loop"));
  await Deno.symlink(join(dir.path, "skills", "real", "SKILL.md"), join(dir.path, "skills", "alias.md"));
  await Deno.symlink(join(dir.path, "nowhere"), join(dir.path, "skills", "dangling.md"));
  const { skills, report } = await discoverSkills(denoFileSystem, options(dir.path));
  assertEquals(skills.map((skill) => skill.path), ["skills/real/SKILL.md"]);
  assertEquals(only(report.diagnostics, "tree/symlink").map((d) => [d.path, d.severity, d.rule]), [
    ["skills/alias.md", "info", "tree/symlink"],
    ["skills/dangling.md", "warning", "tree/symlink"],
    ["skills/escape", "warning", "tree/symlink"],
    ["skills/real/loop", "info", "tree/symlink"],
  ]);
});

Deno.test("directories deeper than the limit are reported, not searched", async () => {
  const deep = Array.from({ length: 14 }, (_, i) => `d${i}`).join("/");
  const { skills, report } = await discover({ [`skills/${deep}/SKILL.md`]: FRONTMATTER });
  assertEquals(skills, []);
  assertEquals(only(report.diagnostics, "tree/depth").length, 1);
});

Deno.test("a malformed _meta.json is a warning and the skill is still read", async () => {
  const { skills, report } = await discover({
    "skills/demo/SKILL.md": FRONTMATTER,
    "skills/demo/_meta.json": "{ not json",
  });
  assertEquals(skills.length, 1);
  assertEquals(only(report.diagnostics, "meta/json")[0]?.severity, "warning");
});

Deno.test("NUL bytes in a skill file are an error at their line and column, and the skill is not merged", async () => {
  const { skills, report } = await discover({
    "skills/binary/SKILL.md": "---\nname: binary\ndescription: x\n---\n\nhé\0llo\n",
    "skills/clean/SKILL.md": FRONTMATTER.replace("demo", "clean"),
  });
  assertEquals(skills.map((skill) => skill.path), ["skills/clean/SKILL.md"]);
  assertEquals(report.diagnostics.map((d) => [d.path, d.line, d.column, d.rule, d.severity]), [
    ["skills/binary/SKILL.md", 6, 3, "file/nul", "error"],
  ]);
});

Deno.test("a FIFO where a skill file would be is reported and never opened; the walk goes on", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { "skills/demo/SKILL.md": FRONTMATTER, "skills/pipe/notes.txt": "x\n" });
  for (const fifo of ["skills/fifo.md", "skills/pipe/SKILL.md"]) {
    await new Deno.Command("mkfifo", { args: [join(dir.path, fifo)] }).output();
  }
  const { skills, report } = await discoverSkills(denoFileSystem, options(dir.path));
  assertEquals(skills.map((skill) => skill.path), ["skills/demo/SKILL.md"]);
  assertEquals(report.diagnostics.map((d) => [d.path, d.rule, d.severity]), [
    ["skills/fifo.md", "tree/special", "warning"],
    ["skills/pipe/SKILL.md", "tree/special", "warning"],
  ]);
});

Deno.test("an entry that cannot be listed or resolved is a diagnostic for that path, never the run's failure", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { "skills/demo/SKILL.md": FRONTMATTER, "skills/locked/x/SKILL.md": FRONTMATTER });
  await Deno.symlink("/etc/passwd", join(dir.path, "skills", "p.md"));
  const locked = join(dir.path, "skills", "locked");
  // What `--allow-read=.` says of a link to /etc/passwd, and what a directory without read permission says.
  const denied: FileSystem = {
    ...denoFileSystem,
    // Workers would read the disk itself, not these answers.
    localDisk: false,
    readDirSync: (path) => {
      if (path === locked) throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
      return denoFileSystem.readDirSync(path);
    },
    realPathSync: (path) => {
      if (path.endsWith("p.md")) throw new Deno.errors.NotCapable('Requires read access to "/etc/passwd"');
      return denoFileSystem.realPathSync(path);
    },
  };
  const { skills, report } = await discoverSkills(denied, options(dir.path));
  assertEquals(skills.map((skill) => skill.path), ["skills/demo/SKILL.md"]);
  assertEquals(report.diagnostics.map((d) => [d.path, d.rule, d.severity]), [
    ["skills/locked", "tree/unreadable", "warning"],
    ["skills/p.md", "tree/symlink", "warning"],
  ]);
});

Deno.test("a _meta.json over 64 KiB is not read: a warning, and the skill is read without it", async () => {
  const { skills, report } = await discover({
    "skills/demo/SKILL.md": FRONTMATTER.replace("version: 1.0.0\n", ""),
    "skills/demo/_meta.json": JSON.stringify({
      owner: "someone",
      latest: { version: "2.0.0" },
      pad: "x".repeat(MAX_META_BYTES),
    }),
  });
  assertEquals(skills[0]?.author, undefined);
  assertEquals(only(report.diagnostics, "meta/json").map((d) => d.message), [
    `the _meta.json beside it cannot be read: it is over ${MAX_META_BYTES} bytes`,
  ]);
});
