/**
 * The owner's decision on a merge proposed for review: written to the
 * repository's decisions file (`<archive>/decisions.json`), which the next
 * run honours and commits. One way for `clawstr-heartbeat approve|reject` and
 * for `serve`'s API.
 *
 * @module
 */

import { posix, relative } from "node:path";
import { type Decision, DECISIONS_FILE, withDecision } from "./clustering/review_decisions.ts";
import type { Config } from "./config.ts";
import { localRepositoryWriter } from "./fs/repository_writer.ts";
import type { ClusterReport, RunReport } from "./report.ts";

/** No proposal of that id waits for review in the run decided on. */
export class NoSuchProposalError extends Error {
  override name = "NoSuchProposalError";
}

/**
 * The merges a run proposed for review.
 *
 * @param report The run's report, if any.
 * @returns Its review clusters.
 *
 * @example
 * ```ts ignore
 * import { proposalsOf } from "./proposal_decision.ts";
 * console.assert(proposalsOf(undefined).length === 0);
 * ```
 */
export function proposalsOf(report: RunReport | undefined): ClusterReport[] {
  return report?.clusters.filter((cluster) => cluster.action === "review") ?? [];
}

/**
 * Records the owner's decision on one of a run's proposals.
 *
 * @param config The repository's configuration (where it and its archive are).
 * @param report The run whose proposal is decided.
 * @param id The proposal's id.
 * @param decision `approved` or `rejected`.
 * @param at When it was decided.
 * @returns The decisions file, repository-relative, and the proposal's members.
 * @throws {NoSuchProposalError} When no such proposal waits.
 * @throws {import("./clustering/review_decisions.ts").DecisionsError} When the decisions file is broken.
 *
 * @example
 * ```ts ignore
 * import { recordProposalDecision } from "./proposal_decision.ts";
 * const { file } = recordProposalDecision(config, report, "r3f9a2c1b", "approved");
 * console.assert(file === ".archive/decisions.json");
 * ```
 */
export function recordProposalDecision(
  config: Pick<Config, "repo" | "archiveDir">,
  report: RunReport | undefined,
  id: string,
  decision: Decision,
  at: Date = new Date(),
): { file: string; members: string[] } {
  const proposal = proposalsOf(report).find((cluster) => cluster.id === id);
  if (!proposal?.parts) throw new NoSuchProposalError(`no proposal ${id} waits for review`);
  const file = posix.join(relative(config.repo, config.archiveDir).replaceAll("\\", "/"), DECISIONS_FILE);
  const repository = localRepositoryWriter(config.repo);
  const record = { id, decision, at: at.toISOString(), parts: proposal.parts };
  repository.write(file, new TextEncoder().encode(withDecision(repository, file, record)));
  return { file, members: proposal.members };
}
