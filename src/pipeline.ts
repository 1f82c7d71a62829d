/**
 * The heartbeat pipeline: one run of discovery → clustering → consolidation →
 * publishing → launching → broadcasting over injected adapters, producing a run report.
 * It never needs cron, the network or a particular disk layout of its own, so
 * tests drive it directly.
 *
 * @module
 */

import { getLogger, withContext } from "@logtape/logtape";
import { posix, relative } from "node:path";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import { configuredDiscovery, discoverSkills, type DiscoveryResult } from "./discovery/discover.ts";
import { discoveryCacheKey } from "./discovery/discovery_cache.ts";
import type { Skill } from "./discovery/skill.ts";
import { clusteringFingerprint, clusterSkills } from "./clustering/cluster.ts";
import { embedSkills } from "./embedding/embed_skills.ts";
import type { Embedder, ModelInfo } from "./embedding/embedder.ts";
import type { FileSystem } from "./fs/file_system.ts";
import type { RepositoryWriter } from "./fs/repository_writer.ts";
import { recoverConsolidation } from "./consolidation/apply.ts";
import {
  ARCHIVE_INDEX,
  ArchiveIndexError,
  parseArchiveIndex,
  pathsOfNewEntries,
} from "./consolidation/archive_index.ts";
import type { Git } from "./publishing/git.ts";
import { broadcast, type MasterSkill } from "./broadcasting/broadcast.ts";
import type { RelayClient } from "./broadcasting/relay_client.ts";
import { launchToken } from "./launching/launch.ts";
import { readProvenance } from "./clustering/provenance.ts";
import { DECISIONS_FILE, PairDecisions, parseDecisions } from "./clustering/review_decisions.ts";
import { masterMembers } from "./consolidation/master_members.ts";
import { isPinned } from "./discovery/pinned.ts";
import { withReviewPreviews } from "./consolidation/review_preview.ts";
import { DraftMemo, type StoredDraft } from "./consolidation/draft_memo.ts";
import { parseFrontmatter } from "./discovery/frontmatter.ts";
import { ignoredPaths } from "./publishing/ignored_paths.ts";
import { commitMessage, publish } from "./publishing/publish.ts";
import { committedFile } from "./publishing/committed_file.ts";
import { pushedPaths } from "./publishing/published_paths.ts";
import { consolidate, type ConsolidateInput } from "./consolidation/consolidate.ts";
import { ROOT_CATEGORY } from "./logging.ts";
import {
  type ClusteringReport,
  type ClusterReport,
  markPhases,
  type PhaseName,
  PHASES,
  type RunReport,
  startReport,
} from "./report.ts";
import type { StartedRun, StateStore } from "./store/state_store.ts";
import { errorMessage } from "./error_message.ts";
import { SETTINGS_FILE } from "./repository_settings.ts";
import { NO_PROGRESS, type Progress } from "./progress.ts";

/** The adapters a run works through. */
export interface PipelineAdapters {
  /** Run history and caches. */
  store: StateStore;
  /** The time. */
  clock: Clock;
  /** The repository's files. */
  fs: FileSystem;
  /** The embedding model: its identity, and how to load it when something needs embedding. */
  embedder: EmbedderSource;
  /** Writes the repository (and nothing outside it). */
  repository: RepositoryWriter;
  /** Git in the repository; without it (Deno Deploy), publishing is skipped. */
  git?: Git | undefined;
  /** Nostr relays; without a client, events wait in the outbox. */
  relays?: RelayClient | undefined;
  /** Shows the long phases' progress (a terminal's stderr); nothing by default. */
  progress?: Progress | undefined;
}

/** An embedding model that is loaded only when needed. */
export interface EmbedderSource {
  /** The model's identity, known without loading it. */
  model: ModelInfo;
  /** Loads the model. */
  load(): Promise<Embedder>;
}

