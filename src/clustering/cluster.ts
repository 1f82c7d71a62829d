/**
 * The clustering phase: which skills are one tool (duplicate clusters, merged
 * by consolidation), and which are the same kind of tool (related clusters,
 * reported, merged only when configured).
 *
 * 1. Skills are sorted by path, so the result does not depend on the order
 *    they were found in.
 * 2. Candidate pairs come from an inverted index of rare words (never all n²
 *    pairs); each is judged by the duplicate evidence (`evidence.ts`).
 * 3. The duplicate pairs form components; within each, average linkage
 *    (`linkage.ts`) joins groups only when at least half of the pairs between
 *    them are duplicates, so no cluster hangs on a chain of links.
 * 4. Related clusters: duplicate clusters and single skills, compared by
 *    embedding through random-hyperplane buckets, joined by average linkage
 *    when their mean cosine reaches `related`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Skill } from "../discovery/skill.ts";
import type { ClusterReport } from "../report.ts";
import { judgePair, type PairEvidence } from "./evidence.ts";
import { approvalLikelihood, MIN_LIKELIHOOD } from "./approval.ts";
import { DEFAULT_RELATED, DEFAULT_THRESHOLDS, type EvidenceThresholds } from "./clustering_settings.ts";
import { SkillLibrary } from "./library.ts";
import { averageLinkageSteps } from "./linkage.ts";
import { PairMap } from "./pair_map.ts";
import { readProvenance } from "./provenance.ts";
import { PairDecisions, proposalId } from "./review_decisions.ts";
import { NO_PROGRESS, type Progress } from "../progress.ts";
import { append } from "../append.ts";
import { euclideanNorm } from "../vector_norm.ts";
import { type TimeSlice, UNSLICED } from "../time_slice.ts";

/** How clusters are formed. */
export interface ClusterOptions {
  /** The duplicate decision's thresholds. */
  thresholds?: EvidenceThresholds;
  /** The least average embedding cosine of a related cluster. */
  related?: number;
  /** Merge related clusters too (default: report them only). */
  mergeRelated?: boolean;
  /** The skills directory relative to the repository. */
  skillsDir?: string;
  /** The owner's review decisions. */
  decisions?: PairDecisions;
  /** Each master's members as they were merged (from the archive), by the master's path. */
  members?: ReadonlyMap<string, readonly Skill[]>;
  /** Counts the skills whose candidate pairs are judged (none by default). */
  progress?: Progress;
  /** Where the work gives the event loop a turn, and stops when the run must (never, by default). */
  slice?: TimeSlice;
}

/**
 * What a clustering result depends on: every skill's path and content, the
 * model and the options. An unchanged library has the same fingerprint, and
 * its last clusters are reused as they are.
 *
 * @param skills The skills.
 * @param modelId The embedding model's identity.
 * @param options The clustering options.
 * @returns A SHA-256, hex.
 */
