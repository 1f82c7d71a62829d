// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Clustering a family of look-alike stubs: one template's body under N different names (a registry's unfilled
 * skill-creator output, or a contributor's flood), for each N given. Prints the time `clusterSkills` takes, the
 * candidate pairs it judges, the merges it makes and the process's resident memory afterwards: time and pairs must
 * grow linearly with N.
 *
 * Usage: deno run -A bench/templated_family.ts [5000,10000,20000,40000]
 *
 * @module
 */

import { join } from "node:path";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { SkillLibrary } from "../src/clustering/library.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { residentMemory } from "./resident_memory.ts";

const sizes = (Deno.args[0] ?? "5000,10000,20000,40000").split(",").map(Number);

/** One stub: the template's body, a name of its own. */
function stub(name: string): string {
  return `---\nname: ${name}\ndescription: TODO - what this skill does and when to use it\n---\n\n# My Skill\n\n` +
    "TODO: describe when this skill should be used.\n\n## Instructions\n\n1. [First step]\n2. [Second step]\n";
}

for (const size of sizes) {
  const dir = await Deno.makeTempDir();
  try {
    for (let i = 0; i < size; i++) {
      const name = `${i.toString(36)}-helper`;
      await Deno.mkdir(join(dir, "skills", name), { recursive: true });
      await Deno.writeTextFile(join(dir, "skills", name, "SKILL.md"), stub(name));
    }
    const { skills } = await discoverSkills(denoFileSystem, {
      repo: dir,
      skillsDir: join(dir, "skills"),
      ruleSets: [],
    });
    const usable = skills.filter((skill) => !skill.excluded);
    const started = performance.now();
    const clusters = await clusterSkills(usable, new Map());
    const seconds = (performance.now() - started) / 1000;
    let pairs = 0;
    const sorted = [...usable].sort((a, b) => (a.path < b.path ? -1 : 1));
    for (const [, others] of new SkillLibrary(sorted).candidatePairs()) pairs += others.length;
    const merges = clusters.filter((cluster) => cluster.action === "merge").length;
    console.log(
      `${size} stubs: clustered in ${seconds.toFixed(2)} s, ${pairs} candidate pairs, ${merges} merges, ` +
        `peak RSS so far ${Math.round(residentMemory("self").peak)} MiB`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
