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

import { onHostingPlatform } from "./features.ts";
import type { SkillLibrary } from "./library.ts";
import type { PairAgreement } from "./approval.ts";
import type { EvidenceThresholds } from "./clustering_settings.ts";

/**
 * Two skills under different names are judged on their bodies only from this many words: below it a body is a
 * stub (empty, a line, a title), which says nothing of what the skill is.
 */
export const MIN_BODY_WORDS = 10;

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
  /** For the same tool written twice: how much the two agree, from which an owner's approval is estimated. */
  agreement?: PairAgreement;
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
  // What each says it is about: two stubs of one template for different subjects share their bodies, not their heads.
  const head = library.headSimilarity(a, b);
  if (x.features.bodyHash === y.features.bodyHash) {
    if (head >= thresholds.head) return copies(text, "identical bodies");
    return distinct(text, `one template, different subjects (head ${head.toFixed(2)})`, true);
  }
  // Every way to be the same tool needs this much text in common: decide cheaply first.
  if (text < Math.min(thresholds.sameToolText, thresholds.strongClueText, thresholds.sameTool)) {
    const content = library.contentSimilarity(a, b);
    if (content < thresholds.near) {
      const pack = library.samePublisher(a, b);
      return distinct(text, pack ?? "texts too different", pack !== undefined);
    }
  }
  const cluesA = library.clues(a);
  const cluesB = library.clues(b);
  const shared = [...cluesA.keys()].filter((clue) => cluesB.has(clue));
  const conflict = identityConflict(cluesA, cluesB, shared) ?? providerConflict(x, y);
  if (conflict) return distinct(text, conflict, true);
  const content = library.contentSimilarity(a, b);
  // A copy that names a provider of its own (a router over three search APIs made from a one-provider skill) is a
  // wider product: it is judged as the same tool written twice, where that provider makes it the owner's decision.
  const provider = providerOfOne([x.features, cluesA], [y.features, cluesB]);
  if (content >= thresholds.near && head >= thresholds.head && provider === undefined) {
    return copies(text, `near copies (content ${content.toFixed(2)}, head ${head.toFixed(2)})`);
  }
  const pack = library.samePublisher(a, b);
  if (pack) {
    return distinct(text, `${pack}, not near copies`, true);
  }
  // The same tool written twice names one identity: a token distinctive in the library and in the language, counted
  // once whatever fields it appears in (a template writes a service's name into its folder, title and description).
  const identityA = library.identity(a);
  const identityB = library.identity(b);
  const tokens = [...identityA.keys()].filter((token) => identityB.has(token)).sort();
  if (tokens.length === 0) return distinct(text, "no distinctive identity shared");
  if (head < thresholds.head) {
    return distinct(text, `about different things (head ${head.toFixed(2)}): ${tokens.slice(0, 3).join(", ")}`);
  }
  const meaning = library.meaningSimilarity(a, b);
  const agrees = text >= thresholds.sameTool ||
    (text >= thresholds.sameToolText && meaning !== undefined && meaning >= thresholds.meaning);
  if (!agrees) {
    return distinct(text, `texts too different (${text.toFixed(2)}, meaning ${meaning?.toFixed(2)})`);
  }
  // Named enough: two distinct tokens, one of them something it uses (a host, a variable, a tool), not only a word.
  // A token backs the identity when something concrete carries it (a host, a variable, a tool one of them uses), or
  // when both skills are named by it.
  const used = tokens.some((token) => identityA.get(token) || identityB.get(token));
  const backed = used || tokens.some((token) => x.features.name.includes(token) && y.features.name.includes(token));
  const ownService = extraServices(x.features, identityA, y.features, identityB);
  // Named two ways, one of them something it uses, is enough; named once, both must also say they are about the same
  // thing (their heads agree) and read the same (texts or meaning).
  const readsTheSame = text >= thresholds.conclusiveText ||
    (ownService === undefined && meaning !== undefined &&
      ((text >= thresholds.conclusiveMeaningText && meaning >= thresholds.conclusiveMeaning) ||
        (backed && meaning >= thresholds.meaning)));
  // Unattended, the identity must be something one of them uses: a word both say is a topic as often as a tool (two
  // projects' Astro rules, two runbook writers), unless their texts largely agree and so do their meanings (words a
  // generator's template shares are not agreement).
  const largelyAgree = text >= thresholds.conclusiveText && (meaning === undefined || meaning >= thresholds.meaning);
  const identified = (tokens.length >= 2 && used) ||
    (head >= thresholds.conclusiveHead && (largelyAgree || (used && readsTheSame)));
  // What one of them is mostly about and the other never mentions: a provider of its own, another product of the
  // family, its own project. The owner decides.
  const own = provider ?? hostsOfEach(cluesA, cluesB) ??
    subjectOfOne(library, a, b) ?? namedApart(library, a, b);
  const conclusive = identified && own === undefined;
  const verdict = identified && own
    ? `same tool but ${own} is one's only`
    : conclusive
    ? "same tool"
    : "one identity clue";
  return {
    duplicate: true,
    copy: false,
    conclusive,
    apart: false,
    text,
    agreement: { head, text, meaning: meaning ?? 0 },
    reason: `${verdict}: ${tokens.slice(0, 3).join(", ")} (text ${text.toFixed(2)}, head ${head.toFixed(2)}${
      meaning === undefined ? "" : `, meaning ${meaning.toFixed(2)}`
    })`,
  };
}

