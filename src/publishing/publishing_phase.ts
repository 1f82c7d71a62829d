/**
 * The publishing phase of a run: what consolidation changed, earlier merges
 * never committed and the owner's review decisions, committed and pushed.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { posix } from "node:path";
import type { PipelineAdapters } from "../adapters.ts";
import type { PublishingSettings } from "./publishing_settings.ts";
import { DECISIONS_FILE } from "../clustering/review_decisions.ts";
import {
  ARCHIVE_INDEX,
  ArchiveIndexError,
  type ArchiveLayout,
  describeRefused,
  parseArchiveIndex,
  pathsOfNewEntries,
} from "../consolidation/archive_index.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import type { ConsolidationReport, PublishingReport } from "../report.ts";
import { committedFile } from "./committed_file.ts";
import type { Git } from "./git.ts";
import { commitMessage, publish } from "./publish.ts";
import { ROOT_CATEGORY } from "../logging.ts";

const logger = getLogger([ROOT_CATEGORY, "publishing"]);

/** What the phase publishes, and how. */
export interface PublishingPhaseInput {
  /** What consolidation wrote, archived and removed. */
  consolidation: ConsolidationReport;
  /** The archive directory, repository-relative. */
  archiveDir: string;
  /** The skills directory, repository-relative: where the archive's index may name originals. */
  skillsDir: string;
  /** When the last run, which was killed before it finished, started: git's locks it left are cleared. */
  interruptedRunStartedAt?: Date | undefined;
  commit: boolean;
  push: boolean;
  dryRun: boolean;
  /** The remote, branch and author. */
  git: PublishingSettings["git"];
  /** Kept out of git's messages. */
  secrets: PublishingSettings["secrets"];
}

/**
 * Commits and pushes the run's changes; skipped where there is no git (Deno Deploy).
 *
 * @param adapters Git and the repository.
 * @param input What changed and what to do.
 * @returns The phase's report.
 */
export async function runPublishingPhase(
  adapters: Pick<PipelineAdapters, "git" | "repository">,
  input: PublishingPhaseInput,
): Promise<PublishingReport> {
  if (!adapters.git) return { status: "skipped", reason: "no git here", paths: [], committed: false, pushed: false };
  const { consolidation, archiveDir, dryRun } = input;
  const changed = [...consolidation.written, ...consolidation.archived, ...consolidation.removed];
  // Merges an earlier run made and never committed (a crash, a full disk, --no-commit) are committed now.
  const unfinished = dryRun
    ? []
    : await uncommittedMerges(adapters.git, adapters.repository, { archiveDir, skillsDir: input.skillsDir });
  // The owner's review decisions are committed with the run after they were made.
  const decisions = dryRun ? [] : [posix.join(archiveDir, DECISIONS_FILE)];
  return await publish({
    git: adapters.git,
    paths: [...new Set([...unfinished, ...changed, ...decisions])].sort(),
    interruptedRunStartedAt: input.interruptedRunStartedAt,
    message: commitMessage(consolidation.merged, posix.join(archiveDir, ARCHIVE_INDEX)),
    commit: input.commit,
    push: input.push,
    dryRun,
    remote: input.git.remote,
    branch: input.git.branch,
    author: input.git.author,
    secrets: input.secrets,
  });
}

/**
 * The files of merges the archive's index records but the last commit does
 * not: what an earlier run merged and could not commit. Entries the index
 * check refuses are left out, with a warning.
 */
async function uncommittedMerges(git: Git, repository: RepositoryWriter, layout: ArchiveLayout): Promise<string[]> {
  const indexPath = posix.join(layout.archiveDir, ARCHIVE_INDEX);
  try {
    const current = parseArchiveIndex(repository.read(indexPath), layout);
    if (current.refused.length > 0) logger.warn("{refused}", { refused: describeRefused(current) });
    const paths = pathsOfNewEntries(
      current.entries,
      parseArchiveIndex(await committedFile(git, indexPath), layout).entries,
    );
    return paths.length === 0 ? [] : [...paths, indexPath];
  } catch (error) {
    if (!(error instanceof ArchiveIndexError)) throw error;
    logger.warn("Earlier merges are not looked for: {error}", { error: error.message });
    return [];
  }
}