export function clusteringFingerprint(skills: readonly Skill[], modelId: string, options: ClusterOptions): string {
  const { decisions, members, progress: _progress, slice: _slice, ...thresholds } = options;
  const hash = createHash("sha256").update(JSON.stringify({ version: ALGORITHM_VERSION, modelId, thresholds }));
  hash.update(decisions?.digest ?? "").update("\n");
  for (const [master, skills] of [...(members ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    hash.update(master).update("\0").update(skills.map((skill) => skill.contentHash).join(",")).update("\n");
  }
  for (const skill of [...skills].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(skill.path).update("\0").update(skill.contentHash).update("\n");
  }
  return hash.digest("hex");
}

/** Bumped whenever the algorithm changes what it returns for the same input. */
const ALGORITHM_VERSION = 5;

/** Groups join when at least this share of the pairs between them are duplicates. */
const DUPLICATE_LINKAGE = 0.5;

/**
 * Joins groups of items: components of the groups that `touch`, then average
 * linkage within each component over the items' pairwise `link`.
 */
async function linkGroups(
  groups: number[][],
  edges: ReadonlyArray<readonly [number, number]>,
  link: (a: number, b: number) => number,
  slice: TimeSlice,
): Promise<number[][]> {
  // Groups joined by any edge between their items form a component.
  const parent = groups.map((_, g) => g);
  const find = (g: number): number => parent[g] === g ? g : (parent[g] = find(parent[g]!));
  const groupOf = new Map<number, number>();
  groups.forEach((group, g) => group.forEach((item) => groupOf.set(item, g)));
  for (const [a, b] of edges) {
    const [g, h] = [find(groupOf.get(a)!), find(groupOf.get(b)!)];
    if (g !== h) parent[Math.max(g, h)] = Math.min(g, h);
  }
  const result: number[][] = [];
  for (const component of groupBy(groups.length, find).values()) {
    await slice.pause();
    if (component.length === 1) {
      result.push(groups[component[0]!]!);
      continue;
    }
    const groupLink = (g: number, h: number) => {
      let sum = 0;
      for (const a of groups[g]!) for (const b of groups[h]!) sum += link(a, b);
      return sum / (groups[g]!.length * groups[h]!.length);
    };
    const joined = await joinComponent(component, groupLink, DUPLICATE_LINKAGE, slice, () => ({
      edges: edges.map(([a, b]) => [groupOf.get(a)!, groupOf.get(b)!] as const),
      groups,
      link,
    }));
    const inJoined = new Set(joined.flat());
    for (const members of joined) result.push(members.flatMap((g) => groups[g]!).sort((x, y) => x - y));
    for (const g of component) if (!inJoined.has(g)) result.push(groups[g]!);
  }
  return result.sort((x, y) => x[0]! - y[0]!);
}

/**
 * Above this many groups in one component, exact average linkage (a k×k matrix, k³ steps) gives way to
 * {@linkcode greedyLinkage}: a template copied thousands of times makes one component of thousands.
 */
const LARGEST_EXACT_LINKAGE = 1500;

/**
 * Joins the groups of one component by average linkage: exactly while it is small enough, else greedily over its
 * edges (`large` describes them, asked for only then).
 */
function joinComponent(
  component: readonly number[],
  groupLink: (g: number, h: number) => number,
  threshold: number,
  slice: TimeSlice,
  large: () => {
    edges: ReadonlyArray<readonly [number, number]>;
    groups: readonly number[][];
    link: (a: number, b: number) => number;
  },
): Promise<number[][]> {
  if (component.length <= LARGEST_EXACT_LINKAGE) {
    return slice.run(averageLinkageSteps(component, groupLink, threshold));
  }
  const { edges, groups, link } = large();
  return greedyLinkage(component, edges, groups, link, threshold, slice);
}

/**
 * Average linkage for a component too large for the exact method: the edges between its groups, strongest first,
 * join two clusters when the average link between all their items reaches the threshold (a pair that must stay apart
 * forbids it). It costs the edges plus the pairs across each join it tries.
 *
 * @returns The joined groups of two or more, as lists of group indices.
 */
async function greedyLinkage(
  component: readonly number[],
  edges: ReadonlyArray<readonly [number, number]>,
  groups: readonly number[][],
  link: (a: number, b: number) => number,
  threshold: number,
  slice: TimeSlice,
): Promise<number[][]> {
  const inComponent = new Set(component);
  const members = new Map<number, number[]>(component.map((g) => [g, [g]]));
  const root = new Map<number, number>(component.map((g) => [g, g]));
  const find = (g: number): number => {
    const parent = root.get(g)!;
    if (parent === g) return g;
    const top = find(parent);
    root.set(g, top);
    return top;
  };
  const items = (cluster: number) => members.get(cluster)!.flatMap((g) => groups[g]!);
  const average = (x: number, y: number) => {
    const [left, right] = [items(x), items(y)];
    let sum = 0;
    for (const a of left) {
      for (const b of right) {
        const strength = link(a, b);
        if (strength === Number.NEGATIVE_INFINITY) return strength;
        sum += strength;
      }
    }
    return sum / (left.length * right.length);
  };
  const candidates = edges.filter(([g, h]) => g !== h && inComponent.has(g))
    .map(([g, h]) => ({ g: Math.min(g, h), h: Math.max(g, h), strength: link(groups[g]![0]!, groups[h]![0]!) }))
    .sort((x, y) => y.strength - x.strength || x.g - y.g || x.h - y.h);
  for (const { g, h } of candidates) {
    await slice.pause();
    const [x, y] = [find(g), find(h)];
    if (x === y || average(x, y) < threshold) continue;
    const [keep, gone] = x < y ? [x, y] : [y, x];
    append(members.get(keep)!, members.get(gone)!);
    members.delete(gone);
    root.set(gone, keep);
  }
  return [...members.values()].filter((joined) => joined.length > 1).map((joined) => joined.sort((a, b) => a - b));
}

/**
 * Clusters skills.
 *
 * @param skills The skills that may merge (not excluded by discovery).
 * @param vectors Embeddings by content hash; related clusters need them.
 * @param options Thresholds, the owner's decisions and the masters' members.
 * @returns Every cluster: duplicates (merge, then review) first, then related, each group's members sorted.
 */
export async function clusterSkills(
  skills: readonly Skill[],
  vectors: ReadonlyMap<string, Float32Array>,
  options: ClusterOptions = {},
): Promise<ClusterReport[]> {
  const slice = options.slice ?? UNSLICED;
  const { sorted, all, owner, groupOfSkill } = itemsOf(skills, options.members);
  const embeddings = all.map((skill) => vectors.get(skill.contentHash));
  const library = await SkillLibrary.build(
    all,
    { vectors: embeddings, skillsDir: options.skillsDir ?? "skills" },
    slice,
  );
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const { evidence, rejected, duplicatePairs } = await judgeCandidates(library, sorted.length, owner, options, slice);
  const is = (test: (verdict: PairEvidence) => boolean) => (a: number, b: number) => {
    const verdict = evidence.get(a, b);
    return verdict !== undefined && test(verdict);
  };
  const isCopy = is((verdict) => verdict.copy);
  const isConclusive = is((verdict) => verdict.conclusive);
  const apart = new PairMap<boolean>();
  const mustStayApart = (a: number, b: number) => {
    if (rejected.has(a, b)) return true;
    if (!apart.has(a, b)) apart.set(a, b, !evidence.has(a, b) && judgePair(library, a, b, thresholds).apart);
    return apart.get(a, b)!;
  };
  // Stronger evidence joins first: a pair links by 1 plus its text similarity.
  const linkBy = (counts: (a: number, b: number) => boolean) => (a: number, b: number) =>
    mustStayApart(a, b) ? Number.NEGATIVE_INFINITY : counts(a, b) ? 1 + evidence.get(a, b)!.text : 0;

  // Stage 1: copies (identical files or bodies, near copies) group first, so copies always end up together, but never
  // across a pair the evidence leaves to the owner (a one-tool copy and a two-tool copy of one template join, the two
  // one-tool versions do not).
  const isLeftToOwner = is((verdict) => verdict.duplicate && !verdict.conclusive);
  const copyLink = linkBy(isCopy);
  const copyGroups = await linkGroups(
    groupOfSkill,
    duplicatePairs.filter(([a, b]) => isCopy(a, b)),
    (a, b) => isLeftToOwner(a, b) ? Number.NEGATIVE_INFINITY : copyLink(a, b),
    slice,
  );
  // Stage 2: groups join unattended as the same tool written twice, on conclusive evidence only.
  const conclusiveLink = linkBy(isConclusive);
  const mergeGroups = await linkGroups(
    copyGroups,
    duplicatePairs.filter(([a, b]) => isConclusive(a, b)),
    // Complete linkage: every pair across two groups must be conclusive.
    (a, b) => isConclusive(a, b) ? conclusiveLink(a, b) : Number.NEGATIVE_INFINITY,
    slice,
  );
  // Stage 3: what the rest of the evidence would join is proposed to the owner, whole.
  const reviewGroups = await linkGroups(mergeGroups, duplicatePairs, linkBy((a, b) => evidence.has(a, b)), slice);

  const owners = (group: readonly number[]) => [...new Set(group.map((i) => owner[i]!))].sort((x, y) => x - y);
  const clusters: ClusterReport[] = [];
  const grouped = new Set<number>();
  for (const group of mergeGroups) {
    await slice.pause();
    if (owners(group).length < 2) continue;
    for (const i of owners(group)) grouped.add(i);
    clusters.push({ ...duplicateCluster(all, owners(group), library, group, evidence), action: "merge" });
  }
  const partOf = new Map<number, number[]>();
  for (const group of mergeGroups) for (const i of group) partOf.set(i, group);
  const proposals: ClusterReport[] = [];
  for (const group of reviewGroups) {
    await slice.pause();
    const parts = [...new Set(group.map((i) => partOf.get(i)!))];
    if (parts.length < 2) continue;
    // A proposal an owner would most likely refuse is not asked: its skills are only reported as related.
    const likelihood = proposalLikelihood(group, partOf, evidence);
    if (likelihood < MIN_LIKELIHOOD) continue;
    for (const i of owners(group)) grouped.add(i);
    const partPaths = parts.map((part) => owners(part).map((i) => sorted[i]!.path));
    proposals.push({
      ...duplicateCluster(all, owners(group), library, group, evidence),
      action: "review",
      id: proposalId(partPaths),
      parts: partPaths,
      likelihood,
    });
  }
  append(clusters, proposals.sort(byReviewOrder));

  // Related clusters over units: each duplicate cluster and each remaining skill.
  const indexOf = new Map(sorted.map((skill, i) => [skill.path, i]));
  const units = [
    ...clusters.filter((cluster) => cluster.action === "merge")
      .map((cluster) => cluster.members.map((path) => indexOf.get(path)!)),
    ...sorted.map((_, i) => i).filter((i) => !grouped.has(i)).map((i) => [i]),
  ].filter((unit) => unit.every((i) => embeddings[i] !== undefined));
  append(clusters, await relatedClusters(sorted, units, embeddings as Float32Array[], options, slice));
  return clusters;
}

/**
 * How likely the owner is to approve a proposal: the mean {@linkcode approvalLikelihood} of the evidence that joins its
 * parts (pairs within a part merge anyway).
 */
function proposalLikelihood(
  group: readonly number[],
  partOf: ReadonlyMap<number, readonly number[]>,
  evidence: PairMap<PairEvidence>,
): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < group.length; i++) {
    for (let j = i + 1; j < group.length; j++) {
      const agreement = partOf.get(group[i]!) === partOf.get(group[j]!)
        ? undefined
        : evidence.get(group[i]!, group[j]!)?.agreement;
      if (agreement === undefined) continue;
      sum += approvalLikelihood(agreement);
      pairs++;
    }
  }
  return round(pairs === 0 ? 0 : sum / pairs);
}

