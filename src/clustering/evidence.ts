/**
 * Whether two skills are the same tool, from evidence, with the reasons.
 *
 * Three ways two skills are one:
 *
 * 1. **Copies:** identical files, or identical bodies under other
 *    frontmatter.
 * 2. **Near copies:** the whole texts agree (rarity-weighted cosine at least
 *    `near`): the same skill renamed, versioned or lightly edited.
 * 3. **The same tool written twice:** different authors, a shared rare
 *    identity clue (the service's host, a CLI binary or package, an
 *    environment variable, a rare word of the title, description or name),
 *    and texts that agree beyond chance (`sameTool`).
 *
 * Copies are conclusive. The same tool written twice is conclusive only when
 * its identity is named two independent ways (its host and its variable, its
 * CLI and its name, …) or the texts largely agree (`conclusiveText`): one
 * shared clue is a lead that an owner reviews, never an unattended merge (a
 * shared `GEMINI_API_KEY` joins a Gemini media suite and Nano Banana; a shared
 * `spotify.com` joins an AppleScript remote and a CLI). Nor is it conclusive
 * when one skill names a provider the other never mentions (a router over
 * three search APIs beside one of them; the Tesla API through MyTeslaMate).
 *
 * Two vetoes, whatever the text says:
 *
 * - **Conflicting identity:** both skills name rare hosts or tools and share
 *   none of them: two services written from one template.
 * - **One author's pack:** for the third way, one author's skills about one
 *   service are the parts of a pack (`glab-deploy-key`, `glab-variable`), not
 *   the same tool twice.
 *
 * @module
 */

import type { SkillLibrary } from "./library.ts";
import type { EvidenceThresholds } from "./clustering_settings.ts";

/**
 * Two skills under different names are judged on their bodies only from this many words: below it a body is a
 * stub (empty, a line, a title), which says nothing of what the skill is.
 */
export const MIN_BODY_WORDS = 10;

/** Clues that name a service or tool (not merely a topic): a host, a tool, a variable, a name or a whole title. */
const NAMING_CLUE = /^(host|tool|env|name|namefull|titlefull):/;

/** Clues that name the tool itself: its whole name or title. */
const STRONG_CLUE = /^(namefull|titlefull):/;

/** The verdict on one pair. */
export interface PairEvidence {
  /** Whether the two are the same tool. */
  duplicate: boolean;
  /** Whether they are copies (identical or near): copies group before anything else. */
  copy: boolean;
  /**
   * Whether the evidence is enough to merge without the owner: copies, or one identity named two independent
   * ways. A duplicate that is not conclusive is proposed for review.
   */
  conclusive: boolean;
  /**
   * Whether the two must never share a cluster (one publisher's distinct
   * skills, or conflicting identities), however each relates to others.
   */
  apart: boolean;
  /** Rarity-weighted text similarity, 0–1. */
  text: number;
  /** Why, in a few words. */
  reason: string;
}

/**
 * Judges a pair.
 *
 * @param library The library's statistics.
 * @param a A skill's index.
 * @param b Another's.
 * @param thresholds The decision's thresholds.
 * @param text Their text similarity, when already computed.
 * @returns The verdict and its reason.
 */
