// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `restore` command: undoes a merge. It brings a master's members (or one
 * of them) back from the archive, writes the master again from what remains or
 * removes it, records the restored skills as rejected beside the others so no
 * run merges them again unless the owner approves, and commits all of it as one
 * commit of its own.
 *
 * @module
 */

import { posix, relative, resolve } from "node:path";
import { recoverConsolidation } from "../consolidation/apply.ts";
import { RestoreError, restoreOriginals } from "../consolidation/restore.ts";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { localGit } from "../publishing/git.ts";
import { commitAs } from "../publishing/publish.ts";
import { printable } from "../printable.ts";
import type { CommonOptions } from "../common_options.ts";
import { assertPermissions, loadCommandConfig } from "./environment.ts";
import { EXIT_LOCKED } from "./run.ts";
import { lockForCommand } from "./command_lock.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/**
 * Restores archived originals.
 *
 * @param options The parsed command line.
 * @param path A master, or a member's original file or folder, relative to the repository (as reports name them).
 * @returns 0 when restored, 1 when nothing could be, 3 when another heartbeat holds the lock.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function restoreCommand(options: CommonOptions, path: string): Promise<number> {
  const { config, env } = loadCommandConfig(options);
  assertPermissions({ read: [config.repo], write: [config.repo, config.stateDir] });
  const lock = await lockForCommand(config, "restore");
  if (!lock) return EXIT_LOCKED;
  try {
    const writer = localRepositoryWriter(config.repo);
    // A merge or a restore killed part-way is completed first: the tree must be whole before it is read.
    recoverConsolidation(writer, config.stateDir);
    const relativePath = relative(config.repo, resolve(config.repo, path)).replaceAll("\\", "/");
    const now = new Date();
    let plan;
    try {
      plan = restoreOriginals({
        path: relativePath,
        writer,
        skillsDir: relative(config.repo, config.skillsDir).replaceAll("\\", "/") || ".",
        archiveDir: relative(config.repo, config.archiveDir).replaceAll("\\", "/"),
        runId: `restore-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`,
        at: now.toISOString(),
        stateDir: config.stateDir,
      });
    } catch (error) {
      if (!(error instanceof RestoreError)) throw error;
      console.error(`${PROGRAM_NAME}: ${error.message}`);
      return 1;
    }
    const git = localGit(config.repo, env);
    let committed = "";
    if ((await git.run(["rev-parse", "--is-inside-work-tree"], { allowFailure: true })).code === 0) {
      await git.run(["--literal-pathspecs", "add", "-A", "--", ...plan.paths]);
      const message = `${PROGRAM_NAME}: restore ${
        plan.restored.join(", ")
      }\n\nFrom ${plan.master} (${plan.outcome}).\n`;
      const commit = await commitAs(git, config.git.author, message, { allowFailure: true });
      if (commit.code === 0) committed = (await git.run(["rev-parse", "--short", "HEAD"])).stdout.trim();
      else console.error(`${PROGRAM_NAME}: the restore is in the tree but was not committed: ${commit.stderr.trim()}`);
    }
    console.log(
      [
        `Restored ${plan.restored.join(", ")} from ${plan.master}; the master was ${plan.outcome}.`,
        `No run merges them again unless approved (${
          posix.join(posix.basename(config.archiveDir), "decisions.json")
        }).`,
        committed ? `Committed ${committed}; the next run pushes it.` : "",
      ].filter((line) => line !== "").map(printable).join("\n"),
    );
    return 0;
  } finally {
    lock.release();
  }
}