/**
 * The review queue's order: a proposal whose one decision answers for more than two skills (a skill copied into many
 * repositories) first, then the likeliest to be approved, then by id so the order is the same in every run.
 */
function byReviewOrder(a: ClusterReport, b: ClusterReport): number {
  const many = (cluster: ClusterReport) => (cluster.members.length > 2 ? 1 : 0);
  return many(b) - many(a) || (b.likelihood ?? 0) - (a.likelihood ?? 0) || (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0);
}

/**
 * The items clustering links: the skills by path, then each master's members in its stead. A master stands in the
 * library as the skills it was made from, so it is judged by them, not by its accumulated text: a newcomer joins it
 * only on evidence against its members.
 *
 * @param skills The skills.
 * @param members Each master's members, by the master's path.
 * @returns The skills sorted, every item (skills, then members), each item's skill, and each skill's items.
 */
function itemsOf(
  skills: readonly Skill[],
  members: ReadonlyMap<string, readonly Skill[]> | undefined,
): { sorted: Skill[]; all: Skill[]; owner: number[]; groupOfSkill: number[][] } {
  const sorted = [...skills].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const n = sorted.length;
  const shadows: Skill[] = [];
  const owner: number[] = sorted.map((_, i) => i);
  const groupOfSkill = sorted.map((skill, i) => {
    const own = members?.get(skill.path) ?? [];
    if (own.length === 0) return [i];
    return own.map((member) => {
      shadows.push(member);
      owner.push(i);
      return n + shadows.length - 1;
    });
  });
  return { sorted, all: [...sorted, ...shadows], owner, groupOfSkill };
}

