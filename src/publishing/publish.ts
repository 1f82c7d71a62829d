/**
 * The publishing phase: commits exactly what the heartbeat changed and pushes
 * it, through git.
 *
 * - **Staging:** only the paths this run (and earlier runs with
 *   `--no-commit`, remembered in the state store) wrote, archived or removed;
 *   never a file someone left in the work tree. A repository whose index
 *   already holds staged changes is refused, so nobody's work is committed
 *   under the heartbeat's name.
 * - **Secrets:** every commit, the heartbeat's and every other command's
 *   ({@linkcode commitAs}), is checked for the configured secrets (the key in
 *   every form, the tokens) first, and every push checks each commit it would
 *   send, whoever made it; a hit refuses without printing the key. Other
 *   `nsec1…`-shaped text (skills teaching Nostr carry example keys) and 64-hex
 *   strings (hashes are common) only warn.
 * - **Author:** `--git-author`, else the repository's identity, else
 *   `Clawstr Skill Orchestrator <heartbeat@clawstr.invalid>`.
 * - **After a crash:** lock files git left when the previous run was killed
 *   (`index.lock`, a ref's lock) are removed once they have stood unchanged
 *   for a grace period; a lock from before that run is someone else's and is
 *   left, with git's own error.
 * - **Push:** to the remote and branch configured. A rejected non-fast-forward
 *   push fetches, rebases the local commits and tries again (three times, with
 *   growing pauses); a conflict aborts the rebase and keeps the local commit for
 *   the next heartbeat, as do authentication and network failures. Local
 *   commits not yet on the remote are pushed by every later heartbeat.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { printable } from "../printable.ts";
import type { Secret } from "../secret.ts";
import { SecretLeakError } from "../secret_guard.ts";
import type { PublishingReport } from "../report.ts";
import { BLOCKED_BECAUSE, branchState } from "./branch_state.ts";
import { type Git, type GitResult, pathSlices, pathspecsOnStdin, stageFiles } from "./git.ts";
import { assertCommitHoldsNoSecret, assertPushHoldsNoSecret } from "./git_secret_check.ts";
import { clearInterruptedLocks } from "./interrupted_locks.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import { ROOT_CATEGORY } from "../logging.ts";

const logger = getLogger([ROOT_CATEGORY, "publishing"]);

/** The identity used when neither the configuration nor the repository names one. */
export const FALLBACK_AUTHOR = "Clawstr Skill Orchestrator <heartbeat@clawstr.invalid>";

/** The masters a commit message lists by name; the archive index lists every merge. */
export const MESSAGE_MERGES = 50;

/**
 * The commit message for a run's merges: a summary line, then one line per master, up to {@linkcode MESSAGE_MERGES}
 * of them; beyond that, how many more and where every merge is listed (the archive index). The message stays readable,
 * and short enough to pass to git as one argument (the system takes at most 128 KiB in one), however many masters.
 *
 * @param merges The masters and their members, with versions.
 * @param index Where the archive index lists every merge.
 * @returns The message.
 */
export function commitMessage(
  merges: ReadonlyArray<{ master: string; version: string; members: readonly string[] }>,
  index = ".archive/index.json",
): string {
  if (merges.length === 0) return `${PROGRAM_NAME}: update skills`;
  const members = merges.reduce((n, merge) => n + merge.members.length, 0);
  // File names come from contributors: a line break or a bidirectional override in one must not rewrite the message.
  const lines = merges.slice(0, MESSAGE_MERGES).map((merge) =>
    `- ${printable(merge.master)} ${printable(merge.version)} <- ${firstOf(merge.members, 5)}`
  );
  if (merges.length > MESSAGE_MERGES) {
    lines.push(`- and ${merges.length - MESSAGE_MERGES} more masters: ${printable(index)} lists every merge`);
  }
  return `${PROGRAM_NAME}: merge ${members} skills into ${merges.length} master${merges.length === 1 ? "" : "s"}\n\n${
    lines.join("\n")
  }\n`;
}

/**
 * Paths for a commit message, printable: the first `most`, then how many more (`a, b and 3 more`).
 *
 * @example
 * ```ts
 * import { firstOf } from "./publish.ts";
 * firstOf(["skills/a.md", "skills/b.md", "skills/c.md"], 2); // "skills/a.md, skills/b.md and 1 more"
 * ```
 *
 * @param paths The paths.
 * @param most How many to name.
 * @returns The text.
 */
