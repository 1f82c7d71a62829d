/**
 * The run report: what one heartbeat run found, decided and did. `--json`
 * prints it as is; it is the interface later tooling reads, so its top-level
 * keys never move (new keys may be added).
 *
 * @module
 */

import type { LaunchOutcome } from "./launching/launch_record.ts";
import { printable } from "./printable.ts";
import { PROGRAM_NAME } from "./program_name.ts";
import { append } from "./append.ts";
import { describeLoosening, type LoosenedThreshold } from "./threshold_overrides.ts";

/** How a phase ended. */
export type PhaseStatus = "ok" | "skipped" | "failed" | "interrupted";

/** The status every phase report carries. */
export interface PhaseOutcome {
  /** How the phase ended. */
  status: PhaseStatus;
  /** Why it was skipped, failed or stopped, when it did not end `ok`. */
  reason?: string;
}

/** How bad a diagnostic is. */
export type Severity = "error" | "warning" | "info";

/** Something wrong with one file, found without stopping the run. */
export interface Diagnostic {
  /** The file, relative to the repository root, POSIX separators. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** 1-based column in the file, when known. */
  column?: number;
  /** `error` excludes the file from merging; `warning` and `info` do not. */
  severity: Severity;
  /** A short stable identifier of the rule that was broken. */
  rule: string;
  /** What is wrong, for a person. */
  message: string;
}

/** The discovery phase's report. */
export interface DiscoveryReport extends PhaseOutcome {
  /** Skill files found. */
  found: number;
  /** Files whose frontmatter was read. */
  parsed: number;
  /** Files that may take part in merging. */
  valid: number;
  /** `parsed / found` (1 when nothing was found). */
  parseSuccessRate: number;
  /** Every problem found, with its file. */
  diagnostics: Diagnostic[];
  /**
   * Files the security scan found malicious behaviour in, with the rules they broke: never merged, never a master,
   * never announced; left where they are for the owner.
   */
  quarantined?: Array<{ path: string; rules: string[] }>;
  /** Skills the owner pinned (`heartbeat.json` or `pinned: true`): left out of every cluster. */
  pinned?: string[];
}

/** What embedding the skills did. */
export interface EmbeddingReport {
  /** The model's name. */
  model: string;
  /** The model's identity (hash of its files). */
  modelId: string;
  /** Vector width. */
  dims: number;
  /** Skills embedded in this run. */
  embedded: number;
  /** Skills whose vectors came from the cache. */
  cached: number;
  /** Milliseconds loading the model (0: not loaded, everything was cached). */
  loadMs: number;
  /** Milliseconds in all. */
  ms: number;
}

/** The clustering phase's report. */
export interface ClusteringReport extends PhaseOutcome {
  /** Whether the library was unchanged and the last run's clusters were reused. */
  reused?: boolean;
  /** The embeddings behind related clusters. */
  embedding?: EmbeddingReport;
}

/** One cluster of skills and what is done with it. */
export interface ClusterReport {
  /** `duplicate`: the same tool; `related`: the same kind of tool. */
  kind: "duplicate" | "related";
  /**
   * `merge`: consolidated into a master unattended; `review`: proposed to the owner, merged only once approved
   * (`heartbeat approve ID`); `report`: only reported.
   */
  action: "merge" | "review" | "report";
  /** A review proposal's id, the same in every run while its parts are unchanged. */
  id?: string;
  /** A review proposal's parts: what merges anyway (or a single skill), joined only if the owner approves. */
  parts?: string[][];
  /**
   * A review proposal's likelihood of approval, 0–1: how much its parts agree on what they are about, what they say
   * and what they mean. Proposals come likeliest first (after those whose one decision answers for many skills).
   */
  likelihood?: number;
  /** A review proposal's master as it would be written: a unified diff against the file it would replace. */
  preview?: string;
  /** The cluster's similarity score, 0–1. */
  score: number;
  /** The member skill files, relative to the repository root, POSIX separators. */
  members: string[];
  /** The main reasons the members belong together. */
  reasons: string[];
  /** The master skill from an earlier run among the members, which consolidation updates. */
  master?: string;
}

/** One master skill written (or, in a dry run, planned). */
export interface MergeReport {
  /** The master's path. */
  master: string;
  /** Its name. */
  name: string;
  /** Its new version. */
  version: string;
  /** Whether an earlier master absorbed newcomers. */
  absorbed: boolean;
  /** The members, by path. */
  members: string[];
  /** Disagreements settled in favour of the richest member, and files not carried over. */
  conflicts: string[];
  /** In a dry run: the unified diff of the master against the file it replaces. */
  diff?: string;
}