/** What a run is asked to do. */
export interface PipelineOptions {
  /** Validated configuration. */
  config: Config;
  /** Simulate: report decisions, change nothing but the state directory. */
  dryRun: boolean;
  /** Commit the changes. */
  commit: boolean;
  /** Push the commits. */
  push: boolean;
  /** The program's version, for the report. */
  version: string;
  /** Stops the run at the next safe point (between phases). */
  signal?: AbortSignal | undefined;
  /** The run's id; generated when absent. */
  runId?: string | undefined;
}

const logger = getLogger([ROOT_CATEGORY, "pipeline"]);

/**
 * Runs the pipeline once and records the run in the store.
 *
 * Each phase's outcome goes into the report; a phase that throws fails the
 * run and the phases after it are skipped (after launching, they still run). When `signal` aborts, the run stops
 * before the next phase and reports `interrupted`.
 *
 * @param adapters The store and clock.
 * @param options The configuration and what to do.
 * @returns The run report.
 */
export function runPipeline(adapters: PipelineAdapters, options: PipelineOptions): Promise<RunReport> {
  const started = adapters.clock.now();
  const runId = options.runId ?? newRunId(started);
  // Without the owner's consent (the repository's heartbeat.json) nothing is changed, whatever was asked.
  const consented = options.config.consent ? options : { ...options, dryRun: true };
  return withContext({ runId }, () => run(adapters, consented, runId, started));
}

