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
import { ConsolidationError, recoverConsolidation } from "../consolidation/apply.ts";
import { DECISIONS_FILE } from "../clustering/review_decisions.ts";
import { ArchiveIndexError } from "../consolidation/archive_index.ts";
import { type PlannedRestore, RestoreError, restoreOriginals } from "../consolidation/restore.ts";
import { localRepositoryWriter, UnsafePathError } from "../fs/repository_writer.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import { localGit, pathspecsOnStdin } from "../publishing/git.ts";
import { commitAs, firstOf, MESSAGE_MERGES } from "../publishing/publish.ts";
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
 * @returns 0 when restored and committed, 1 when nothing could be restored or the restore could not be committed
 *   (one line on stderr says why and what to do), 3 when another heartbeat holds the lock.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 *
 * @example
 * ```ts ignore
 * import { restoreCommand } from "./restore.ts";
 * Deno.exitCode = await restoreCommand(options, "skills/alpha-three");
 * ```
 */
export async function restoreCommand(options: CommonOptions, path: string): Promise<number> {
  const { config, env } = loadCommandConfig(options);
  assertPermissions({ read: [config.repo], write: [config.repo, config.stateDir] });
  const lock = await lockForCommand(config, "restore");
  if (!lock) return EXIT_LOCKED;
  try {
    const writer = localRepositoryWriter(config.repo);
    const relativePath = relative(config.repo, resolve(config.repo, path)).replaceAll("\\", "/");
    const archiveDir = relative(config.repo, config.archiveDir).replaceAll("\\", "/");
    const now = new Date();
    let plan: PlannedRestore;
    try {
      // A merge or a restore killed part-way is completed first: the tree must be whole before it is read.
      recoverConsolidation(writer, config.stateDir);
      plan = restoreOriginals({
        path: relativePath,
        writer,
        skillsDir: relative(config.repo, config.skillsDir).replaceAll("\\", "/") || ".",
        archiveDir,
        runId: `restore-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`,
        at: now.toISOString(),
        stateDir: config.stateDir,
      });
    } catch (error) {
      const refusal = refusalLine(error);
      if (refusal === undefined) throw error;
      console.error(`${PROGRAM_NAME}: ${printable(refusal)}`);
      return 1;
    }
    const git = localGit(config.repo, env);
    let committed = "";
    let notCommitted = "";
    if ((await git.run(["rev-parse", "--is-inside-work-tree"], { allowFailure: true })).code === 0) {
      // Paths come from the committed index: a line break or a bidirectional override in one must not rewrite it.
      // A short message whatever the master's size: git takes it as one argument.
      const message = `${PROGRAM_NAME}: restore ${firstOf(plan.restored, MESSAGE_MERGES)}\n\nFrom ${
        printable(plan.master)
      } (${plan.outcome}).\n`;
      // The commit goes through the secret guard every command's commit goes through; the paths through stdin.
      const paths = pathspecsOnStdin(plan.paths);
      const staged = await git.run(["--literal-pathspecs", "add", "-A", ...paths.args], {
        stdin: paths.stdin,
        allowFailure: true,
      });
      const result = staged.code === 0
        ? await commitAs(git, config.git.author, message, { secrets: config.secrets, allowFailure: true })
        : staged;
      if (result.code === 0) committed = (await git.run(["rev-parse", "--short", "HEAD"])).stdout.trim();
      else {
        notCommitted = result.stderr.trim();
        // Left staged, the restore would read as someone else's work and stop the next run's commit.
        await git.run(["--literal-pathspecs", "reset", "-q", ...paths.args], {
          stdin: paths.stdin,
          allowFailure: true,
        });
      }
    }
    console.log(
      [
        `Restored ${plan.restored.join(", ")} from ${plan.master}; the master was ${plan.outcome}.`,
        `No run merges them again unless approved (${posix.join(archiveDir, DECISIONS_FILE)}).`,
        committed ? `Committed ${committed}; the next run pushes it.` : "",
      ].filter((line) => line !== "").map(printable).join("\n"),
    );
    if (notCommitted === "") return 0;
    console.error(
      `${PROGRAM_NAME}: ${printable(`the restore is in the tree but was not committed: ${notCommitted}`)}`,
    );
    return 1;
  } finally {
    lock.release();
  }
}

/**
 * The line a refusal prints, or nothing for an error that is a bug. A restore refused while planning changed
 * nothing; one stopped while carried out (a file swapped since it was planned, a full disk) left its journal, which
 * the next start completes.
 */
function refusalLine(error: unknown): string | undefined {
  if (error instanceof RestoreError) return error.message;
  const stopped = error instanceof ConsolidationError || error instanceof ArchiveIndexError ||
    error instanceof UnsafePathError || error instanceof NotRegularFileError || error instanceof FileTooLargeError;
  return stopped ? `${error.message}; the next start completes what was begun once that is mended` : undefined;
}
