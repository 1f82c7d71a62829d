/**
 * The broadcasting phase of a run: the masters the remote has are announced
 * to the relays, with the run's summary and the agent's profile; the others
 * wait for the run that pushes them.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { posix } from "node:path";
import type { PipelineAdapters } from "../adapters.ts";
import type { PublishingSettings } from "../publishing/publishing_settings.ts";
import { readProvenance } from "../clustering/provenance.ts";
import { parseFrontmatter } from "../discovery/frontmatter.ts";
import type { RepositoryWriter } from "../fs/repository_writer.ts";
import { pushedPaths } from "../publishing/published_paths.ts";
import type { BroadcastingReport } from "../report.ts";
import { broadcast, type BroadcastInput, type MasterSkill } from "./broadcast.ts";
import { ROOT_CATEGORY } from "../logging.ts";

const logger = getLogger([ROOT_CATEGORY, "broadcasting"]);

/** What the phase announces. */
export interface BroadcastingPhaseInput extends Omit<BroadcastInput, "masters" | "client"> {
  /** Where the masters may be: this run's and earlier runs' (read as they stand in the tree now). */
  masterPaths: readonly string[];
  /** The skills directory, repository-relative. */
  skillsDir: string;
  /** The remote and branch that must hold a master before it is announced. */
  git: PublishingSettings["git"];
}

/**
 * Announces the masters the remote has.
 *
 * @param adapters The repository, git and the relays.
 * @param input The identity, relays, masters and run.
 * @returns The phase's report.
 */
export async function runBroadcastingPhase(
  adapters: Pick<PipelineAdapters, "repository" | "git" | "relays">,
  input: BroadcastingPhaseInput,
): Promise<BroadcastingReport> {
  const { masterPaths, skillsDir, git, ...rest } = input;
  const inTree = currentMasters(adapters.repository, skillsDir, masterPaths);
  // Relays hear only of what the remote has: a master not yet pushed waits for the run that pushes it.
  const pushed = adapters.git
    ? await pushedPaths(adapters.git, git, inTree.map((master) => master.path))
    : new Set<string>();
  const masters = inTree.filter((master) => pushed.has(master.path));
  const report = await broadcast({ ...rest, client: adapters.relays, masters });
  if (masters.length < inTree.length) {
    report.unpushed = inTree.length - masters.length;
    logger.info("{count} masters are announced once the remote has them", { count: report.unpushed });
  }
  return report;
}

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