export function firstOf(paths: readonly string[], most: number): string {
  const more = paths.length > most ? ` and ${paths.length - most} more` : "";
  return `${paths.slice(0, most).map(printable).join(", ")}${more}`;
}

/** A repository that cannot be published to as it stands; the message says why. */
export class RepositoryStateError extends Error {
  override name = "RepositoryStateError";
}

/** What publishing needs. */
export interface PublishInput {
  git: Git;
  /** Paths (repository-relative) this run and earlier uncommitted runs changed. */
  paths: readonly string[];
  /** The commit message: a summary line and a body. */
  message: string;
  commit: boolean;
  push: boolean;
  dryRun: boolean;
  /** The remote to push to. */
  remote: string;
  /** The remote branch; the current branch when absent. */
  branch?: string | undefined;
  /** `Name <email>`, overriding the repository's identity. */
  author?: string | undefined;
  /** Secrets that must never be committed. */
  secrets: readonly Secret[];
  /** Pauses between push attempts, in ms. */
  retryDelays?: readonly number[];
  /** When the last run, which was killed before it finished, started: git's locks it left are cleared. */
  interruptedRunStartedAt?: Date | undefined;
  /** How long such a lock must stand unchanged before it is removed, in ms (default 10 s). */
  lockGraceMs?: number;
}

/**
 * Commits and pushes.
 *
 * @param input The repository, the paths, and what to do.
 * @returns The report; `committed` and `pushed` say what happened.
 * @throws {RepositoryStateError} When the repository cannot take a commit (not a repository,
 *   detached HEAD, a merge or rebase under way, staged changes of someone else's).
 * @throws {SecretLeakError} When the commit, or a commit the push would send, holds a configured secret.
 */
export async function publish(input: PublishInput): Promise<PublishingReport> {
  const { git } = input;
  const report: PublishingReport = { status: "ok", paths: [...input.paths], committed: false, pushed: false };
  const inside = await git.run(["rev-parse", "--is-inside-work-tree"], { allowFailure: true });
  if (inside.code !== 0 || inside.stdout.trim() !== "true") {
    // Nothing to commit to: fine for a dry run or --no-commit, an error when a commit was asked for.
    if (input.dryRun || !input.commit) return { ...report, status: "skipped", reason: "not a git repository" };
    throw new RepositoryStateError("Not a git repository: run `git init`, or pass --no-commit");
  }
  if (input.interruptedRunStartedAt && !input.dryRun) {
    const removed = await clearInterruptedLocks(git, {
      since: input.interruptedRunStartedAt,
      ...(input.lockGraceMs === undefined ? {} : { graceMs: input.lockGraceMs }),
    });
    if (removed.length > 0) {
      report.removedLocks = removed;
      logger.warn("Removed the git locks the interrupted run left: {locks}", { locks: removed.join(", ") });
    }
  }
  const branch = await assertPublishable(git, new Set(input.paths));
  const target = input.branch ?? branch;
  // A dry run changed nothing yet: the planned paths are what would be committed.
  const status = input.dryRun ? [] : await changedPaths(git, input.paths);
  const changed = input.dryRun ? [...input.paths] : status.map((entry) => entry.path);
  report.paths = changed;
  if (input.dryRun) {
    report.reason = changed.length === 0 ? "nothing to commit" : `dry run: would commit ${changed.length} paths`;
    return report;
  }
  if (changed.length > 0) {
    if (!input.commit) {
      report.reason = "--no-commit: changes left in the work tree, to be committed by the next run that commits";
      return report;
    }
    // What a killed run already staged is not added again: git refuses a path gone from both index and work tree.
    const toStage = status.filter((entry) => entry.unstaged).map((entry) => entry.path);
    if (toStage.length > 0) await stageFiles(git, toStage);
    try {
      await commitAs(git, input.author, input.message, { secrets: input.secrets });
      report.commit = (await git.run(["rev-parse", "HEAD"])).stdout.trim();
    } catch (error) {
      // Staged but not committed (the key found, a full disk): the index is left as it was found.
      const { args, stdin } = pathspecsOnStdin(changed);
      await git.run(["--literal-pathspecs", "reset", "-q", ...args], { stdin, allowFailure: true });
      throw error;
    }
    report.committed = true;
    logger.info("Committed {commit}: {count} paths", { commit: report.commit.slice(0, 12), count: changed.length });
  } else {
    report.reason = "nothing to commit";
  }
  if (!input.push) {
    report.reason = report.committed ? "--no-push: committed, not pushed" : report.reason ?? "--no-push";
    return report;
  }
  const remotes = (await git.run(["remote"])).stdout.split("\n").map((line) => line.trim());
  if (!remotes.includes(input.remote)) {
    report.status = "failed";
    report.reason = `no remote named "${input.remote}" (git remote add ${input.remote} URL); the commit stays local`;
    return report;
  }
  if (!(await aheadOfRemote(git, input.remote, target))) {
    report.reason ??= "up to date";
    return report;
  }
  await pushWithRetries(git, input, target, report);
  return report;
}