/** The consolidation phase's report. */
export interface ConsolidationReport extends PhaseOutcome {
  /** The masters. */
  merged: MergeReport[];
  /** Clusters that could not merge, and why (different licences, a skill in the way). */
  refused: Array<{ members: string[]; reason: string }>;
  /** Files written: masters, carried-over supporting files, the archive's index. */
  written: string[];
  /** Files copied into the archive. */
  archived: string[];
  /** Originals removed from the skills directory (their copies are in the archive). */
  removed: string[];
  /** Operations of an interrupted consolidation completed at the start of this run. */
  recovered?: number;
  /** Rounds of consolidation: merging can reveal new duplicates, merged in the same run. */
  rounds?: number;
  /** Masters whose draft was taken from the last run (their members unchanged). */
  draftsReused?: number;
  /** Masters written by each round: later rounds add only what the first round's evidence already allowed. */
  mergedPerRound?: number[];
}

/** The publishing phase's report. */
export interface PublishingReport extends PhaseOutcome {
  /** The paths committed, or that would be (a dry run) or will be (`--no-commit`). */
  paths: string[];
  /** Whether a commit was made. */
  committed: boolean;
  /** The commit's id, when one was made. */
  commit?: string;
  /** Whether the branch was pushed. */
  pushed: boolean;
  /** git's lock files an interrupted run left, removed before committing (`.git/index.lock`). */
  removedLocks?: string[];
}

/** The broadcasting phase's report. */
export interface BroadcastingReport extends PhaseOutcome {
  /** Each event sent this run, with each relay's answer to every try (a retry adds results). */
  events: Array<{
    id: string;
    kind: number;
    subject: string;
    accepted: boolean;
    results: Array<{ relay: string; accepted: boolean; message: string }>;
    /** Why it was neither signed nor sent (it holds the agent's key): an event refused, its id empty when unsigned. */
    refused?: string;
  }>;
  /** Events still waiting in the outbox. */
  pending: number;
  /** Masters in the tree that the remote does not have yet: they are announced once pushed. */
  unpushed?: number;
  /** In a dry run: the events that would be signed and sent. */
  unsigned?: Array<{ kind: number; created_at: number; content: string; tags: string[][] }>;
}

/** The launching phase's report: the Clawnch launch of the agent's token. */
export interface LaunchingReport extends PhaseOutcome {
  /** The symbol, when the launch is configured. */
  symbol?: string;
  /**
   * What the phase decided: `launch` (signed and queued for the relays; in a
   * dry run, what a real run would do), `wait` (not now: the reason says
   * why), `launched` (this symbol was launched before: nothing is posted).
   */
  decision?: "launch" | "wait" | "launched";
  /** The launch post: in a dry run the exact post a real run would sign, else the one posted. */
  post?: { id?: string; kind: number; created_at: number; content: string; tags: string[][]; pubkey?: string };
  /** Where the launch post stands: in the outbox, accepted by relays, or found on the relays. */
  state?: "queued" | "published" | "found";
  /** Clawnch's answer, once a verified reply was read. */
  outcome?: LaunchOutcome;
  /** Replies not signed by the configured Clawnch key. */
  unverifiedReplies?: number;
}

/** How the whole run ended. */
export type RunStatus = "ok" | "failed" | "interrupted";

/** The names of the pipeline's phases, in order. */
export const PHASES = [
  "discovery",
  "clustering",
  "consolidation",
  "publishing",
  "launching",
  "broadcasting",
] as const;

/** A phase name. */
export type PhaseName = typeof PHASES[number];

/** The report of one heartbeat run. */
export interface RunReport {
  /** A unique id; it appears on each of the run's log lines. */
  runId: string;
  /** When the run started, ISO 8601 UTC. */
  startedAt: string;
  /** When the run ended, ISO 8601 UTC. */
  finishedAt: string;
  /** Whether this was a simulation that changed nothing. */
  dryRun: boolean;
  /** Set when the repository has not opted in (no `heartbeat.json`), so the run was a dry run whatever was asked. */
  notOptedIn?: true;
  /**
   * Duplicate thresholds looser than their defaults, each with its default, value and source (`heartbeat.json`,
   * which a contributor can change, or the owner's `--duplicate-thresholds`); absent when there are none.
   */
  loosenedThresholds?: LoosenedThreshold[];
  /** How the run ended. */
  status: RunStatus;
  /** The program's version. */
  version: string;
  /** The repository root, absolute. */
  repo: string;
  /** The skills directory, relative to the repository root. */
  skillsDir: string;
  /** Discovery of skill files. */
  discovery: DiscoveryReport;
  /** The clustering phase's status. */
  clustering: ClusteringReport;
  /** Every cluster found. */
  clusters: ClusterReport[];
  /** Consolidation of clusters into master skills. */
  consolidation: ConsolidationReport;
  /** Commit and push. */
  publishing: PublishingReport;
  /** The token launch (its post is sent by broadcasting, with the other events). */
  launching: LaunchingReport;
  /** Nostr events. */
  broadcasting: BroadcastingReport;
  /** Milliseconds per phase, and `total`. */
  timings: Partial<Record<PhaseName | "total", number>>;
  /** The error that failed the run, when it failed. */
  error?: string;
}