async function run(
  adapters: PipelineAdapters,
  options: PipelineOptions,
  runId: string,
  started: Date,
): Promise<RunReport> {
  const { config, signal } = options;
  const report = startReport(reportHead(options, runId, started));
  if (!config.consent) {
    logger.warn("{repo} has not opted in ({file} is missing): this run changes nothing; heartbeat init opts in", {
      repo: config.repo,
      file: SETTINGS_FILE,
    });
  }
  logger.info(options.dryRun ? "Dry run started on {skillsDir}" : "Run started on {skillsDir}", {
    skillsDir: config.skillsDir,
  });

  // A run killed part-way leaves work to complete first: the tree must be whole before it is read.
  let interrupted: StartedRun | undefined;
  let recovered = 0;
  let step = "the run could not be marked as under way";
  try {
    if (!options.dryRun) {
      interrupted = await adapters.store.beginRun({ runId, startedAt: report.startedAt });
      step = "consolidation: an interrupted consolidation could not be completed";
      recovered = recoverConsolidation(adapters.repository, config.stateDir);
    }
  } catch (error) {
    report.status = "failed";
    report.error = `${step}: ${errorMessage(error)}`;
    markPhases(report, PHASES[0], "skipped", report.error);
    logger.error("{error}; nothing else is done until it can be", { error: report.error });
    return await finish(adapters, report, started);
  }
  if (interrupted) {
    logger.warn("The run {interrupted} did not finish (killed?): what it left is completed now", {
      interrupted: interrupted.runId,
    });
  }
  if (recovered > 0) {
    logger.warn("Completed an interrupted consolidation ({operations} operations)", { operations: recovered });
  }

  let skills: Skill[] = [];
  const progress = adapters.progress ?? NO_PROGRESS;
  const archiveDir = relative(config.repo, config.archiveDir).replaceAll("\\", "/");
  // What the two Nostr phases share.
  const nostr = {
    identity: config.nostr,
    relays: config.relays,
    client: adapters.relays,
    store: adapters.store,
    clock: adapters.clock,
    dryRun: options.dryRun,
  };
  const phases: Record<PhaseName, () => Promise<void>> = {
    discovery: async () => {
      const discovered = await runDiscovery(adapters, config);
      skills = mergeable(discovered.skills, config.pinned);
      report.discovery = discovered.report;
      const pinned = discovered.skills.filter((skill) => isPinned(skill, config.pinned)).map((skill) => skill.path);
      if (pinned.length > 0) report.discovery.pinned = pinned;
    },
    clustering: async () => {
      const clustered = await runClustering(adapters, config, skills, report.skillsDir, archiveDir);
      report.clusters = clustered.clusters;
      report.clustering = clustered.report;
    },
    consolidation: async () => {
      const drafts = new DraftMemo(await loadDrafts(adapters.store));
      const consolidation: ConsolidationInputs = {
        writer: adapters.repository,
        skillsDir: report.skillsDir,
        archiveDir,
        stateDir: config.stateDir,
        runId,
        dryRun: options.dryRun,
        progress,
        drafts,
      };
      // What each review proposal would write, planned before anything changes the tree.
      report.clusters = withReviewPreviews(report.clusters, {
        skills: new Map(skills.map((skill) => [skill.path, skill])),
        writer: adapters.repository,
        skillsDir: report.skillsDir,
        archiveDir,
        runId,
        progress,
        drafts,
      });
      report.consolidation = {
        ...consolidate({ ...consolidation, clusters: report.clusters, skills }),
        rounds: 1,
        mergedPerRound: [],
        ...(recovered > 0 ? { recovered } : {}),
      };
      // Merging changes the library (its statistics, who sits beside whom), so new duplicates can
      // appear among the masters and the rest: consolidate again until nothing merges, so that the
      // next run finds nothing to do. A dry run plans one round only: it writes nothing to build on.
      let merged = report.consolidation.merged.length;
      report.consolidation.mergedPerRound!.push(merged);
      while (!options.dryRun && merged > 0 && report.consolidation.rounds! < MAX_ROUNDS && !signal?.aborted) {
        skills = mergeable((await runDiscovery(adapters, config)).skills, config.pinned);
        const { clusters } = await runClustering(adapters, config, skills, report.skillsDir, archiveDir);
        const round = consolidate({ ...consolidation, clusters, skills });
        report.clusters.push(...clusters.filter((cluster) => cluster.action === "merge"));
        for (const key of ["merged", "written", "archived", "removed"] as const) {
          (report.consolidation[key] as unknown[]).push(...round[key]);
        }
        // A cluster refused once is refused again in every round: report it once.
        const refused = new Set(report.consolidation.refused.map((refusal) => refusal.members.join("\n")));
        report.consolidation.refused.push(
          ...round.refused.filter((refusal) => !refused.has(refusal.members.join("\n"))),
        );
        report.consolidation.rounds!++;
        merged = round.merged.length;
        report.consolidation.mergedPerRound!.push(merged);
      }
      report.consolidation.draftsReused = drafts.reused;
      await saveDrafts(adapters.store, drafts);
    },
    publishing: async () => {
      if (!adapters.git) {
        report.publishing = { status: "skipped", reason: "no git here", paths: [], committed: false, pushed: false };
        return;
      }
      const changed = [
        ...report.consolidation.written,
        ...report.consolidation.archived,
        ...report.consolidation.removed,
      ];
      // Merges an earlier run made and never committed (a crash, a full disk, --no-commit) are committed now.
      const unfinished = options.dryRun ? [] : await uncommittedMerges(adapters.git, adapters.repository, archiveDir);
      // The owner's review decisions are committed with the run after they were made.
      const decisions = options.dryRun ? [] : [posix.join(archiveDir, DECISIONS_FILE)];
      report.publishing = await publish({
        git: adapters.git,
        paths: [...new Set([...unfinished, ...changed, ...decisions])].sort(),
        interruptedRunStartedAt: interrupted && new Date(interrupted.startedAt),
        message: commitMessage(report.consolidation.merged),
        commit: options.commit,
        push: options.push,
        dryRun: options.dryRun,
        remote: config.git.remote,
        branch: config.git.branch,
        author: config.git.author,
        secrets: config.secrets,
      });
    },
    launching: async () => {
      report.launching = await launchToken({
        ...nostr,
        launch: config.launch,
        previousKeys: config.previousKeys,
        clawnchPubkey: config.clawnchPubkey,
      });
    },
    broadcasting: async () => {
      const inTree = currentMasters(adapters.repository, report.skillsDir, [
        ...report.consolidation.merged.map((merge) => merge.master),
        ...skills.filter((skill) => readProvenance(skill.frontmatter) !== undefined).map((skill) => skill.path),
      ]);
      // Relays hear only of what the remote has: a master not yet pushed waits for the run that pushes it.
      const pushed = adapters.git
        ? await pushedPaths(adapters.git, config.git, inTree.map((master) => master.path))
        : new Set<string>();
      const masters = inTree.filter((master) => pushed.has(master.path));
      report.broadcasting = await broadcast({ ...nostr, runId, masters, agentName: config.agentName });
      if (masters.length < inTree.length) {
        report.broadcasting.unpushed = inTree.length - masters.length;
        logger.info("{count} masters are announced once the remote has them", { count: report.broadcasting.unpushed });
      }
    },
  };
  for (const phase of PHASES) {
    if (signal?.aborted) {
      report.status = "interrupted";
      markPhases(report, phase, "interrupted", "the heartbeat was asked to stop");
      logger.warn("Stopped before {phase}: the heartbeat was asked to stop", { phase });
      break;
    }
    const phaseStarted = performance.now();
    try {
      await phases[phase]();
    } catch (error) {
      report.status = "failed";
      report.error = `${phase}: ${errorMessage(error)}`;
      report[phase].status = "failed";
      report[phase].reason = report.error;
      logger.error("Phase {phase} failed: {error}", { phase, error });
      if (INDEPENDENT_PHASES.has(phase)) continue;
      const next = PHASES[PHASES.indexOf(phase) + 1];
      if (next) markPhases(report, next, "skipped", `${phase} failed`);
      break;
    } finally {
      report.timings[phase] = Math.round(performance.now() - phaseStarted);
    }
  }

  return await finish(adapters, report, started);
}

