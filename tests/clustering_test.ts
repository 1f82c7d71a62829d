import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { type ClusterOptions, clusterSkills } from "../src/clustering/cluster.ts";
import { PairDecisions, proposalId } from "../src/clustering/review_decisions.ts";
import type { ClusterReport } from "../src/report.ts";
import { averageLinkage } from "../src/clustering/linkage.ts";
import { PairMap } from "../src/clustering/pair_map.ts";
import { SkillLibrary } from "../src/clustering/library.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import type { Skill } from "../src/discovery/skill.ts";
import { loadLocalEmbedder } from "../src/embedding/embedder.ts";
import { skillEmbeddingText } from "../src/embedding/skill_text.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { readPairs } from "../bench/metrics.ts";
import { discoverTree, hasShared, SHARED } from "./utils.ts";
import { BACKGROUND, ONE_CLUE, skill } from "./fixtures/libraries.ts";

const embedder = await loadLocalEmbedder({});

/** Discovers a tree written from `files` and embeds its skills. */
async function library(
  files: Record<string, string>,
): Promise<{ skills: Skill[]; vectors: Map<string, Float32Array> }> {
  const skills = await discoverTree(files);
  const vectors = await embedder.embed(skills.map(skillEmbeddingText));
  return { skills, vectors: new Map(skills.map((skill, i) => [skill.contentHash, vectors[i]!])) };
}

Deno.test("clusters do not depend on the order skills come in", async () => {
  const { skills, vectors } = await library({
    ...BACKGROUND,
    "skills/todo-a/SKILL.md": skill(
      "todoist",
      "Manage Todoist tasks.",
      "Use the todoist CLI: todoist add, todoist list.",
    ),
    "skills/todo-b/SKILL.md": skill(
      "todoist",
      "Manage Todoist tasks.",
      "Use the todoist CLI: todoist add, todoist list.",
    ),
    "skills/todo-c.md": skill("todoist-cli", "Todoist from the terminal.", "Run todoist sync, then todoist list."),
  });
  const expected = await clusterSkills(skills, vectors);
  assert(expected.some((cluster) => cluster.kind === "duplicate"));
  let seed = 7;
  for (let round = 0; round < 5; round++) {
    const shuffled = [...skills].sort(() => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5);
    assertEquals(await clusterSkills(shuffled, vectors), expected);
  }
});

Deno.test("average linkage never holds a cluster together by a chain of links alone", () => {
  // Items 0…19 linked only to their neighbours: single linkage would make one cluster of all 20.
  const chain = (a: number, b: number) => Math.abs(a - b) === 1 ? 1 : 0;
  const groups = averageLinkage(Array.from({ length: 20 }, (_, i) => i), chain, 0.5);
  assert(groups.length >= 5, `${groups.length} groups`);
  for (const group of groups) assert(group.length <= 3, `a group of ${group.length}: ${group}`);
  assertEquals(
    groups.flat().sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i),
    "every linked item is grouped",
  );
});

Deno.test("average linkage keeps apart two items that must stay apart, whatever links them through others", () => {
  // 0 and 2 are both duplicates of 1, but vetoed against each other.
  const link = (a: number, b: number) => (a === 0 && b === 2) || (a === 2 && b === 0) ? Number.NEGATIVE_INFINITY : 1;
  const groups = averageLinkage([0, 1, 2], link, 0.5);
  assertEquals(groups.length, 1);
  assertEquals(groups[0]!.length, 2);
});

Deno.test("a cluster holding a master from an earlier run names it", async () => {
  const body = "Manage Linear issues with the linear CLI: linear issue list, linear issue create.";
  const { skills, vectors } = await library({
    ...BACKGROUND,
    "skills/linear/SKILL.md": skill(
      "linear",
      "Linear issues.",
      body,
      "version: 1.1.0\nmerged_from:\n  - name: linear\n    version: 1.0.0\n    path: skills/linear-old/SKILL.md\n    hash: " +
        "a".repeat(64) + "\n",
    ),
    "skills/linear-copy/SKILL.md": skill("linear", "Linear issues.", body, "version: 1.0.2\n"),
  });
  const [cluster] = (await clusterSkills(skills, vectors)).filter((c) => c.kind === "duplicate");
  assertEquals(cluster?.members, ["skills/linear-copy/SKILL.md", "skills/linear/SKILL.md"]);
  assertEquals(cluster?.master, "skills/linear/SKILL.md");
});