export function judgePair(
  library: SkillLibrary,
  a: number,
  b: number,
  thresholds: EvidenceThresholds,
  text: number = library.textSimilarity(a, b),
): PairEvidence {
  const x = library.skills[a]!;
  const y = library.skills[b]!;
  if (x.contentHash === y.contentHash) {
    return copies(1, "identical files");
  }
  // An empty or stub body (a few words) is not a skill's substance: under another name it says nothing of what
  // the skill is, so nothing drawn from it (identical text, a title) makes the two one.
  if (
    x.name.toLowerCase() !== y.name.toLowerCase() &&
    Math.min(x.features.bodyWords, y.features.bodyWords) < MIN_BODY_WORDS
  ) {
    const pack = library.samePublisher(a, b);
    return distinct(text, pack ?? "a stub body", pack !== undefined);
  }
  if (x.features.bodyHash === y.features.bodyHash) {
    return copies(text, "identical bodies");
  }
  // Every way to be the same tool but identity needs this much text in common: decide cheaply first.
  if (text < Math.min(thresholds.sameToolText, thresholds.strongClueText, thresholds.sameTool, thresholds.near)) {
    const pack = library.samePublisher(a, b);
    return distinct(text, pack ?? "texts too different", pack !== undefined);
  }
  const cluesA = library.clues(a);
  const cluesB = library.clues(b);
  const shared = [...cluesA.keys()].filter((clue) => cluesB.has(clue));
  const conflict = identityConflict(cluesA, cluesB, shared) ?? providerConflict(x, y);
  if (conflict) return distinct(text, conflict, true);
  if (text >= thresholds.near) {
    return copies(text, `near copies (text ${text.toFixed(2)})`);
  }
  const pack = library.samePublisher(a, b);
  if (pack) {
    return distinct(text, `${pack}, not near copies`, true);
  }
  // A word of a description or title is a topic ("bus", "cpc", "thermostat") unless something that names a
  // service or tool agrees too, or the word is itself one of the skills' services (a host's name, a variable's
  // prefix, a tool: "jupiter" beside JUPITER_API_KEY).
  const services = new Set([...serviceWords(x.features), ...serviceWords(y.features)]);
  // A host both link to names their service only when one of them says so by name (a template's or a protocol's
  // site, linked from unrelated skills, does not).
  const namedByEither = new Set([...namedHosts(x.features), ...namedHosts(y.features)]);
  const naming = (clue: string) => {
    const [kind, value] = [clue.slice(0, clue.indexOf(":")), clue.slice(clue.indexOf(":") + 1)];
    if (kind === "host") return namedByEither.has(value);
    if (kind === "description" || kind === "title") return services.has(value);
    return NAMING_CLUE.test(clue);
  };
  if (!shared.some(naming)) {
    return distinct(text, shared.length === 0 ? "no shared identity clue" : `only topic words shared (${shared[0]})`);
  }
  const meaning = library.meaningSimilarity(a, b);
  const strong = shared.some((clue) => STRONG_CLUE.test(clue));
  const agrees = text >= thresholds.sameTool || (strong && text >= thresholds.strongClueText) ||
    (text >= thresholds.sameToolText && meaning !== undefined && meaning >= thresholds.meaning);
  if (!agrees) {
    return distinct(text, `texts too different (${text.toFixed(2)}, meaning ${meaning?.toFixed(2)})`);
  }
  const named = shared.sort((p, q) => cluesB.get(q)! - cluesB.get(p)! || (p < q ? -1 : 1)).slice(0, 3);
  const ways = new Set(shared.filter(naming).map(identityWay));
  // The model's reading is a second, independent way to know what a skill does, when the texts agree too, and
  // neither skill brings a service of its own (a third party in between, a wider skill's other providers).
  const identified = ways.size >= 2 || text >= thresholds.conclusiveText ||
    (text >= thresholds.conclusiveMeaningText && meaning !== undefined && meaning >= thresholds.conclusiveMeaning &&
      extraServices(x.features, y.features) === undefined);
  // A provider one of them names and the other never mentions: the other's service reached through a third party, a
  // wider skill over several providers, or a job of its own that uses the other as one step. The owner decides.
  const ownProvider = identified ? providerOfOne([x.features, cluesA], [y.features, cluesB]) : undefined;
  const conclusive = identified && ownProvider === undefined;
  const verdict = ownProvider
    ? `same tool but ${ownProvider} is named by one only`
    : conclusive
    ? "same tool"
    : "one identity clue";
  return {
    duplicate: true,
    copy: false,
    conclusive,
    apart: false,
    text,
    reason: `${verdict}: ${named.join(", ")} (text ${text.toFixed(2)}${
      meaning === undefined ? "" : `, meaning ${meaning.toFixed(2)}`
    })`,
  };
}

/**
 * A host one skill names as its service that the other neither links to nor says. Only a host rare in the library
 * counts (a clue): a site everyone links (`github.com`) is nobody's provider.
 */
function providerOfOne(
  x: readonly [SkillFeatureView, ReadonlyMap<string, number>],
  y: readonly [SkillFeatureView, ReadonlyMap<string, number>],
): string | undefined {
  for (const [[p, clues], [q]] of [[x, y], [y, x]] as const) {
    const said = saidWords(q);
    const own = namedHosts(p).find((host) =>
      clues.has(`host:${host}`) && !q.hosts.includes(host) && !said.has(hostName(host))
    );
    if (own) return own;
  }
  return undefined;
}