/**
 * Each skill's name holds a word the other never mentions: two subjects (a framework's React rules and its Vue
 * rules; a Linux clipboard tool and a macOS one), whatever else they share.
 */
function namedApart(library: SkillLibrary, a: number, b: number): string | undefined {
  const foreign = (p: number, q: number) => {
    const f = library.skills[p]!.features;
    return f.name.find((word) => /^[a-z][a-z0-9]{2,}$/.test(word) && !library.mentions(q, word));
  };
  const [one, other] = [foreign(a, b), foreign(b, a)];
  return one !== undefined && other !== undefined ? `${one} / ${other}` : undefined;
}

/**
 * Each skill reaches a rare host of its own, they share none, and one of them is a site on a hosting platform
 * (somebody's own deployment): one name served from two deployments (two platforms called OnlyMolts, one on
 * Railway, one on Vercel).
 */
function hostsOfEach(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string | undefined {
  const hosts = (clues: ReadonlyMap<string, number>) =>
    [...clues.keys()].filter((clue) => clue.startsWith("host:")).map((clue) => clue.slice("host:".length));
  const [p, q] = [hosts(a), hosts(b)];
  if (p.length === 0 || q.length === 0 || p.some((host) => b.has(`host:${host}`))) return undefined;
  const deployed = [...p, ...q].find(onHostingPlatform);
  return deployed === undefined ? undefined : `${p[0]} / ${q[0]}`;
}

/**
 * An identity of one skill's name or title that the other never uses, or uses without being named by it: what one
 * is about and the other is not (Grafana *Loki* beside Grafana Tempo; a project's own name beside a generic skill; a
 * BigQuery migration beside the general migration that mentions BigQuery among others).
 */
function subjectOfOne(library: SkillLibrary, a: number, b: number): string | undefined {
  for (const [p, q] of [[a, b], [b, a]] as const) {
    const f = library.skills[p]!.features;
    const other = library.skills[q]!.features.name;
    const own = [...f.name, ...f.title].find((word) =>
      library.identity(p).has(word) &&
      (!library.mentions(q, word) || (f.name.includes(word) && !other.includes(word)))
    );
    if (own) return own;
  }
  return undefined;
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
function extraServices(
  x: SkillFeatureView,
  identityX: ReadonlyMap<string, boolean>,
  y: SkillFeatureView,
  identityY: ReadonlyMap<string, boolean>,
): string | undefined {
  // A variable's first word names a service only when it is one of the skill's identities (`YOUR_CLIENT_ID` is not).
  const services = (f: SkillFeatureView, identity: ReadonlyMap<string, boolean>) =>
    new Set(f.env.map((name) => name.split("_")[0]!.toLowerCase()).filter((word) => identity.has(word)));
  // The service both name is not an extra one, whichever of them configures it.
  const [p, q] = [services(x, identityX), services(y, identityY)];
  for (const service of [...p]) if (identityY.has(service)) p.delete(service);
  for (const service of [...q]) if (identityX.has(service)) q.delete(service);
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
