import { join } from "node:path";
import { parse } from "yaml";
import { assert, assertEquals } from "./assert.ts";
import { BREAKAGES, generateLibrary, generateRegistry } from "../bench/generate_library.ts";
import { hasShared, SHARED, tempDir } from "./utils.ts";

const CORPUS = join(SHARED, "corpora", "openclaw-skills", "skills");
const haveCorpus = hasShared("the registry generator test");
const CLOSED_FRONTMATTER = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

/** Every file under `dir`, by path, with its text. */
function readTree(dir: string, prefix = ""): [string, string][] {
  return [...Deno.readDirSync(join(dir, prefix))].sort((a, b) => a.name < b.name ? -1 : 1).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory
      ? readTree(dir, path)
      : [[path, Deno.readTextFileSync(join(dir, path))] as [string, string]];
  });
}

function tally(values: string[]): Map<string, number> {
  return values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<string, number>());
}

function isSame(a: [string, string][], b: [string, string][]): boolean {
  return a.length === b.length && a.every(([path, text], i) => b[i]![0] === path && b[i]![1] === text);
}

Deno.test({
  name:
    "a generated registry of 2,000 skills has many owners, about a quarter broken frontmatter and is the same for the same seed",
  ignore: !haveCorpus,
  fn: async () => {
    await using first = await tempDir();
    await using second = await tempDir();
    const registry = generateRegistry(CORPUS, first.path, { count: 2000, seed: 7 });
    const tree = readTree(registry.skillsDir);
    assertEquals(registry.skills.length, 2000);
    assertEquals(tree.filter(([path]) => path.endsWith("SKILL.md")).length, 2000);

    // Owners: many, most with a handful of skills, a few with dozens (hundreds at registry scale).
    const owners = tally(registry.skills.map((skill) => skill.path.split("/")[0]!));
    const sizes = [...owners.values()];
    assert(owners.size >= 400, `${owners.size} owners`);
    assert(sizes.filter((size) => size <= 5).length / owners.size >= 0.8, "most owners own 1–5 skills");
    assert(Math.max(...sizes) >= 30, `the largest owner has ${Math.max(...sizes)} skills`);

    const kinds = tally(registry.skills.map((skill) => skill.kind));
    const share = (n: number | undefined) => (n ?? 0) / 2000;
    assert(share(kinds.get("distinct")) > 0.7 && share(kinds.get("copy")) > 0.07, JSON.stringify([...kinds]));
    // Distinct tools are different tools: no two share a slug.
    const distinctSlugs = registry.skills.filter((skill) => skill.kind === "distinct").map((s) => s.path.split("/")[1]);
    assertEquals(new Set(distinctSlugs).size, distinctSlugs.length);

    // A quarter broken, about evenly three ways; each broken file is a closed block that strict YAML refuses.
    const text = new Map(tree);
    const broken = registry.skills.filter((skill) => (BREAKAGES as readonly string[]).includes(skill.frontmatter));
    assert(share(broken.length) > 0.2 && share(broken.length) < 0.3, `${broken.length} broken`);
    for (const breakage of BREAKAGES) {
      assert(broken.filter((skill) => skill.frontmatter === breakage).length > broken.length / 5, breakage);
    }
    for (const skill of broken) {
      const block = CLOSED_FRONTMATTER.exec(text.get(skill.path)!);
      assert(block, `${skill.path} has a closed frontmatter`);
      let refused = false;
      try {
        parse(block[1]!, { logLevel: "error" });
      } catch {
        refused = true;
      }
      assert(refused, `${skill.path} (${skill.frontmatter}) is refused by strict YAML`);
    }
    for (const skill of registry.skills.filter((skill) => skill.frontmatter === "unclosed")) {
      // Its fence is gone: a block that seems closed only ends at a later `---`, past the body's first blank line.
      const block = CLOSED_FRONTMATTER.exec(text.get(skill.path)!);
      assert(text.get(skill.path)!.startsWith("---\n") && (!block || block[1]!.includes("\n\n")), skill.path);
    }

    generateRegistry(CORPUS, second.path, { count: 2000, seed: 7 });
    assert(isSame(tree, readTree(join(second.path, "skills"))), "the same seed writes the same files");
  },
});

Deno.test({
  name: "the copies mode still writes perturbed copies of every corpus skill under copy-<n>/",
  ignore: !haveCorpus,
  fn: async () => {
    await using out = await tempDir();
    const corpusFiles = readTree(CORPUS).filter(([path]) => path.endsWith("SKILL.md"));
    const skillsDir = generateLibrary(CORPUS, out.path, corpusFiles.length + 3);
    const copies = readTree(skillsDir).filter(([path]) => path.endsWith("SKILL.md"));
    assertEquals(copies.length, corpusFiles.length + 3);
    assertEquals(copies.filter(([path]) => path.startsWith("copy-1/")).length, 3);
    const originals = new Map(corpusFiles);
    for (const [path, text] of copies) {
      // The first copy is the corpus file as decoded, so without a byte order mark.
      const original = originals.get(path.slice("copy-0/".length))?.replace(/^\uFEFF/, "");
      if (path.startsWith("copy-0/")) assertEquals(text, original, path);
      else assert(text.endsWith("\n<!-- copy 1 -->\n"), path);
    }
  },
});
