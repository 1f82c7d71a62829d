/**
 * Whether the repository can take a commit on a branch: the one check the
 * publishing phase and the git health check share.
 *
 * @module
 */

import type { Git } from "./git.ts";

/** What keeps the heartbeat from committing on a branch, for a person. */
export const BLOCKED_BECAUSE = {
  rebase: "a rebase is in progress",
  merge: "a merge is in progress",
  detached: "HEAD is detached",
} as const;

/** The branch HEAD is on (empty when detached), and what stands in the way of committing on it. */
export interface BranchState {
  /** The branch's short name; `""` when HEAD is detached. */
  branch: string;
  /** Why no commit can be made now, when something stands in the way. */
  blocked?: keyof typeof BLOCKED_BECAUSE;
}

/**
 * Reads where HEAD stands. A rebase detaches HEAD, so `git status` (which
 * reads the whole work tree) is asked only when HEAD is detached, to say
 * which of the two it is.
 *
 * @param git Git in the repository.
 * @returns The branch and what blocks a commit, if anything.
 */
export async function branchState(git: Git): Promise<BranchState> {
  const branch = (await git.run(["symbolic-ref", "-q", "--short", "HEAD"], { allowFailure: true })).stdout.trim();
  if (branch === "") {
    const rebasing = (await git.run(["status"], { allowFailure: true })).stdout.includes("rebase in progress");
    return { branch, blocked: rebasing ? "rebase" : "detached" };
  }
  const merging = (await git.run(["rev-parse", "-q", "--verify", "MERGE_HEAD"], { allowFailure: true })).code === 0;
  return merging ? { branch, blocked: "merge" } : { branch };
}
