// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Generates a large skill library from the corpus, for benchmarks: copies of
 * every corpus skill (and its `_meta.json`) under `copy-<n>/`, each copy's
 * frontmatter name and first body line perturbed so no two files are equal.
 *
 * Usage: deno run --allow-read --allow-write bench/generate_library.ts SOURCE_SKILLS_DIR OUT_DIR COUNT
 *
 * @module
 */

import { dirname, join, relative } from "node:path";

/**
 * Writes `count` skill files under `out/skills`, cycling through the source.
 *
 * @param source A skills directory (`<owner>/<slug>/SKILL.md`).
 * @param out The library's root; its `skills/` is created.
 * @param count How many skill files to write.
 * @returns The skills directory written.
 */
export function generateLibrary(source: string, out: string, count: number): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name === "SKILL.md") files.push(path);
    }
  };
  walk(source);
  const skillsDir = join(out, "skills");
  for (let i = 0; i < count; i++) {
    const file = files[i % files.length]!;
    const copy = Math.floor(i / files.length);
    const target = join(skillsDir, `copy-${copy}`, relative(source, file));
    Deno.mkdirSync(dirname(target), { recursive: true });
    const text = new TextDecoder().decode(Deno.readFileSync(file));
    const perturbed = copy === 0
      ? text
      : text.replace(/^(name:\s*)(.+)$/m, `$1$2-${copy}`) + `\n<!-- copy ${copy} -->\n`;
    Deno.writeTextFileSync(target, perturbed);
    try {
      Deno.copyFileSync(join(dirname(file), "_meta.json"), join(dirname(target), "_meta.json"));
    } catch {
      // Not every skill has one.
    }
  }
  return skillsDir;
}

if (import.meta.main) {
  const [source, out, count] = Deno.args;
  if (!source || !out || !count) {
    console.error("Usage: generate_library.ts SOURCE_SKILLS_DIR OUT_DIR COUNT");
    Deno.exit(2);
  }
  console.log(generateLibrary(source, out, Number(count)));
}