/** A service one skill configures (a variable's first word) that the other does not: a third party, or a wider skill. */
function extraServices(x: SkillFeatureView, y: SkillFeatureView): string | undefined {
  const services = (f: SkillFeatureView) => new Set(f.env.map((name) => name.split("_")[0]!));
  const [p, q] = [services(x), services(y)];
  return [...p].find((s) => !q.has(s)) ?? [...q].find((s) => !p.has(s));
}

/** The verdict that two skills are copies. */
function copies(text: number, reason: string): PairEvidence {
  return { duplicate: true, copy: true, conclusive: true, apart: false, text, reason };
}

/** The verdict that two skills are not one tool; `apart` when they must never share a cluster. */
function distinct(text: number, reason: string, apart = false): PairEvidence {
  return { duplicate: false, copy: false, conclusive: false, apart, text, reason };
}

/** Which way a clue names a tool: its host, its variables, its programs, or its own name and title. */
function identityWay(clue: string): string {
  const kind = clue.slice(0, clue.indexOf(":"));
  if (kind === "toolword") return "tool";
  return kind === "host" || kind === "env" || kind === "tool" ? kind : "name";
}

/**
 * Each skill names a service of its own by host (`tessie.com` in a skill that says "Tessie"), the two name
 * different ones, and neither links to the other's: one job through two providers.
 */
function providerConflict(
  x: { features: SkillFeatureView },
  y: { features: SkillFeatureView },
): string | undefined {
  const [p, q] = [namedHosts(x.features), namedHosts(y.features)];
  if (p.length === 0 || q.length === 0) return undefined;
  if (p.some((host) => y.features.hosts.includes(host)) || q.some((host) => x.features.hosts.includes(host))) {
    return undefined;
  }
  return `different providers (${p[0]} / ${q[0]})`;
}

/**
 * The hosts a skill names: those whose name its own name, title or description says (`tessie.com`, "Tessie";
 * `opensky-network.org`, "OpenSky Network").
 */
function namedHosts(features: SkillFeatureView): string[] {
  const said = saidWords(features);
  return features.hosts.filter((host) => said.has(hostName(host)));
}

/** Each skill's said words, built once: every candidate pair asks for them. */
const saidWordsOf = new WeakMap<SkillFeatureView, Set<string>>();

/** The words of a skill's name, title and description, and each two neighbours written as one ("opensky network"). */
function saidWords(features: SkillFeatureView): Set<string> {
  let said = saidWordsOf.get(features);
  if (said) return said;
  const pairs = (words: readonly string[]) => words.slice(1).map((word, i) => words[i] + word);
  said = new Set([
    ...features.name,
    features.name.join(""),
    ...features.title,
    ...pairs(features.title),
    ...features.description,
    ...pairs(features.description),
  ]);
  saidWordsOf.set(features, said);
  return said;
}

/** A host's name as a word: `browser-use.com` → `browseruse`. */
function hostName(host: string): string {
  return host.split(".")[0]!.replace(/-/g, "");
}

/** What the identity checks read of a skill's features. */
interface SkillFeatureView {
  hosts: string[];
  env: string[];
  tools: string[];
  name: string[];
  title: string[];
  description: string[];
}

/** The words that name a skill's services: its hosts' names, its service variables' prefixes, its tools' words. */
function serviceWords({ hosts, env, tools }: SkillFeatureView): string[] {
  return [
    ...hosts.map(hostName),
    ...env.map((name) => name.split("_")[0]!.toLowerCase()),
    ...tools.flatMap((tool) => tool.split("/").pop()!.split(/[-_.]/)),
  ];
}

/**
 * Both run rare CLI tools or packages, none of them agree, and nothing else
 * that names a tool agrees either (a variable, the whole name or title): two
 * tools, perhaps written from one template. A shared host does not lift the
 * veto: skills written from one template link to the same sites.
 */
function identityConflict(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  shared: readonly string[],
): string | undefined {
  if (shared.some((clue) => /^(tool|env|namefull|titlefull):/.test(clue))) return undefined;
  const tools = (clues: ReadonlyMap<string, number>) => [...clues.keys()].filter((clue) => clue.startsWith("tool:"));
  const x = tools(a);
  const y = tools(b);
  if (x.length === 0 || y.length === 0) return undefined;
  return `different tools (${x[0]} / ${y[0]})`;
}
