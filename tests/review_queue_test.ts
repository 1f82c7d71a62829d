/**
 * The review queue an owner can finish (issue 27): one decision for a skill copied into many repositories, the
 * proposals that answer for many skills first, then the likeliest to be approved.
 */
import { assert, assertEquals } from "./assert.ts";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { loadLocalEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import type { ClusterReport } from "../src/report.ts";
import { discoverTree } from "./utils.ts";
import { BACKGROUND, ONE_CLUE, skill } from "./fixtures/libraries.ts";

const embedder = await loadLocalEmbedder({});

/** The proposals of a library of the background skills and `files`, in the queue's order. */
async function proposals(files: Record<string, string>): Promise<ClusterReport[]> {
  const skills = await discoverTree({ ...BACKGROUND, ...files });
  const embedded = await embedder.embed(skills.map(skillEmbeddingText));
  const vectors = new Map(skills.map((s, i) => [s.contentHash, embedded[i]!]));
  return (await clusterSkills(skills, vectors)).filter((cluster) => cluster.action === "review");
}

/** One template filled for one kanban CLI. */
function kanban(name: string, tool: string): string {
  return skill(
    name,
    "Manage kanban boards and cards from the terminal.",
    "# Kanban boards\n\nList boards, add a card with a title to a board, move a card between columns and archive it. " +
      `With ${tool}: \`npx ${tool} boards\`, \`npx ${tool} card add --board ID --title TITLE\`, ` +
      `\`npx ${tool} card move ID --to done\`. Cards keep their labels and due dates when moved.`,
  );
}

Deno.test("a skill copied into two repositories beside a look-alike is one decision, asked before a likelier pair", async () => {
  const [path, text] = Object.entries(ONE_CLUE).find(([path]) => path.includes("gemini"))!;
  const queue = await proposals({
    ...ONE_CLUE,
    [path.replace("skills/", "skills/fork/")]: text,
    "skills/a/kanban-zorbly/SKILL.md": kanban("kanban-zorbly", "zorbly-cli"),
    "skills/b/kanban-quux/SKILL.md": kanban("kanban-quux", "quux-cli"),
  });
  assertEquals(queue.map((proposal) => proposal.members.length), [3, 2]);
  // The two copies merge anyway: the owner answers once whether the look-alike joins them.
  assertEquals(queue[0]!.parts!.map((part) => part.length).sort(), [1, 2]);
  for (const proposal of queue) {
    assert(proposal.likelihood! > 0 && proposal.likelihood! <= 1, `likelihood ${proposal.likelihood}`);
  }
  assert(queue[1]!.likelihood! > queue[0]!.likelihood!, "the pair is the likelier, and still comes second");
});

Deno.test("proposals of one size come likeliest first", async () => {
  const queue = await proposals({
    ...ONE_CLUE,
    "skills/a/kanban-zorbly/SKILL.md": kanban("kanban-zorbly", "zorbly-cli"),
    "skills/b/kanban-quux/SKILL.md": kanban("kanban-quux", "quux-cli"),
  });
  assertEquals(queue.map((proposal) => proposal.members.length), [2, 2]);
  assert(queue[0]!.likelihood! > queue[1]!.likelihood!, queue.map((p) => p.likelihood).join(" < "));
});
