// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Judges the labelled pairs directly with the duplicate evidence (no
 * clustering): a fast loop for tuning. `bench/evaluate_clustering.ts` measures
 * the real program.
 *
 * Usage: deno run -A bench/evaluate_pairs.ts [--shared ../shared] [--near X] [--same-tool Y]
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { judgePair } from "../src/clustering/evidence.ts";
import { DEFAULT_THRESHOLDS } from "../src/clustering/clustering_settings.ts";
import { SkillLibrary } from "../src/clustering/library.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { readPairs } from "./metrics.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    shared: { type: "string", default: "../shared" },
    near: { type: "string", default: String(DEFAULT_THRESHOLDS.near) },
    "same-tool": { type: "string", default: String(DEFAULT_THRESHOLDS.sameTool) },
    "same-tool-text": { type: "string", default: String(DEFAULT_THRESHOLDS.sameToolText) },
    meaning: { type: "string", default: String(DEFAULT_THRESHOLDS.meaning) },
    strong: { type: "string", default: String(DEFAULT_THRESHOLDS.strongClueText) },
    show: { type: "string", default: "" },
  },
});
const thresholds = {
  ...DEFAULT_THRESHOLDS,
  near: Number(values.near),
  sameTool: Number(values["same-tool"]),
  sameToolText: Number(values["same-tool-text"]),
  meaning: Number(values.meaning),
  strongClueText: Number(values.strong),
};
const embedder = await loadEmbedder({});
const shared = resolve(values.shared!);
for (
  const [corpus, pairsFile] of [["openclaw-skills", "openclaw-pairs.tsv"], [
    "openclaw-skills-anon",
    "openclaw-anon-pairs.tsv",
  ]]
) {
  const repo = join(shared, "corpora", corpus!);
  const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, "skills"), ruleSets: [] });
  const usable = skills.filter((skill) => !skill.excluded).sort((a, b) => (a.path < b.path ? -1 : 1));
  const vectors = await embedder.embed(usable.map(skillEmbeddingText));
  const library = new SkillLibrary(usable, { skillsDir: "skills", vectors });
  const index = new Map(usable.map((skill, i) => [skill.path, i]));
  const pairs = readPairs(join(shared, "bench", pairsFile!));
  const counts = new Map<string, { total: number; merged: number }>();
  for (const pair of pairs) {
    const a = index.get(pair.a);
    const b = index.get(pair.b);
    const entry = counts.get(pair.kind) ?? { total: 0, merged: 0 };
    entry.total++;
    if (a !== undefined && b !== undefined) {
      const verdict = judgePair(library, a, b, thresholds);
      if (verdict.duplicate) entry.merged++;
      if (values.show === pair.kind && verdict.duplicate === (pair.label === 0)) {
        console.log(`  ${pair.label} ${pair.a} ${pair.b}: ${verdict.reason}`);
      }
    }
    counts.set(pair.kind, entry);
  }
  const merged = (kinds: string[]) => kinds.reduce((n, kind) => n + (counts.get(kind)?.merged ?? 0), 0);
  const total = (kinds: string[]) => kinds.reduce((n, kind) => n + (counts.get(kind)?.total ?? 0), 0);
  const good = merged(["exact", "near", "same-name"]);
  const bad = merged(["family", "random"]);
  console.log(
    `${corpus}: precision ${(good / (good + bad)).toFixed(4)} (${bad} wrong), exact+near recall ${
      (merged(["exact", "near"]) / total(["exact", "near"])).toFixed(3)
    }, same-name recall ${(merged(["same-name"]) / total(["same-name"])).toFixed(3)}`,
  );
}
await embedder.dispose();