/**
 * Judges the library's candidate pairs, skills of one master apart, the owner's decisions over the evidence.
 *
 * @param library The items' library.
 * @param n How many of the items are skills (the rest stand in for masters).
 * @param owner Each item's skill.
 * @param options The thresholds, decisions and progress.
 * @returns The duplicate pairs with their evidence, and the pairs the owner rejected.
 */
async function judgeCandidates(
  library: SkillLibrary,
  n: number,
  owner: readonly number[],
  options: ClusterOptions,
  slice: TimeSlice,
): Promise<{ evidence: PairMap<PairEvidence>; rejected: PairMap<true>; duplicatePairs: Array<[number, number]> }> {
  const all = library.skills;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const decisions = options.decisions ?? new PairDecisions();
  const represented = new Set(owner.slice(n));
  // A skill's paths for the owner's decisions: a master's own and its members'.
  const pathsOf = decisions.empty
    ? []
    : all.map((skill, i) =>
      i < n ? [skill.path, ...(readProvenance(skill.frontmatter) ?? []).map((entry) => entry.path)] : [skill.path]
    );
  const evidence = new PairMap<PairEvidence>();
  const rejected = new PairMap<true>();
  const duplicatePairs: Array<[number, number]> = [];
  const judged = (a: number, b: number, verdict: PairEvidence) => {
    const decision = decisions.empty ? undefined : decisions.decide(pathsOf[a]!, pathsOf[b]!);
    if (decision === "rejected") {
      rejected.set(a, b, true);
      return;
    }
    if (decision === "approved") verdict = { ...verdict, duplicate: true, conclusive: true, reason: "approved" };
    if (!verdict.duplicate) return;
    evidence.set(a, b, verdict);
    duplicatePairs.push([a, b]);
  };
  const judging = (options.progress ?? NO_PROGRESS).start("skills' pairs judged", all.length);
  let counted = 0;
  for (const [a, others] of library.candidatePairs()) {
    await slice.pause();
    judging.advance(a + 1 - counted);
    counted = a + 1;
    if (represented.has(a)) continue;
    const texts = library.textSimilarities(a, others);
    others.forEach((b, k) => {
      if (represented.has(b) || owner[a] === owner[b]) return;
      judged(a, b, judgePair(library, a, b, thresholds, texts[k]));
    });
  }
  judging.end();
  return { evidence, rejected, duplicatePairs };
}