/** Closes the report and records the run; a store that cannot record it (a full disk) fails the run, in the report. */
async function finish(adapters: PipelineAdapters, report: RunReport, started: Date): Promise<RunReport> {
  const finished = adapters.clock.now();
  report.finishedAt = finished.toISOString();
  report.timings.total = finished.getTime() - started.getTime();
  try {
    await adapters.store.recordRun({
      runId: report.runId,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      status: report.status,
      dryRun: report.dryRun,
      counts: { found: report.discovery.found, valid: report.discovery.valid, clusters: report.clusters.length },
    });
  } catch (error) {
    report.status = "failed";
    report.error ??= `the run could not be recorded: ${errorMessage(error)}`;
    logger.error("The run could not be recorded in the state store: {error}", { error });
  }
  logger.info("Run {status} in {ms} ms", { status: report.status, ms: report.timings.total });
  return report;
}

/**
 * The files of merges the archive's index records but the last commit does
 * not: what an earlier run merged and could not commit.
 */
async function uncommittedMerges(git: Git, repository: RepositoryWriter, archiveDir: string): Promise<string[]> {
  const indexPath = posix.join(archiveDir, ARCHIVE_INDEX);
  try {
    const paths = pathsOfNewEntries(
      parseArchiveIndex(repository.read(indexPath), indexPath),
      parseArchiveIndex(await committedFile(git, indexPath), indexPath),
    );
    return paths.length === 0 ? [] : [...paths, indexPath];
  } catch (error) {
    if (!(error instanceof ArchiveIndexError)) throw error;
    logger.warn("Earlier merges are not looked for: {error}", { error: error.message });
    return [];
  }
}

/** The skills that may merge: not excluded by discovery (errors, security findings), not pinned by the owner. */
function mergeable(skills: readonly Skill[], pins: readonly string[]): Skill[] {
  return skills.filter((skill) => !skill.excluded && !isPinned(skill, pins));
}

/**
 * Phases whose failure fails the run but not the phases after it: a launch
 * that cannot go ahead must not hold back the skills' events.
 */
const INDEPENDENT_PHASES: ReadonlySet<PhaseName> = new Set(["launching"]);

/** At most this many rounds of consolidation in one run. */
const MAX_ROUNDS = 5;

/** What every round of consolidation shares. */
type ConsolidationInputs = Omit<ConsolidateInput, "clusters" | "skills">;