/** What a report says about its run before any phase has run. */
export type ReportHead = Pick<
  RunReport,
  "runId" | "startedAt" | "dryRun" | "version" | "repo" | "skillsDir" | "notOptedIn" | "loosenedThresholds"
>;

/**
 * A report whose phases have not run yet.
 *
 * @param head The run's identity and what it runs on.
 * @returns The report, `ok` until a phase says otherwise.
 *
 * @example
 * ```ts
 * import { startReport } from "./report.ts";
 * const report = startReport({
 *   runId: "r", startedAt: "2026-11-30T00:00:00.000Z", dryRun: true, version: "0.1.0", repo: "/srv", skillsDir: "skills",
 * });
 * console.assert(report.status === "ok" && report.clusters.length === 0);
 * ```
 */
export function startReport(head: ReportHead): RunReport {
  const notRun = { status: "skipped" as const, reason: "not run" };
  return {
    ...head,
    finishedAt: head.startedAt,
    status: "ok",
    // Each phase replaces its section when it runs; one that never runs says so.
    discovery: { ...notRun, found: 0, parsed: 0, valid: 0, parseSuccessRate: 1, diagnostics: [] },
    clustering: { ...notRun },
    clusters: [],
    consolidation: { ...notRun, merged: [], refused: [], written: [], archived: [], removed: [] },
    publishing: { ...notRun, paths: [], committed: false, pushed: false },
    launching: { ...notRun },
    broadcasting: { ...notRun, events: [], pending: 0 },
    timings: {},
  };
}

/**
 * Gives a phase and every phase after it a status and its reason.
 *
 * @param report The report.
 * @param from The first phase to mark.
 * @param status What happened to them.
 * @param reason Why.
 */
export function markPhases(
  report: RunReport,
  from: PhaseName,
  status: "skipped" | "interrupted",
  reason: string,
): void {
  for (const phase of PHASES.slice(PHASES.indexOf(from))) {
    report[phase].status = status;
    report[phase].reason = reason;
  }
}

/**
 * Renders a report for a person.
 *
 * @param report The run report.
 * @returns Plain text, one fact per line.
 */
export function formatReport(report: RunReport): string {
  const { discovery } = report;
  // The run's headline names the phase that failed it; its reason is on the phase's line and in "error".
  const failedIn = PHASES.find((phase) => report[phase].status === "failed");
  const lines = [
    `Run ${report.runId} ${report.status}${failedIn ? ` (in ${failedIn})` : ""}${
      report.notOptedIn
        ? ` (dry run: this repository has not opted in, so nothing changed; ${PROGRAM_NAME} init opts in)`
        : report.dryRun
        ? " (dry run: nothing changed)"
        : ""
    } in ${report.timings.total ?? 0} ms`,
    ...(report.loosenedThresholds ?? []).map((loosened) =>
      `  warning: ${describeLoosening(loosened)}: more skills merge unattended`
    ),
    `  discovery      ${
      describe(discovery)
    }: ${discovery.found} found, ${discovery.parsed} parsed, ${discovery.valid} valid, ${discovery.diagnostics.length} diagnostics`,
    `  clustering     ${describe(report.clustering)}: ${countClusters(report.clusters)}${
      discovery.pinned ? `; ${discovery.pinned.length} pinned skills left alone` : ""
    }`,
  ];
  const { consolidation } = report;
  lines.push(
    `  consolidation  ${describe(consolidation)}: ${consolidation.merged.length} masters${
      report.dryRun ? " planned" : ""
    }, ${consolidation.archived.length} files archived, ${consolidation.refused.length} clusters refused`,
  );
  const { publishing, broadcasting } = report;
  lines.push(
    `  publishing     ${describe(publishing)}${
      publishing.committed ? `: committed ${publishing.commit?.slice(0, 12)}${publishing.pushed ? ", pushed" : ""}` : ""
    }`,
  );
  append(lines, formatLaunch(report.launching, report.dryRun));
  const accepted = broadcasting.events.filter((event) => event.accepted).length;
  lines.push(
    `  broadcasting   ${describe(broadcasting)}${
      broadcasting.unsigned
        ? ""
        : `: ${accepted} of ${broadcasting.events.length} events accepted, ${broadcasting.pending} waiting`
    }`,
  );
  append(lines, formatQuarantine(discovery.quarantined ?? []));
  append(lines, formatDiagnostics(discovery.diagnostics));
  append(lines, formatClusters(report.clusters));
  if (report.error) lines.push(`  error: ${report.error}`);
  // Paths, names and relay replies come from outside: none may break a line or recolour the terminal.
  return lines.map(printable).join("\n");
}