/**
 * A duplicate cluster's report.
 *
 * @param all Every skill and master member by index.
 * @param members The cluster's skills (masters, not their members).
 * @param group What the evidence joined: skills and masters' members.
 */
function duplicateCluster(
  all: readonly Skill[],
  members: readonly number[],
  library: SkillLibrary,
  group: readonly number[],
  evidence: PairMap<PairEvidence>,
): Omit<ClusterReport, "action"> {
  let similarity = 0;
  let pairs = 0;
  const reasons = new Map<string, number>();
  for (let i = 0; i < group.length; i++) {
    for (let j = i + 1; j < group.length; j++) {
      const reason = evidence.get(group[i]!, group[j]!)?.reason.replace(/ \(.*\)$/, "");
      if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++, pairs++) {
      similarity += library.textSimilarity(members[i]!, members[j]!);
    }
  }
  const masters = members.filter((i) => readProvenance(all[i]!.frontmatter) !== undefined).map((i) => all[i]!.path);
  return {
    kind: "duplicate",
    score: round(similarity / pairs),
    members: members.map((i) => all[i]!.path),
    reasons: [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([reason]) => reason),
    ...(masters.length > 0 ? { master: masters[0]! } : {}),
  };
}

async function relatedClusters(
  skills: readonly Skill[],
  units: number[][],
  embeddings: readonly Float32Array[],
  options: ClusterOptions,
  slice: TimeSlice,
): Promise<ClusterReport[]> {
  const threshold = options.related ?? DEFAULT_RELATED;
  const dims = embeddings.find((vector) => vector !== undefined)?.length ?? 0;
  if (units.length < 2 || dims === 0) return [];
  const means = units.map((unit) => meanVector(unit.map((i) => embeddings[i]!), dims));
  const cosine = (a: number, b: number) => {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += means[a]![d]! * means[b]![d]!;
    return sum;
  };
  // Candidate pairs: units sharing a bucket in any of several random-hyperplane tables.
  const parent = units.map((_, i) => i);
  const find = (i: number): number => parent[i] === i ? i : (parent[i] = find(parent[i]!));
  // A pair meets in several tables: scoring it again is cheaper than remembering every pair scored, so only the
  // pairs that link are remembered (once each, as edges).
  const linked = new PairMap<true>();
  const edges: Array<[number, number]> = [];
  for (const bucket of await hyperplaneBuckets(means, dims, slice)) {
    await slice.pause();
    for (let x = 0; x < bucket.length; x++) {
      for (let y = x + 1; y < bucket.length; y++) {
        const a = bucket[x]!;
        const b = bucket[y]!;
        if (cosine(a, b) < threshold || linked.has(a, b)) continue;
        linked.set(a, b, true);
        parent[find(b)] = find(a);
        edges.push([a, b]);
      }
    }
  }
  const components = groupBy(units.length, find);
  const link = (a: number, b: number) => {
    const similarity = cosine(a, b);
    return similarity >= threshold ? similarity : 0;
  };
  const clusters: ClusterReport[] = [];
  for (const component of [...components.values()].filter((members) => members.length > 1)) {
    await slice.pause();
    const joined = await joinComponent(
      component,
      link,
      threshold,
      slice,
      () => ({ edges, groups: units.map((_, i) => [i]), link }),
    );
    for (const group of joined) {
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++, pairs++) sum += cosine(group[i]!, group[j]!);
      }
      const members = group.flatMap((unit) => units[unit]!.map((i) => skills[i]!.path)).sort();
      clusters.push({
        kind: "related",
        action: options.mergeRelated ? "merge" : "report",
        score: round(sum / pairs),
        members,
        reasons: [`the same kind of tool (meaning ${round(sum / pairs)})`],
      });
    }
  }
  return clusters.sort((a, b) => (a.members[0]! < b.members[0]! ? -1 : 1));
}

