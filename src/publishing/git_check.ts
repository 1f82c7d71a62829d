/**
 * The git health check: the repository's state, its branch, how far it is
 * ahead of and behind its remote, and whether the remote answers.
 *
 * @module
 */

import type { HealthCheck } from "../health.ts";
import { BLOCKED_BECAUSE, branchState } from "./branch_state.ts";
import type { Git } from "./git.ts";

/** How long the remote has to answer `git ls-remote`. */
const REMOTE_TIMEOUT_MS = 10_000;

/**
 * Checks the repository and its remote.
 *
 * @param git Git in the repository.
 * @param remote The remote to push to.
 * @returns The check: unhealthy when it is not a repository, HEAD is detached, a merge or rebase is under way,
 *   or the remote does not answer.
 */
export function gitCheck(git: Git, remote: string): HealthCheck {
  return async () => {
    const inside = await git.run(["rev-parse", "--is-inside-work-tree"], { allowFailure: true });
    if (inside.stdout.trim() !== "true") {
      return { name: "git", healthy: false, detail: "not a git repository: nothing can be committed" };
    }
    const { branch, blocked } = await branchState(git);
    const state = blocked ? BLOCKED_BECAUSE[blocked] : "clean";
    const remotes = (await git.run(["remote"])).stdout.split("\n").map((line) => line.trim());
    let remoteState = `no remote named "${remote}"`;
    let answers = false;
    let ahead: number | undefined;
    let behind: number | undefined;
    if (remotes.includes(remote)) {
      const probe = await git.run(["ls-remote", "--heads", remote], {
        allowFailure: true,
        timeoutMs: REMOTE_TIMEOUT_MS,
      })
        .catch((error: Error) => ({ code: 124, stdout: "", stderr: error.message }));
      answers = probe.code === 0;
      remoteState = answers
        ? `${remote} answers`
        : `${remote} does not answer: ${probe.stderr.trim().split("\n").pop()}`;
      const counts = await git.run(["rev-list", "--left-right", "--count", `HEAD...refs/remotes/${remote}/${branch}`], {
        allowFailure: true,
      });
      if (counts.code === 0) [ahead, behind] = counts.stdout.trim().split(/\s+/).map(Number);
    }
    const healthy = state === "clean" && answers;
    return {
      name: "git",
      healthy,
      detail: `branch ${branch || "(none)"}, ${state}${
        ahead === undefined ? "" : `, ${ahead} ahead, ${behind} behind`
      }; ${remoteState}`,
      data: { branch, state, ahead, behind, remote, remoteAnswers: answers },
    };
  };
}