const TEMPLATE = (tool: string, what: string) =>
  skill(
    `${tool}-helper`,
    `Generate ${what} for your project. Use when setting up ${what}.`,
    [
      `# ${tool} helper`,
      "One command. Zero config. Just works. Every team argues about this; this tool reads your code and decides.",
      "## Quick Start",
      `npx ai-${tool}`,
      "## What It Does",
      `- Analyzes your project\n- Generates ${what}\n- No more arguing`,
      "Built by the toolsmiths. More at https://toolsmiths.example.dev and https://newsletter.example.com",
    ].join("\n\n"),
  );

Deno.test("skills generated from one template for different tools stay apart", async () => {
  const tools = [
    ["eslint", "lint rules"],
    ["prettier", "formatting rules"],
    ["husky", "git hooks"],
    ["docker", "container files"],
    ["k8s", "cluster manifests"],
    ["nginx", "server blocks"],
    ["jest", "test setup"],
    ["vite", "bundler config"],
  ];
  const files = Object.fromEntries(
    tools.map(([tool, what], i) => [`skills/author${i}/${tool}-helper/SKILL.md`, TEMPLATE(tool!, what!)]),
  );
  const { skills, vectors } = await library({ ...BACKGROUND, ...files });
  assertEquals((await clusterSkills(skills, vectors)).filter((cluster) => cluster.kind === "duplicate"), []);
});

Deno.test("the same tool written from two different templates, by different authors, merges", async () => {
  const { skills, vectors } = await library({
    ...BACKGROUND,
    "skills/alice/whoop/SKILL.md": skill(
      "whoop",
      "WHOOP recovery, sleep and strain data.",
      "# WHOOP\n\nFetch recovery and sleep from https://api.prod.whoop.com with WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET.\n\n## Sleep\n\nnode whoop.js sleep",
    ),
    "skills/bob/whoop-tracker/SKILL.md": skill(
      "whoop",
      "Track WHOOP strain and recovery.",
      "# WHOOP\n\nThis skill reads your strain and recovery scores. Set WHOOP_CLIENT_ID, then run the tracker against https://api.prod.whoop.com.",
    ),
  });
  const duplicates = (await clusterSkills(skills, vectors)).filter((cluster) => cluster.kind === "duplicate");
  assertEquals(duplicates.map((cluster) => cluster.members), [[
    "skills/alice/whoop/SKILL.md",
    "skills/bob/whoop-tracker/SKILL.md",
  ]]);
});

Deno.test("one publisher's pack of skills for one service stays apart, though its copies merge", async () => {
  const part = (command: string) =>
    skill(
      `glab-${command}`,
      `Manage GitLab ${command}s with glab.`,
      `# glab ${command}\n\nglab ${command} list\nglab ${command} create\n\nRequires the glab CLI and GITLAB_TOKEN.`,
    );
  const { skills, vectors } = await library({
    ...BACKGROUND,
    "skills/gitlab-pack/glab-label/SKILL.md": part("label"),
    "skills/gitlab-pack/glab-variable/SKILL.md": part("variable"),
    "skills/gitlab-pack/glab-milestone/SKILL.md": part("milestone"),
    "skills/gitlab-pack/glab-label-copy/SKILL.md": part("label"),
  });
  const duplicates = (await clusterSkills(skills, vectors)).filter((cluster) => cluster.kind === "duplicate");
  assertEquals(duplicates.map((cluster) => cluster.members), [[
    "skills/gitlab-pack/glab-label-copy/SKILL.md",
    "skills/gitlab-pack/glab-label/SKILL.md",
  ]]);
});

const haveShared = hasShared("the clustering quality test");