/**
 * Embeds the skills (through the cache) and clusters them, reusing the last
 * run's clusters when the library is unchanged.
 */
async function runClustering(
  adapters: PipelineAdapters,
  config: Config,
  skills: readonly Skill[],
  skillsDir: string,
  archiveDir: string,
): Promise<{ clusters: ClusterReport[]; report: ClusteringReport }> {
  const started = performance.now();
  // The owner's decisions and the masters' members are read first: neither may be silently missed.
  const decisionsPath = posix.join(archiveDir, DECISIONS_FILE);
  const decisions = new PairDecisions(parseDecisions(adapters.repository.read(decisionsPath), decisionsPath));
  const members = masterMembers(adapters.repository, archiveDir, skills);
  const outcome = await embedSkills(
    [...skills, ...[...members.values()].flat()],
    adapters.embedder.model,
    adapters.store,
    adapters.embedder.load,
    adapters.progress,
  );
  const dims = outcome.vectors.values().next().value?.length ?? 0;
  const embeddedMs = Math.round(performance.now() - started);
  const options = { ...config.clustering, skillsDir, decisions, members, progress: adapters.progress ?? NO_PROGRESS };
  const fingerprint = clusteringFingerprint(skills, adapters.embedder.model.id, options);
  const reused = await adapters.store.loadClusters(fingerprint);
  const clusters = reused ?? clusterSkills(skills, outcome.vectors, options);
  if (!reused) await adapters.store.saveClusters(fingerprint, clusters);
  const merges = clusters.filter((cluster) => cluster.action === "merge" && cluster.kind === "duplicate");
  logger.info(
    "Embedded {embedded} skills with {model} ({cached} cached); {merges} clusters to merge ({members} skills), {reviews} proposed for review, {related} related",
    {
      embedded: outcome.embedded,
      cached: outcome.cached,
      model: adapters.embedder.model.name,
      merges: merges.length,
      members: merges.reduce((n, cluster) => n + cluster.members.length, 0),
      reviews: clusters.filter((cluster) => cluster.action === "review").length,
      related: clusters.filter((cluster) => cluster.kind === "related").length,
    },
  );
  return {
    clusters,
    report: {
      status: "ok",
      reused: reused !== undefined,
      embedding: {
        model: adapters.embedder.model.name,
        modelId: adapters.embedder.model.id,
        dims,
        embedded: outcome.embedded,
        cached: outcome.cached,
        loadMs: outcome.loadMs,
        ms: embeddedMs,
      },
    },
  };
}

/**
 * Discovers the skills, reusing the outcomes of files unchanged since the last
 * run, and saves the cache for the next.
 */
async function runDiscovery(
  adapters: PipelineAdapters,
  config: Config,
): Promise<DiscoveryResult> {
  const ignored = adapters.git ? await ignoredPaths(adapters.git, config.repo, config.skillsDir) : [];
  const options = configuredDiscovery(config, ignored);
  const cacheKey = discoveryCacheKey(options);
  const previous = await adapters.store.loadDiscoveryCache(cacheKey);
  const result = await discoverSkills(adapters.fs, {
    ...options,
    cache: previous,
    now: adapters.clock.now().getTime(),
    progress: adapters.progress ?? NO_PROGRESS,
  });
  await adapters.store.saveDiscoveryCache(cacheKey, previous, result.cache);
  const { report } = result;
  const errors = report.diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  logger.info(
    "Discovered {found} skill files: {parsed} parsed, {valid} valid, {errors} with errors ({read} read, {cached} unchanged)",
    {
      found: report.found,
      parsed: report.parsed,
      valid: report.valid,
      errors,
      read: result.read,
      cached: report.found - result.read,
    },
  );
  // A registry can hold thousands of broken files: the log names a few per rule and counts the rest (the report keeps
  // every one).
  const errorsByRule = new Map<string, number>();
  for (const diagnostic of report.diagnostics) {
    if (diagnostic.severity !== "error") continue;
    const count = (errorsByRule.get(diagnostic.rule) ?? 0) + 1;
    errorsByRule.set(diagnostic.rule, count);
    if (count <= LOGGED_PER_RULE) {
      logger.warn("{path}:{line}: {message}", { ...diagnostic, line: diagnostic.line ?? "" });
    }
  }
  for (const [rule, count] of errorsByRule) {
    if (count <= LOGGED_PER_RULE) continue;
    logger.warn("{count} errors of {rule} in all: {more} more not logged one by one (the report lists every one)", {
      count,
      rule,
      more: count - LOGGED_PER_RULE,
    });
  }
  return result;
}

