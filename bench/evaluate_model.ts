// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Evaluates the embedding model on the labelled pairs: per kind, ROC AUC and
 * recall at precision 0.99 of the model's cosine and of TF-IDF on the same
 * text, and the relatedness AUC (`family` pairs against `random` ones).
 *
 * Usage: deno run -A bench/evaluate_model.ts [--shared ../shared] [--model DIR] [--dtype fp32|q8]
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { discoverSkills } from "../src/discovery/discover.ts";
import type { Skill } from "../src/discovery/skill.ts";
import { BUNDLED_MODEL_DIR, loadEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { cosine, type LabelledPair, readPairs, recallAtPrecision, rocAuc } from "./metrics.ts";
import { sparseCosine, TfIdf } from "./tfidf.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    shared: { type: "string", default: "../shared" },
    model: { type: "string", default: BUNDLED_MODEL_DIR },
    dtype: { type: "string", default: "fp32" },
  },
});
const shared = resolve(values.shared!);
const embedder = await loadEmbedder({ modelDir: resolve(values.model!), dtype: values.dtype as "fp32" | "q8" });
console.log(`model ${embedder.model.name} (${values.dtype}), ${embedder.dims} dimensions\n`);

const SETS = [
  { name: "named", corpus: "openclaw-skills", pairs: "openclaw-pairs.tsv" },
  { name: "anonymised", corpus: "openclaw-skills-anon", pairs: "openclaw-anon-pairs.tsv" },
];

for (const set of SETS) {
  const repo = join(shared, "corpora", set.corpus);
  const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, "skills"), ruleSets: [] });
  const byPath = new Map<string, Skill>(skills.map((skill) => [skill.path, skill]));
  const pairs = readPairs(join(shared, "bench", set.pairs));
  const usable = pairs.filter((pair) => byPath.has(pair.a) && byPath.has(pair.b));
  const library = skills.map(skillEmbeddingText);
  const wholeFiles = new Map(skills.map((skill) => [skill.path, Deno.readTextFileSync(join(repo, skill.path))]));

  const paths = [...new Set(usable.flatMap((pair) => [pair.a, pair.b]))];
  const texts = paths.map((path) => skillEmbeddingText(byPath.get(path)!));
  const indexOf = new Map(paths.map((path, i) => [path, i]));
  const embedded = await embedder.embed(texts);
  const modelScore = (pair: LabelledPair) => cosine(embedded[indexOf.get(pair.a)!]!, embedded[indexOf.get(pair.b)!]!);
  const tfidf = new TfIdf(library);
  const tfidfVectors = new Map(paths.map((path, i) => [path, tfidf.vector(texts[i]!)]));
  const tfidfScore = (pair: LabelledPair) => sparseCosine(tfidfVectors.get(pair.a)!, tfidfVectors.get(pair.b)!);
  const wholeTfidf = new TfIdf([...wholeFiles.values()]);
  const wholeVectors = new Map(paths.map((path) => [path, wholeTfidf.vector(wholeFiles.get(path)!)]));
  const wholeScore = (pair: LabelledPair) => sparseCosine(wholeVectors.get(pair.a)!, wholeVectors.get(pair.b)!);

  console.log(`## ${set.name} (${set.corpus}): ${usable.length} of ${pairs.length} pairs have both files parsed\n`);
  console.log(
    "| kind | pairs | model AUC | TF-IDF AUC | model recall@P0.99 | TF-IDF recall@P0.99 | TF-IDF whole file recall@P0.99 |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  const negatives = usable.filter((pair) => pair.label === 0);
  for (const kind of ["exact", "near", "same-name", "all must-merge"]) {
    const positives = usable.filter((pair) => pair.label === 1 && (kind === "all must-merge" || pair.kind === kind));
    const row = [kind, String(positives.length)];
    const scorers = [modelScore, tfidfScore];
    for (const score of scorers) row.push(rocAuc(positives.map(score), negatives.map(score)).toFixed(3));
    for (const score of [...scorers, wholeScore]) {
      row.push(recallAtPrecision(positives.map(score), negatives.map(score), 0.99).recall.toFixed(3));
    }
    console.log(`| ${row.join(" | ")} |`);
  }
  const family = usable.filter((pair) => pair.kind === "family");
  const random = usable.filter((pair) => pair.kind === "random");
  console.log(`\nrelatedness, family (${family.length}) against random (${random.length}) pairs, ROC AUC:`);
  for (
    const [name, score] of [["model", modelScore], ["TF-IDF, same text", tfidfScore], [
      "TF-IDF, whole file",
      wholeScore,
    ]] as const
  ) {
    console.log(`- ${name}: ${rocAuc(family.map(score), random.map(score)).toFixed(3)}`);
  }
  console.log();
}
await embedder.dispose();