/** How {@linkcode commitAs} commits. */
export interface CommitOptions {
  /** The configured secrets: a commit holding one is refused. */
  secrets: readonly Secret[];
  /** Paths committed alone, as they are in the work tree (`git commit -- PATHS`); all that is staged when absent. */
  only?: readonly string[];
  /** A failed or refused commit is returned (a non-zero code, the reason in `stderr`) rather than thrown. */
  allowFailure?: boolean;
}

/**
 * Commits what is staged (with `only`, just those paths) as the configured author, else the repository's identity,
 * else the heartbeat's own: every command's commits go through here, so none skips the secret check. A commit whose
 * changes, message or author hold a configured secret is refused before git is asked, and the index is left as it
 * was.
 *
 * @param git Git in the repository.
 * @param author `Name <email>`, when configured.
 * @param message The commit message.
 * @param options The secrets, paths to commit alone, and whether a failure is returned rather than thrown.
 * @returns Git's result; with `allowFailure`, a refusal is a result with code 1 and the reason in `stderr`.
 * @throws {SecretLeakError} When the commit holds a configured secret and `allowFailure` is not set.
 * @throws {import("./git.ts").GitError} When git fails and `allowFailure` is not set.
 *
 * @example
 * ```ts ignore
 * import { commitAs } from "./publish.ts";
 * const result = await commitAs(git, undefined, "clawstr-heartbeat: restore skills/a.md", {
 *   secrets: config.secrets,
 *   allowFailure: true,
 * });
 * if (result.code !== 0) console.error(result.stderr);
 * ```
 */
export async function commitAs(
  git: Git,
  author: string | undefined,
  message: string,
  options: CommitOptions,
): Promise<GitResult> {
  const identity = await authorIdentity(git, author);
  try {
    await assertCommitHoldsNoSecret(git, options.secrets, {
      message,
      author: `${identity.name} <${identity.email}>`,
      only: options.only,
    });
  } catch (error) {
    if (!(error instanceof SecretLeakError) || !options.allowFailure) throw error;
    return { code: 1, stdout: "", stderr: error.message };
  }
  // The paths committed alone go through standard input; the message is an argument, which commitMessage keeps short.
  const only = options.only ? pathspecsOnStdin(options.only) : undefined;
  return await git.run(
    [
      "-c",
      `user.name=${identity.name}`,
      "-c",
      `user.email=${identity.email}`,
      "--literal-pathspecs",
      "commit",
      "-q",
      "-m",
      message,
      ...(only ? ["--only", ...only.args] : []),
    ],
    { allowFailure: options.allowFailure ?? false, ...(only ? { stdin: only.stdin } : {}) },
  );
}

/** What a person does about each state that blocks a commit. */
const REMEDY = {
  rebase: "finish or abort it first",
  merge: "finish or abort it first",
  detached: "check out a branch for the heartbeat to commit to",
} as const;

/**
 * The branch to commit on, when nothing stands in the way. Staged changes are
 * someone's work unless every staged path is one the heartbeat is about to
 * commit (a run killed between staging and committing left them).
 */
async function assertPublishable(git: Git, ours: ReadonlySet<string>): Promise<string> {
  const { branch, blocked } = await branchState(git);
  if (blocked) throw new RepositoryStateError(`${BLOCKED_BECAUSE[blocked]}: ${REMEDY[blocked]}`);
  const staged = (await git.run(["diff", "--cached", "--name-only", "--no-renames", "-z"])).stdout;
  if (staged.split("\0").some((path) => path !== "" && !ours.has(path))) {
    throw new RepositoryStateError(
      "The index holds staged changes that are not the heartbeat's: commit or unstage them first",
    );
  }
  return branch;
}