/** Units in the same bucket of any table; each table hashes by the signs of 10 fixed random projections. */
async function hyperplaneBuckets(
  vectors: readonly Float32Array[],
  dims: number,
  slice: TimeSlice,
): Promise<number[][]> {
  const TABLES = 12;
  const BITS = 10;
  let seed = 0x9e3779b9;
  const random = () => {
    // A fixed xorshift sequence: the same planes on every run.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 0x100000000) * 2 - 1;
  };
  const buckets: number[][] = [];
  for (let table = 0; table < TABLES; table++) {
    const planes = Array.from({ length: BITS }, () => Float32Array.from({ length: dims }, random));
    const byHash = new Map<number, number[]>();
    for (const [unit, vector] of vectors.entries()) {
      await slice.pause();
      let hash = 0;
      planes.forEach((plane, bit) => {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += plane[d]! * vector[d]!;
        if (dot > 0) hash |= 1 << bit;
      });
      const bucket = byHash.get(hash);
      if (bucket) bucket.push(unit);
      else byHash.set(hash, [unit]);
    }
    for (const bucket of byHash.values()) if (bucket.length > 1) buckets.push(bucket);
  }
  return buckets;
}

/** Indices 0…n-1 grouped by their root. */
function groupBy(n: number, root: (i: number) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const group = groups.get(root(i));
    if (group) group.push(i);
    else groups.set(root(i), [i]);
  }
  return groups;
}

function meanVector(vectors: readonly Float32Array[], dims: number): Float32Array {
  const mean = new Float32Array(dims);
  for (const vector of vectors) for (let d = 0; d < dims; d++) mean[d]! += vector[d]!;
  const norm = euclideanNorm(mean) || 1;
  for (let d = 0; d < dims; d++) mean[d]! /= norm;
  return mean;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
