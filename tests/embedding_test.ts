import { join } from "node:path";
import { assert, assertEquals, assertNotEquals, assertRejects } from "./assert.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { embedSkills } from "../src/embedding/embed_skills.ts";
import {
  BUNDLED_MODEL_DIR,
  type Embedder,
  identifyModel,
  loadEmbedder,
  loadLocalEmbedder,
  ModelError,
} from "../src/embedding/embedder.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { cosine } from "../bench/metrics.ts";
import { tempDir, tempRepo } from "./utils.ts";

const embedder = await loadLocalEmbedder({});

async function similarity(a: string, b: string, model: Embedder = embedder): Promise<number> {
  const [x, y] = await model.embed([a, b]);
  return cosine(x!, y!);
}

/** Sentence neighbours a reader can judge: the first is nearer to the second than to the third. */
const NEIGHBOURS: Array<[string, string, string]> = [
  ["delete a file", "remove a document", "deploy a container"],
  ["git commit", "push changes to a repository", "convert a PDF to text"],
  ["send an email", "compose a message to a mailbox", "resize an image"],
  ["weather forecast", "temperature and rain tomorrow", "stock market prices"],
  ["translate text", "convert english to french", "schedule a meeting"],
  ["create a calendar event", "schedule a meeting", "compress a folder"],
  ["search the web", "find pages with a search engine", "play music"],
  ["kubernetes pods", "deploy a container to a cluster", "write a poem"],
];

for (const [anchor, near, far] of NEIGHBOURS) {
  Deno.test(`the model puts "${anchor}" nearer to "${near}" than to "${far}"`, async () => {
    const toNear = await similarity(anchor, near);
    const toFar = await similarity(anchor, far);
    assert(toNear > toFar, `${toNear.toFixed(3)} should exceed ${toFar.toFixed(3)}`);
  });
}

/** Word neighbours. */
const WORDS: Array<[string, string, string]> = [
  ["delete", "remove", "forecast"],
  ["email", "mail", "database"],
  ["docker", "container", "poem"],
  ["pdf", "document", "wallet"],
];

for (const [anchor, near, far] of WORDS) {
  Deno.test(`the model puts the word "${anchor}" nearer to "${near}" than to "${far}"`, async () => {
    assert(await similarity(anchor, near) > await similarity(anchor, far));
  });
}

Deno.test("vectors are normalised, one per text, in order, and the same text gives the same vector", async () => {
  const texts = ["alpha beta", "", "a much longer text about git repositories and commits", "alpha beta"];
  const vectors = await embedder.embed(texts);
  assertEquals(vectors.length, 4);
  for (const vector of vectors.filter((_, i) => i !== 1)) {
    assertEquals(vector.length, 64);
    assert(Math.abs(Math.hypot(...vector) - 1) < 1e-5);
  }
  assertEquals(vectors[0], vectors[3]);
  assertNotEquals(vectors[0], vectors[2]);
});

Deno.test("the embedder's pooling equals the feature-extraction pipeline's mean pooling and normalisation", async () => {
  const { env, pipeline } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.localModelPath = join(BUNDLED_MODEL_DIR, "..");
  const extractor = await pipeline("feature-extraction", "clawstr-static-64", { dtype: "fp32" });
  const texts = ["Fetch aviation weather (METAR, TAF)", "x", "Manage Linear issues via scripts/linear.sh and the API"];
  const reference = await extractor(texts, { pooling: "mean", normalize: true });
  const mine = await embedder.embed(texts);
  texts.forEach((_, row) => {
    for (let d = 0; d < 64; d++) {
      assert(Math.abs(mine[row]![d]! - (reference.data as Float32Array)[row * 64 + d]!) < 1e-5, `row ${row} dim ${d}`);
    }
  });
  await extractor.dispose();
});