/** A path that differs from HEAD, and whether its work-tree state still has to be staged. */
interface ChangedPath {
  path: string;
  /** The work tree differs from the index (modified, deleted or untracked); not when it is all staged already. */
  unstaged: boolean;
}

/** The given paths that differ from HEAD (modified, added or deleted), sorted. */
async function changedPaths(git: Git, paths: readonly string[]): Promise<ChangedPath[]> {
  if (paths.length === 0) return [];
  const changed: ChangedPath[] = [];
  for (const slice of pathSlices(paths)) {
    // Without rename detection each side of a move (a staged one, from a run killed before its commit) is its own
    // entry.
    const status = await git.run([
      "--literal-pathspecs",
      "status",
      "--porcelain=v1",
      "-z",
      "--no-renames",
      "--untracked-files=all",
      "--",
      ...slice,
    ]);
    for (const entry of status.stdout.split("\0")) {
      if (entry.length > 3) changed.push({ path: entry.slice(3), unstaged: entry[1] !== " " });
    }
  }
  return changed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Who commits: `--git-author`, else the repository's identity, else the heartbeat's own. */
async function authorIdentity(
  git: Git,
  configured: string | undefined,
): Promise<{ name: string; email: string }> {
  const parse = (text: string) => /^(.+?)\s*<([^>]+)>$/.exec(text.trim());
  const fromConfig = configured ? parse(configured) : null;
  if (fromConfig) return { name: fromConfig[1]!, email: fromConfig[2]! };
  const name = (await git.run(["config", "user.name"], { allowFailure: true })).stdout.trim();
  const email = (await git.run(["config", "user.email"], { allowFailure: true })).stdout.trim();
  if (name && email) return { name, email };
  const fallback = parse(FALLBACK_AUTHOR)!;
  return { name: fallback[1]!, email: fallback[2]! };
}

/** Whether HEAD has commits the remote branch lacks (as far as the last fetch knows, or always when it never was). */
async function aheadOfRemote(git: Git, remote: string, branch: string): Promise<boolean> {
  const known = await git.run(["rev-parse", "--verify", "-q", `refs/remotes/${remote}/${branch}`], {
    allowFailure: true,
  });
  if (known.code !== 0) return true;
  const count = await git.run(["rev-list", "--count", `refs/remotes/${remote}/${branch}..HEAD`]);
  return Number(count.stdout.trim()) > 0;
}

async function pushWithRetries(git: Git, input: PublishInput, branch: string, report: PublishingReport): Promise<void> {
  const delays = input.retryDelays ?? [1000, 4000, 16000];
  for (let attempt = 0;; attempt++) {
    // Every try: a rebase made new commits. Whoever made a commit (a person, an older version, another command), the
    // key never leaves in it.
    await assertPushHoldsNoSecret(git, input.secrets, { remote: input.remote, branch });
    const pushed = await git.run(["push", "--porcelain", input.remote, `HEAD:refs/heads/${branch}`], {
      allowFailure: true,
      timeoutMs: 120_000,
    });
    if (pushed.code === 0) {
      report.pushed = true;
      delete report.reason;
      logger.info("Pushed to {remote}/{branch}", { remote: input.remote, branch });
      return;
    }
    const message = `${pushed.stdout}\n${pushed.stderr}`;
    const rejected = /\[rejected\]|non-fast-forward|fetch first|\(rejected\)/.test(message) &&
      !/pre-receive hook declined|remote rejected/.test(message);
    if (!rejected || attempt >= delays.length) {
      report.status = "failed";
      report.reason =
        `push to ${input.remote}/${branch} failed; the commit stays local and a later heartbeat pushes it: ${
          pushed.stderr.trim().split("\n").filter((line) => line.trim() !== "").slice(-2).join(" ")
        }`;
      logger.error("{reason}", { reason: report.reason });
      return;
    }
    // The remote moved on: take its commits under ours, then try again.
    await git.run(["fetch", "-q", input.remote, branch], { timeoutMs: 120_000 });
    const rebased = await git.run(["rebase", "-q", `${input.remote}/${branch}`], { allowFailure: true });
    if (rebased.code !== 0) {
      await git.run(["rebase", "--abort"], { allowFailure: true });
      report.status = "failed";
      report.reason =
        `the remote moved on and our commit does not rebase onto it cleanly; it stays local for the next heartbeat`;
      logger.error("{reason}", { reason: report.reason });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
  }
}