/** The last run's drafts; none when the store cannot give them (a draft is only ever work saved). */
async function loadDrafts(store: StateStore): Promise<Map<string, StoredDraft>> {
  try {
    return await store.loadDrafts();
  } catch (error) {
    logger.warn("The last run's drafts cannot be read, every master is drafted again: {error}", { error });
    return new Map();
  }
}

/** Keeps this run's drafts for the next; a store that cannot keep them costs the next run time, not this run. */
async function saveDrafts(store: StateStore, drafts: DraftMemo): Promise<void> {
  if (!drafts.changed) return;
  try {
    await store.saveDrafts(drafts.used);
  } catch (error) {
    logger.warn("This run's drafts cannot be kept for the next: {error}", { error });
  }
}

/** How many errors of one rule the log names one by one. */
const LOGGED_PER_RULE = 5;

/** The masters at these paths as they stand in the tree now (after consolidation wrote them), with their paths. */
function currentMasters(
  repository: RepositoryWriter,
  skillsDir: string,
  paths: readonly string[],
): Array<MasterSkill & { path: string }> {
  const masters: Array<MasterSkill & { path: string }> = [];
  for (const path of new Set(paths)) {
    const bytes = repository.read(path);
    if (!bytes) continue;
    const content = new TextDecoder().decode(bytes);
    const { data } = parseFrontmatter(content);
    const provenance = data && readProvenance(data);
    if (!data || typeof data.name !== "string" || provenance === undefined) continue;
    masters.push({
      id: posix.relative(skillsDir, path).replace(/(\/SKILL)?\.md$/i, ""),
      path,
      name: data.name,
      version: String(data.version ?? "0.0.0"),
      description: typeof data.description === "string" ? data.description : "",
      tags: Array.isArray(data.tags) ? data.tags.map(String) : [],
      members: provenance.length,
      content,
    });
  }
  return masters;
}

/** What a report says of a run before it runs. */
function reportHead(options: Pick<PipelineOptions, "config" | "dryRun" | "version">, runId: string, started: Date) {
  return {
    runId,
    startedAt: started.toISOString(),
    dryRun: options.dryRun,
    version: options.version,
    repo: options.config.repo,
    skillsDir: relative(options.config.repo, options.config.skillsDir).replaceAll("\\", "/") || ".",
    ...(options.config.consent ? {} : { notOptedIn: true as const }),
  };
}

/**
 * The report of a run that failed before the pipeline could report it (its
 * state store would not open, its lock could not be written on a full disk):
 * failed, every phase skipped with the reason.
 *
 * @param options The configuration and what was asked.
 * @param at When the run started.
 * @param reason Why it failed, for a person.
 * @returns The report.
 */
export function failedRunReport(
  options: Pick<PipelineOptions, "config" | "dryRun" | "version">,
  at: Date,
  reason: string,
): RunReport {
  const report = startReport(reportHead(options, newRunId(at), at));
  report.status = "failed";
  report.error = reason;
  markPhases(report, PHASES[0], "skipped", reason);
  return report;
}

/**
 * A new run id: the start time (sortable) and a random suffix.
 *
 * @param at When the run starts.
 * @returns E.g. `20261125T014500Z-3f9a2c`.
 */
export function newRunId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const random = crypto.getRandomValues(new Uint8Array(3));
  return `${stamp}-${Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
