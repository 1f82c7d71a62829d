/**
 * The duplicate decision on the shapes that made merges wrong on libraries nobody tuned for (issue 27): each case a
 * small library written for the test, clustered by the real program with the real model.
 */
import { assert, assertEquals } from "./assert.ts";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { discoverTree } from "./utils.ts";
import { loadLocalEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import type { ClusterReport } from "../src/report.ts";
import { BACKGROUND } from "./fixtures/libraries.ts";
import { BOILERPLATE_STUBS, PRODUCT_FAMILY, PROJECT_AND_GENERIC, TEMPLATE_CATALOGUE } from "./fixtures/generalizing.ts";

const embedder = await loadLocalEmbedder({});

/** The duplicate clusters (merged or proposed) of a library of the background skills and `files`. */
async function duplicates(files: Record<string, string>): Promise<ClusterReport[]> {
  const skills = await discoverTree({ ...BACKGROUND, ...files });
  for (const path of Object.keys(files)) {
    assert(skills.some((skill) => skill.path === path && !skill.excluded), `${path} was not read`);
  }
  const embedded = await embedder.embed(skills.map(skillEmbeddingText));
  const vectors = new Map(skills.map((skill, i) => [skill.contentHash, embedded[i]!]));
  return (await clusterSkills(skills, vectors)).filter((cluster) => cluster.kind === "duplicate");
}

/** Each cluster as its action and members' folder names. */
function shape(clusters: readonly ClusterReport[]): Array<[string, string[]]> {
  return clusters.map((cluster) => [cluster.action, cluster.members.map((path) => path.split("/").at(-2)!)]);
}

Deno.test("a provider's catalogue written from one template stays one skill per service, even where names share a word", async () => {
  assertEquals(shape(await duplicates(TEMPLATE_CATALOGUE)), []);
});

Deno.test("a catalogue entry copied into another repository still merges with its original", async () => {
  const [path, text] = Object.entries(TEMPLATE_CATALOGUE)[0]!;
  const copy = text.replace("Never guess a field name", "Do not guess a field name");
  const clusters = await duplicates({ ...TEMPLATE_CATALOGUE, "skills/someone--fork--agentmail/SKILL.md": copy });
  assertEquals(shape(clusters), [["merge", [path.split("/").at(-2)!, "someone--fork--agentmail"]]]);
});

Deno.test("stubs one generator wrote for different subjects are not merged: the text they share is boilerplate", async () => {
  assertEquals(shape(await duplicates(BOILERPLATE_STUBS)), []);
});

Deno.test("a project's own release skill is not merged with a generic release skill of the same name", async () => {
  const clusters = await duplicates(PROJECT_AND_GENERIC);
  assertEquals(shape(clusters.filter((cluster) => cluster.action === "merge")), []);
});

Deno.test("two products of one vendor's family are not merged, though they share the vendor's host and variables", async () => {
  const clusters = await duplicates(PRODUCT_FAMILY);
  assertEquals(shape(clusters.filter((cluster) => cluster.action === "merge")), []);
});