// The targets per corpus. The anonymised twin replaces names with generated labels, and the decision reads what a
// skill says it is about (its name, title and description): there, 8 of 178 near pairs within one author's skills
// fall to the pack rule (0.955). Same-name labels are noisy (judges agree with 85% of them); since issue 27 the
// quality measure is the share of blind-judged SAME pairs merged (`bench/lolo.ts`), and a same-name pair the owner
// would most likely refuse is no longer proposed (src/clustering/approval.ts): about 60% merged or proposed.
for (
  const [corpus, pairsFile, copyTarget, sameNameTarget] of [
    ["openclaw-skills", "openclaw-pairs.tsv", 0.97, 0.55],
    ["openclaw-skills-anon", "openclaw-anon-pairs.tsv", 0.95, 0.5],
  ] as const
) {
  Deno.test({
    name: `clustering ${corpus} meets the merge targets on the labelled pairs`,
    ignore: !haveShared,
    fn: async () => {
      const repo = join(SHARED, "corpora", corpus);
      const { skills } = await discoverSkills(denoFileSystem, { repo, skillsDir: join(repo, "skills"), ruleSets: [] });
      const usable = skills.filter((s) => !s.excluded);
      const vectors = await embedder.embed(usable.map(skillEmbeddingText));
      const clusters = await clusterSkills(usable, new Map(usable.map((s, i) => [s.contentHash, vectors[i]!])));
      const together = (action: string) => {
        const clusterOf = new Map<string, number>();
        clusters.forEach((cluster, i) =>
          cluster.action === action && cluster.members.forEach((m) => clusterOf.set(m, i))
        );
        return (a: string, b: string) => clusterOf.has(a) && clusterOf.get(a) === clusterOf.get(b);
      };
      const [merged, proposed] = [together("merge"), together("review")];
      // Skills the security scan keeps out (malware droppers and their copies) never merge, by design: the recall
      // targets are over pairs of skills that may merge.
      const mergeable = new Set(usable.map((skill) => skill.path));
      const pairs = readPairs(join(SHARED, "bench", pairsFile)).filter((p) => mergeable.has(p.a) && mergeable.has(p.b));
      const count = (kinds: string[], when: (a: string, b: string) => boolean = () => true) =>
        pairs.filter((p) => kinds.includes(p.kind) && when(p.a, p.b)).length;
      const good = count(["exact", "near", "same-name"], merged);
      const precision = good / (good + count(["family", "random"], merged));
      assert(precision >= 0.99, `precision ${precision}`);
      const copyRecall = count(["exact", "near"], merged) / count(["exact", "near"]);
      assert(copyRecall >= copyTarget, `exact and near recall ${copyRecall}`);
      // Rewrites under one name are merged when the evidence is conclusive, else proposed: never lost.
      const sameName = count(["same-name"], (a, b) => merged(a, b) || proposed(a, b)) / count(["same-name"]);
      assert(sameName >= sameNameTarget, `same-name recall, merged or proposed: ${sameName}`);
    },
  });
}

/** The duplicate clusters of a library written from `files`, by their members. */
async function duplicateMembers(files: Record<string, string>): Promise<string[][]> {
  return (await duplicateClusters(files)).filter((cluster) => cluster.action === "merge").map((c) => c.members);
}

/** The duplicate clusters (merged and proposed) of a library written from `files`. */
async function duplicateClusters(
  files: Record<string, string>,
  options: ClusterOptions = {},
): Promise<ClusterReport[]> {
  const { skills, vectors } = await library({ ...BACKGROUND, ...files });
  // Every skill of the case was read and may merge: a case whose files do not parse would prove nothing.
  const usable = new Set(skills.filter((s) => !s.excluded).map((s) => s.path));
  for (const path of Object.keys(files)) assert(usable.has(path), `${path} was not read`);
  return (await clusterSkills(skills, vectors, options)).filter((cluster) => cluster.kind === "duplicate");
}

Deno.test("skills that share one identity clue are proposed for review, never merged", async () => {
  const clusters = await duplicateClusters(ONE_CLUE);
  assertEquals(clusters.map((cluster) => [cluster.action, cluster.members]), [
    ["review", ["skills/gemini-picture-maker/SKILL.md", "skills/picture-maker/SKILL.md"]],
  ]);
  assertEquals(clusters[0]!.parts, [["skills/gemini-picture-maker/SKILL.md"], ["skills/picture-maker/SKILL.md"]]);
  assert(/^r[0-9a-f]{8}$/.test(clusters[0]!.id ?? ""), `id ${clusters[0]!.id}`);
  assertEquals(clusters[0]!.reasons, ["same tool but gemini is one's only: gemini"]);
});