/** How many clusters the human report lists. */
const LISTED_CLUSTERS = 20;

/** The clusters by outcome: `3 to merge, 1 proposed for review, 2 related`. */
function countClusters(clusters: readonly ClusterReport[]): string {
  const count = (action: ClusterReport["action"], kind: ClusterReport["kind"]) =>
    clusters.filter((cluster) => cluster.action === action && cluster.kind === kind).length;
  const related = count("report", "related");
  return `${count("merge", "duplicate")} to merge, ${
    count("review", "duplicate")
  } proposed for review (${PROGRAM_NAME} review), ${related} related${
    count("merge", "related") > 0 ? ` (+${count("merge", "related")} related merged)` : ""
  }`;
}

function formatClusters(clusters: readonly ClusterReport[]): string[] {
  const lines = clusters.slice(0, LISTED_CLUSTERS).map((cluster) =>
    `  ${cluster.kind} (${cluster.action}${cluster.id ? ` ${cluster.id}` : ""}, ${cluster.score}): ${
      cluster.members.join(", ")
    }${cluster.master ? ` [master ${cluster.master}]` : ""} — ${cluster.reasons.join("; ")}`
  );
  if (clusters.length > LISTED_CLUSTERS) {
    lines.push(`  … and ${clusters.length - LISTED_CLUSTERS} more clusters (--json lists all)`);
  }
  return lines;
}

/** How many quarantined files the human report names. */
const LISTED_QUARANTINED = 10;

function formatQuarantine(quarantined: ReadonlyArray<{ path: string; rules: string[] }>): string[] {
  if (quarantined.length === 0) return [];
  const named = quarantined.slice(0, LISTED_QUARANTINED).map(({ path, rules }) => `${path} (${rules.join(", ")})`);
  const more = quarantined.length > LISTED_QUARANTINED ? `, and ${quarantined.length - LISTED_QUARANTINED} more` : "";
  return [
    `  quarantined    ${quarantined.length} files with malicious instructions, never merged or announced: ${
      named.join(", ")
    }${more}`,
  ];
}

/** How many errors of each rule the human report lists one by one. */
const LISTED_ERRORS_PER_RULE = 3;

/** Errors by rule, a few of each one per line, then how many more; then counts per rule of the rest. */
function formatDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  const lines: string[] = [];
  const errors = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity !== "error") continue;
    const list = errors.get(diagnostic.rule);
    if (list) list.push(diagnostic);
    else errors.set(diagnostic.rule, [diagnostic]);
  }
  for (const [rule, list] of errors) {
    for (const diagnostic of list.slice(0, LISTED_ERRORS_PER_RULE)) {
      const where = [diagnostic.path, diagnostic.line, diagnostic.column].filter((part) => part !== undefined).join(
        ":",
      );
      lines.push(`  error ${where} [${rule}] ${diagnostic.message}`);
    }
    if (list.length > LISTED_ERRORS_PER_RULE) {
      lines.push(`  … and ${list.length - LISTED_ERRORS_PER_RULE} more [${rule}] errors (--json lists all)`);
    }
  }
  const counts = new Map<string, number>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity === "error") continue;
    const key = `${diagnostic.severity} ${diagnostic.rule}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of [...counts].sort()) lines.push(`  ${count} × ${key}`);
  return lines;
}

/** The launch's line; in a dry run, the post a real run would sign, indented. */
function formatLaunch(launching: LaunchingReport, dryRun: boolean): string[] {
  const facts = [
    launching.symbol,
    launching.state,
    launching.outcome &&
    `Clawnch: ${launching.outcome.status}${launching.outcome.token ? ` ${launching.outcome.token}` : ""}`,
    launching.unverifiedReplies ? `${launching.unverifiedReplies} unverified replies` : undefined,
  ].filter((fact) => fact);
  const lines = [`  launching      ${describe(launching)}${facts.length > 0 ? `: ${facts.join(", ")}` : ""}`];
  if (launching.outcome?.status === "failed") lines.push(`    Clawnch said: ${launching.outcome.message}`);
  if (dryRun && launching.post) {
    lines.push(`    the post (kind ${launching.post.kind}):`);
    append(lines, launching.post.content.split("\n").map((l) => `      ${l}`));
  }
  return lines;
}

function describe(outcome: PhaseOutcome): string {
  return outcome.reason ? `${outcome.status} (${outcome.reason})` : outcome.status;
}