Deno.test("the static model computed without the model runtime gives onnxruntime's vectors bit for bit, long and non-Latin texts included", async () => {
  const runtime = await loadLocalEmbedder({ staticModel: false });
  const texts = [
    "",
    " ",
    "Fetch aviation weather (METAR, TAF)",
    "ÄÖÜ ñ 日本語のスキル 🚀 naïve café",
    `---\nname: linear\ndescription: Manage Linear issues\n---\n${
      "Use scripts/linear.sh to list, create and close issues. ".repeat(80)
    }`,
    ...NEIGHBOURS.flat(),
  ];
  assertEquals(await embedder.embed(texts), await runtime.embed(texts));
  assertEquals(embedder.model.id, runtime.model.id, "the same model, so the same cache");
  await runtime.dispose();
});

Deno.test("texts longer than the model's limit are truncated, not refused", async () => {
  const [vector] = await embedder.embed(["word ".repeat(5000)]);
  assertEquals(vector?.length, 64);
});

Deno.test("the quantized model gives vectors within 0.99 cosine of the fp32 model", async () => {
  const q8 = await loadLocalEmbedder({ dtype: "q8" });
  const texts = NEIGHBOURS.flat();
  const [full, quantized] = [await embedder.embed(texts), await q8.embed(texts)];
  full.forEach((vector, i) => assert(cosine(vector, quantized[i]!) > 0.99));
  assertNotEquals(q8.model.id, embedder.model.id);
  await q8.dispose();
});

Deno.test("a worker thread embeds exactly as this thread does", async () => {
  const parallel = await loadEmbedder({ workers: 1 });
  const texts = Array.from({ length: 1200 }, (_, i) => `skill number ${i} does task ${i % 37}`);
  assertEquals(await parallel.embed(texts), await embedder.embed(texts));
  await parallel.dispose();
});

Deno.test("a model directory without the files transformers.js needs is a ModelError naming the file", async () => {
  await using dir = await tempDir();
  await assertRejects(() => identifyModel(dir.path), ModelError, "config.json is missing");
  await assertRejects(() => loadEmbedder({ modelDir: dir.path }), ModelError, "config.json is missing");
});

Deno.test("another model directory loads through the same path and has its own identity", async () => {
  await using dir = await tempDir();
  const other = join(dir.path, "other-model");
  await Deno.mkdir(join(other, "onnx"), { recursive: true });
  for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
    await Deno.copyFile(join(BUNDLED_MODEL_DIR, file), join(other, file));
  }
  const copy = await loadLocalEmbedder({ modelDir: other });
  assertEquals(copy.model.name, "other-model");
  assertEquals(copy.model.id, embedder.model.id, "the identity is the files, not the directory's name");
  assertEquals(await copy.embed(["git commit"]), await embedder.embed(["git commit"]));
  await copy.dispose();
  const config = JSON.parse(await Deno.readTextFile(join(other, "config.json")));
  await Deno.writeTextFile(join(other, "config.json"), JSON.stringify({ ...config, note: "changed" }));
  assertNotEquals((await identifyModel(other)).id, embedder.model.id);
});

Deno.test("embedding goes through the cache: unchanged skills are never embedded twice", async () => {
  await using repo = await tempRepo();
  using store = await KvStateStore.open(":memory:");
  const { skills } = await discoverSkills(denoFileSystem, {
    repo: repo.path,
    skillsDir: join(repo.path, "skills"),
    ruleSets: [],
  });
  let loads = 0;
  const load = () => {
    loads++;
    return loadLocalEmbedder({});
  };
  const first = await embedSkills(skills, embedder.model, store, load);
  assertEquals([first.embedded, first.cached, loads], [9, 0, 1]);
  const second = await embedSkills(skills, embedder.model, store, load);
  assertEquals([second.embedded, second.cached, second.loadMs, loads], [0, 9, 0, 1], "the model is not loaded");
  assertEquals(second.vectors, first.vectors);
  const changed = skills.map((skill, i) => i === 0 ? { ...skill, contentHash: "0".repeat(64) } : skill);
  const third = await embedSkills(changed, embedder.model, store, load);
  assertEquals([third.embedded, third.cached], [1, 8]);
  const otherModel = { ...embedder.model, id: "another-model" };
  const fourth = await embedSkills(skills, otherModel, store, load);
  assertEquals([fourth.embedded, fourth.cached], [9, 0], "a new model invalidates the cache");
});