Deno.test("the owner's rejection keeps a pair out of merges and reviews; an approval merges it", async () => {
  const parts = [["skills/gemini-picture-maker/SKILL.md"], ["skills/picture-maker/SKILL.md"]];
  const decided = (decision: "approved" | "rejected") =>
    duplicateClusters(ONE_CLUE, {
      decisions: new PairDecisions([{ id: proposalId(parts), decision, at: "2026-11-30T00:00:00Z", parts }]),
    });
  assertEquals(await decided("rejected"), []);
  assertEquals((await decided("approved")).map((cluster) => [cluster.action, cluster.members]), [
    ["merge", ["skills/gemini-picture-maker/SKILL.md", "skills/picture-maker/SKILL.md"]],
  ]);
});

/** A Zorbly CLI, a Zorbly API skill that also mirrors cards to Quux, and a Quux skill. */
const ZORBLY_AND_QUUX = {
  "skills/zorbly-cli/SKILL.md": skill(
    "zorbly-cli",
    "Manage Zorbly boards and cards.",
    "# Zorbly CLI\n\nInstall the CLI with `npm install -g zorbly` and export `ZORBLY_API_KEY`. `zorbly boards` lists " +
      "boards, `zorbly card add --board ID --title TITLE` creates a card, and `zorbly card archive ID` archives a card.",
  ),
  "skills/zorbly-tasks/SKILL.md": skill(
    "zorbly-tasks",
    "Manage Zorbly boards and cards, and keep them as Quux items.",
    "# Zorbly tasks\n\nNeeds `ZORBLY_API_KEY` from the Zorbly settings page. Boards: GET https://api.zorbly.io/v2/boards. " +
      "New card: POST https://api.zorbly.io/v2/cards with a title and a board. Archive: DELETE the card.\n\n" +
      "## Mirror to Quux\n\nTo mirror cards into Quux, set `QUUX_TOKEN` and POST each card as an item to " +
      "https://api.quux.dev/v1/items; list what was mirrored with a GET on https://api.quux.dev/v1/items.",
  ),
  "skills/quux-items/SKILL.md": skill(
    "quux-items",
    "Keep items in Quux.",
    "# Quux items\n\nSet `QUUX_TOKEN`. Add an item with a POST to https://api.quux.dev/v1/items, list items with a GET " +
      "on https://api.quux.dev/v1/items, and remove one with a DELETE on its URL.",
  ),
};

/** One template filled for the Zorbly CLI, for the Quux CLI, and for both. */
function kanban(name: string, tools: string[]): string {
  return skill(
    name,
    "Manage kanban boards and cards from the terminal.",
    "# Kanban boards\n\nList boards, add a card with a title to a board, move a card between columns and archive it. " +
      tools.map((tool) =>
        `With ${tool}: \`npx ${tool} boards\`, \`npx ${tool} card add --board ID --title TITLE\`, ` +
        `\`npx ${tool} card move ID --to done\`.`
      ).join(" ") + " Cards keep their labels and due dates when moved.",
  );
}

Deno.test("a merge joins only skills that are one tool pair by pair: no chain of copies through a member", async () => {
  // kanban-both is a near copy of each, but kanban-zorbly and kanban-quux are one template for two tools.
  const clusters = await duplicateClusters({
    "skills/a/kanban-zorbly/SKILL.md": kanban("kanban-zorbly", ["zorbly-cli"]),
    "skills/b/kanban-both/SKILL.md": kanban("kanban-both", ["zorbly-cli", "quux-cli"]),
    "skills/c/kanban-quux/SKILL.md": kanban("kanban-quux", ["quux-cli"]),
  });
  const merged = clusters.filter((cluster) => cluster.action === "merge");
  assertEquals(merged.length, 1);
  assert(
    !(merged[0]!.members.includes("skills/a/kanban-zorbly/SKILL.md") &&
      merged[0]!.members.includes("skills/c/kanban-quux/SKILL.md")),
    `${merged[0]!.members}`,
  );
  // What the evidence would join beyond that is the owner's call, shown whole.
  const proposals = clusters.filter((cluster) => cluster.action === "review");
  assertEquals(proposals.map((proposal) => proposal.members.length), [3]);
  assertEquals(proposals[0]!.parts!.length, 2);
});

