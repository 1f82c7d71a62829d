/**
 * The development libraries and their blind judgments, read as a run reads
 * them: the scripts that tune or fit on judgments (`lolo.ts`,
 * `fit_approval.ts`) share them.
 *
 * @module
 */

import { join } from "node:path";
import { discoverSkills } from "../src/discovery/discover.ts";
import { DEFAULT_RULE_SETS } from "../src/discovery/discovery_settings.ts";
import { SECURITY_RULE_PREFIX } from "../src/discovery/security_scan.ts";
import type { Skill } from "../src/discovery/skill.ts";
import { loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { readPairs } from "./metrics.ts";
import { tsvRows } from "./sampling.ts";

/** A library and the judgments of its pairs. */
export interface Library {
  name: string;
  skills: Skill[];
  vectors: Map<string, Float32Array>;
  /** Judged pairs: verdict, a, b (paths as the skills have them). */
  judged: Array<[verdict: string, a: string, b: string]>;
  /** The pairs of the shared judgments file (the targets' own measure), as keys. */
  shared: Set<string>;
  /** Labelled exact and near copies, where the library has labels. */
  copies: Array<[a: string, b: string]>;
}

/** Reads a library: its usable skills, their embeddings, its judged and labelled pairs. */
export async function readLibrary(
  shared: string,
  name: string,
  corpus: string,
  judgedFile: string,
  pairsFile?: string,
): Promise<Library> {
  const repo = join(shared, "corpora", corpus);
  const { skills, report } = await discoverSkills(denoFileSystem, {
    repo,
    skillsDir: join(repo, "skills"),
    ruleSets: DEFAULT_RULE_SETS,
  });
  const flagged = new Set(
    report.diagnostics.filter((d) => d.rule.startsWith(SECURITY_RULE_PREFIX)).map((d) => d.path),
  );
  const usable = skills.filter((skill) => !skill.excluded && !flagged.has(skill.path));
  const embedder = await loadEmbedder({});
  const embedded = await embedder.embed(usable.map(skillEmbeddingText));
  await embedder.dispose();
  const present = new Set(usable.map((skill) => skill.path));
  const verdicts = new Map<string, [string, string, string]>();
  const add = (verdict: string, a: string, b: string) => {
    if (present.has(a) && present.has(b) && VERDICTS.has(verdict)) {
      verdicts.set([a, b].sort().join("\n"), [verdict, a, b]);
    }
  };
  const sharedPairs = new Set<string>();
  for (const [verdict, a, b] of tsvRows(join(shared, "bench", judgedFile))) {
    add(verdict!, a!, b!);
    sharedPairs.add([a!, b!].sort().join("\n"));
  }
  for (const [verdict, a, b] of auditVerdicts()) add(verdict, a, b);
  const judged = [...verdicts.values()];
  const copies = pairsFile
    ? readPairs(join(shared, "bench", pairsFile)).filter((pair) =>
      (pair.kind === "exact" || pair.kind === "near") && present.has(pair.a) && present.has(pair.b)
    ).map((pair) => [pair.a, pair.b] as [string, string])
    : [];
  return {
    name,
    skills: usable,
    vectors: new Map(usable.map((skill, i) => [skill.contentHash, embedded[i]!])),
    judged,
    shared: sharedPairs,
    copies,
  };
}

/** The verdicts of the rubric. */
const VERDICTS = new Set(["SAME", "SAME-SERVICE-DIFFERENT-JOB", "DIFFERENT", "UNSURE"]);

/** Every pair verdict of the blind audits under `bench/audits/`, oldest audit first. */
function auditVerdicts(): Array<[verdict: string, a: string, b: string]> {
  const root = new URL("./audits/", import.meta.url).pathname;
  const dirs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.isDirectory) walk(join(dir, entry.name));
      else if (entry.name === "key.tsv") dirs.push(dir);
    }
  };
  walk(root);
  const found: Array<[string, string, string]> = [];
  for (const dir of dirs.sort()) {
    const keyFile = join(dir, "key.tsv");
    if (!Deno.readTextFileSync(keyFile).startsWith("id\tpath_a\tpath_b")) continue;
    const pairs = new Map(tsvRows(keyFile).map(([id, a, b]) => [id!, [a!, b!] as const]));
    for (const entry of [...Deno.readDirSync(dir)].map((e) => e.name).sort()) {
      if (!/^verdicts-.*\.tsv$/.test(entry)) continue;
      for (const [id, verdict] of tsvRows(join(dir, entry))) {
        const pair = pairs.get(id!);
        if (pair) found.push([verdict!, pair[0], pair[1]]);
      }
    }
  }
  return found;
}

/**
 * Both development libraries: the dev corpus (ClawHub skills, with labelled copies) and registry-a.
 *
 * @param shared The shared folder.
 * @param only One library's name, or all.
 * @returns The libraries.
 */
export async function developmentLibraries(shared: string, only?: string): Promise<Library[]> {
  const libraries: Library[] = [];
  if (only === undefined || only === "dev") {
    libraries.push(await readLibrary(shared, "dev", "openclaw-skills", "judged-pairs.tsv", "openclaw-pairs.tsv"));
  }
  if (only === undefined || only === "registry") {
    libraries.push(await readLibrary(shared, "registry", "registry-a", "registry-a-judged.tsv"));
  }
  return libraries;
}