Deno.test("a master is judged by the skills it was made from, not by its accumulated text", async () => {
  const quux = ZORBLY_AND_QUUX["skills/quux-items/SKILL.md"];
  // A master whose text (edited, or accumulated over many merges) has become a copy of quux-items…
  const master = quux.replace(
    "---\n\n",
    "merged_from:\n  - name: zorbly-cli\n    path: skills/zorbly-cli/SKILL.md\n    hash: a1\n" +
      "  - name: zorbly-tasks\n    path: skills/zorbly-tasks/SKILL.md\n    hash: a2\n---\n\n",
  ).replace("name: quux-items", "name: zorbly");
  const files = { "skills/zorbly/SKILL.md": master, "skills/quux-items/SKILL.md": quux };
  assertEquals(await duplicateMembers(files), [["skills/quux-items/SKILL.md", "skills/zorbly/SKILL.md"]]);
  // …made from two Zorbly skills: against them, quux-items is not the same tool.
  const members = await discoverTree({
    "skills/zorbly-cli/SKILL.md": ZORBLY_AND_QUUX["skills/zorbly-cli/SKILL.md"],
    "skills/zorbly-tasks/SKILL.md": ZORBLY_AND_QUUX["skills/zorbly-tasks/SKILL.md"]
      .replace(/\n\n## Mirror to Quux[\s\S]*$/, "\n"),
  });
  const memberVectors = await embedder.embed(members.map(skillEmbeddingText));
  const { skills, vectors } = await library({ ...BACKGROUND, ...files });
  members.forEach((member, i) => vectors.set(member.contentHash, memberVectors[i]!));
  const clusters = await clusterSkills(skills.filter((s) => !s.excluded), vectors, {
    members: new Map([["skills/zorbly/SKILL.md", members]]),
  });
  assertEquals(clusters.filter((cluster) => cluster.kind === "duplicate"), []);
});

Deno.test("empty or stub bodies under different names stay apart; the same stub under one name still merges", async () => {
  const stub = (name: string, description: string) => `---\nname: ${name}\ndescription: ${description}\n---\n\n`;
  assertEquals(
    await duplicateMembers({
      "skills/a/google/SKILL.md": stub("google", "Google search"),
      "skills/b/instagram/SKILL.md": stub("instagram", "Instagram posts"),
      "skills/c/clawhub/SKILL.md": stub("clawhub", "The ClawHub registry"),
      "skills/d/gold/SKILL.md": skill("gold-price", "Thai gold prices.", "# Tool"),
      "skills/e/cola/SKILL.md": skill("pepsi-or-coke", "Choose a drink.", "# Tool"),
    }),
    [],
  );
  assertEquals(
    await duplicateMembers({
      "skills/a/google/SKILL.md": stub("google", "Google search"),
      "skills/b/google/SKILL.md": stub("google", "Search the web with Google"),
    }),
    [["skills/a/google/SKILL.md", "skills/b/google/SKILL.md"]],
  );
});

Deno.test("topic words shared by two services' descriptions are not identity: regional trip planners stay apart", async () => {
  const planner = (name: string, region: string, host: string) =>
    skill(
      name,
      `Plan bus and train journeys in ${region} with departures, disruptions and a trip planner.`,
      `# ${region} journeys\n\nQuery https://${host}/api/v2/trips with from, to and time. Show each bus and train leg, ` +
        `platforms and delays. Use when someone asks how to get somewhere by public transport in ${region}.`,
    );
  assertEquals(
    await duplicateMembers({
      "skills/rezkam/skanetrafiken/SKILL.md": planner("skanetrafiken", "Skåne", "www.skanetrafiken.se"),
      "skills/xenofex7/swiss-transport/SKILL.md": planner("swiss-transport", "Switzerland", "transport.opendata.ch"),
      "skills/simskii/tabussen/SKILL.md": planner("tabussen", "Västerbotten", "api.resrobot.se"),
    }),
    [],
  );
});

Deno.test("a description word that names the skills' service counts: two Jupiter swap skills written apart merge", async () => {
  assertEquals(
    await duplicateMembers({
      "skills/alice/solana-swaps/SKILL.md": skill(
        "solana-swaps",
        "Swap Solana tokens through Jupiter.",
        "# Swaps\n\nSet JUPITER_API_KEY. Quote with `node quote.js SOL USDC 1`, then swap with `node swap.js` and confirm " +
          "the transaction on Solana. Balances come from the Solana RPC.",
      ),
      "skills/bob/jupiter-trader/SKILL.md": skill(
        "solana-token-swaps",
        "Swap tokens on Solana with the Jupiter aggregator.",
        "# Trader\n\nNeeds JUPITER_API_KEY in the environment. Get a quote for SOL to USDC, swap the best route through " +
          "Jupiter, and print the Solana transaction signature and new balances.",
      ),
    }),
    [["skills/alice/solana-swaps/SKILL.md", "skills/bob/jupiter-trader/SKILL.md"]],
  );
});

Deno.test("everyone's programs, placeholder hosts and infrastructure variables are no identity", async () => {
  const paas = (name: string, product: string, extra: string) =>
    skill(
      name,
      `Deploy apps to ${product}.`,
      `# ${product}\n\nInstall with \`pip install requests\`, then call the ${product} API with curl. ` +
        `Point DATABASE_URL at your database and set the server to https://your-server.com. ${extra}`,
    );
  assertEquals(
    await duplicateMembers({
      "skills/a/dokploy/SKILL.md": paas("dokploy", "Dokploy", "Projects, applications and compose stacks."),
      "skills/b/coolify/SKILL.md": paas("coolify", "Coolify", "Resources, servers and one-click services."),
    }),
    [],
  );
});

Deno.test("a site two unrelated skills both link to, which neither names, is no identity", async () => {
  const agent = (name: string, job: string, detail: string) =>
    skill(
      name,
      `${job} agent.`,
      `# ${job}\n\nRequires the helper from https://support.apple.com/downloads before first use. ${detail} ` +
        `Run it every morning and report the results to the user in a short table.`,
    );
  assertEquals(
    await duplicateMembers({
      "skills/a/bybit-agent/SKILL.md": agent(
        "bybit-agent",
        "Bybit futures trading",
        "Opens and closes Bybit perpetual futures positions with BYBIT_API_KEY.",
      ),
      "skills/b/proxy-scrap/SKILL.md": agent(
        "proxy-scrap",
        "Proxy scraping",
        "Collects free HTTP proxies from public lists and tests which ones answer.",
      ),
    }),
    [],
  );
});

Deno.test("one job through two providers stays apart: Tesla control via Tessie and via MyTeslaMate", async () => {
  const tesla = (name: string, provider: string, host: string) =>
    skill(
      name,
      `Control your Tesla through ${provider} to lock it, run the climate and set charging.`,
      `# Tesla via ${provider}\n\nSet TESLA_TOKEN from your ${provider} account, then call https://api.${host}/v1/vehicles ` +
        `to list vehicles, lock and unlock, start climate, and set the charging limit.`,
    );
  assertEquals(
    await duplicateMembers({
      "skills/a/tesla-tessie/SKILL.md": tesla("tesla-tessie", "Tessie", "tessie.com"),
      "skills/b/tesla-commands/SKILL.md": tesla("tesla-commands", "MyTeslaMate", "myteslamate.com"),
    }),
    [],
  );
});

Deno.test("a provider only one of two same-tool skills names makes the pair a proposal, not a merge: one search API and a router over three", async () => {
  const search = (name: string, providers: Array<[string, string]>) =>
    skill(
      name,
      `Web search for agents through ${
        providers.map(([provider]) => provider).join(", ")
      }: ranked results and answers.`,
      `# ${name}\n\nSet TAVILY_API_KEY, then search the web with the Tavily API at https://api.tavily.com/search ` +
        `for ranked results, extracted page content and short answers.\n\n` +
        providers.map(([provider, host]) => `- ${provider}: https://${host}/docs`).join("\n"),
    );
  const tavily = search("tavily-search", [["Tavily", "tavily.com"]]);
  // Written apart by another author, for the same one provider: the same tool, merged.
  assertEquals(
    await duplicateMembers({
      "skills/a/tavily-search/SKILL.md": tavily,
      "skills/b/tavily-web/SKILL.md": search("tavily-web", [["Tavily", "tavily.com"]]),
    }),
    [["skills/a/tavily-search/SKILL.md", "skills/b/tavily-web/SKILL.md"]],
  );
  // One of them also routes to Serper and Exa, which the other never mentions: a wider product, for the owner.
  const clusters = await duplicateClusters({
    "skills/a/tavily-search/SKILL.md": tavily,
    "skills/b/web-search-plus/SKILL.md": search("web-search-plus", [
      ["Serper", "serper.dev"],
      ["Tavily", "tavily.com"],
      ["Exa", "exa.ai"],
    ]),
  });
  assertEquals(clusters.map((cluster) => [cluster.action, cluster.members]), [
    ["review", ["skills/a/tavily-search/SKILL.md", "skills/b/web-search-plus/SKILL.md"]],
  ]);
  assert(/tavily/.test(clusters[0]!.reasons[0]!), clusters[0]!.reasons[0]);
});

Deno.test("a provider named in two words counts as named: an OpenSky Network tracker is not merged with an AviationStack one", async () => {
  const tracker = (provider: string, host: string, optional: string) =>
    skill(
      "flight-tracker",
      `Flight tracker: live flights by callsign or airport using ${provider}.`,
      `# Flight Tracker\n\nTrack live flights, delays and positions through https://api.${host}/v1/flights.` +
        `\n\n${optional}`,
    );
  const clusters = await duplicateClusters({
    "skills/a/flight-tracker/SKILL.md": tracker(
      "AviationStack",
      "aviationstack.com",
      "Set AVIATIONSTACK_API_KEY for flight schedules.",
    ),
    "skills/b/flight-tracker/SKILL.md": tracker(
      "OpenSky Network",
      "opensky-network.org",
      "Optionally set AVIATIONSTACK_API_KEY for schedules from https://aviationstack.com.",
    ),
  });
  assertEquals(clusters.map((cluster) => cluster.action), ["review"]);
  assert(/opensky-network\.org is one's only/.test(clusters[0]!.reasons[0]!), clusters[0]!.reasons[0]);
});

Deno.test("a skill copied 1,800 times, as templates are in public registries, is one merge cluster", async () => {
  const copy = skill(
    "git-workflow",
    "Commit, branch and release the project's way.",
    "# Git workflow\n\n" +
      "Create a branch per change, write conventional commit messages, open a pull request and squash-merge it once " +
      "the checks pass; tag releases with the next semver version.",
  );
  const files: Record<string, string> = { ...BACKGROUND };
  for (let i = 0; i < 1800; i++) files[`skills/project-${i}/git-workflow/SKILL.md`] = copy;
  const skills = await discoverTree(files);
  // One component of 1,800 copies: beyond exact linkage's size, joined by the greedy method (exact linkage would
  // need a 1,800 × 1,800 matrix and billions of steps).
  const clusters = (await clusterSkills(skills, new Map())).filter((cluster) => cluster.kind === "duplicate");
  assertEquals(clusters.map((cluster) => [cluster.action, cluster.members.length]), [["merge", 1800]]);
});

Deno.test("a pair map holds more pairs than one JavaScript Map can (2^24), where clustering once failed", () => {
  const pairs = new PairMap<true>();
  const side = 4200; // 4,200 × 4,200 = 17.6 million pairs, past 2^24 (16.8 million)
  for (let a = 0; a < side; a++) for (let b = side; b < 2 * side; b++) pairs.set(a, b, true);
  assert(pairs.size > 2 ** 24, `${pairs.size}`);
  assertEquals([pairs.get(2 * side - 1, 0), pairs.get(side - 1, side), pairs.get(0, 1)], [true, true, undefined]);
});

Deno.test("stubs of one template under 2,000 different names are not paired with each other (that was n² pairs)", async () => {
  const stub = (name: string) =>
    `---\nname: ${name}\ndescription: TODO - what this skill does and when to use it\n---\n\n# My Skill\n\n` +
    "TODO: describe when this skill should be used.\n\n## Instructions\n\n1. [First step]\n2. [Second step]\n";
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) {
    files[`skills/stub-${i.toString(36)}-helper/SKILL.md`] = stub(`${i.toString(36)}-helper`);
  }
  // The same stub under one name, copied: those are copies, and still meet.
  for (let i = 0; i < 3; i++) files[`skills/fork-${i}/kanban-helper/SKILL.md`] = stub("kanban-helper");
  const skills = await discoverTree(files);
  const library = new SkillLibrary([...skills].sort((a, b) => (a.path < b.path ? -1 : 1)));
  let pairs = 0;
  for (const [, others] of library.candidatePairs()) pairs += others.length;
  assert(pairs < skills.length, `${pairs} candidate pairs for ${skills.length} skills`);
  const merged = (await clusterSkills(skills, new Map())).filter((cluster) => cluster.action === "merge");
  assertEquals(merged.map((cluster) => cluster.members.length), [3]);
});
