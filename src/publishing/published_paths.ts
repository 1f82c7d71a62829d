/**
 * Which files of the work tree the remote already has, byte for byte: what
 * broadcasting may announce. A master merged but not yet pushed (a push that
 * failed, `--no-push`, a crash before the push) is not announced until a
 * later heartbeat has pushed it.
 *
 * @module
 */

import { type Git, pathSlices } from "./git.ts";

/** Where the pushed files are looked up. */
export interface PushedRef {
  /** The remote pushed to. */
  remote: string;
  /** The remote branch; the current branch when absent. */
  branch?: string | undefined;
}

/**
 * Finds the given work-tree files whose content the remote-tracking branch
 * (`refs/remotes/<remote>/<branch>`, as the last push or fetch left it) holds.
 * The comparison is by git object id, so line-end filters are applied as git
 * applies them.
 *
 * @param git Git in the repository.
 * @param ref The remote and branch.
 * @param paths Repository-relative paths of files that exist in the work tree.
 * @returns The paths whose content the remote has; none when there is no such remote branch.
 *
 * @example
 * ```ts ignore
 * const pushed = await pushedPaths(git, { remote: "origin" }, ["skills/todoist/SKILL.md"]);
 * if (pushed.has("skills/todoist/SKILL.md")) announce();
 * ```
 */
export async function pushedPaths(git: Git, ref: PushedRef, paths: readonly string[]): Promise<Set<string>> {
  const pushed = new Set<string>();
  // Batch input is one path per line: a path with a line break in it is never announced.
  const candidates = [...new Set(paths)].filter((path) => !/[\n\r]/.test(path));
  if (candidates.length === 0) return pushed;
  const branch = ref.branch ??
    (await git.run(["symbolic-ref", "-q", "--short", "HEAD"], { allowFailure: true })).stdout.trim();
  if (branch === "") return pushed;
  const remoteRef = `refs/remotes/${ref.remote}/${branch}`;
  const remoteIds = new Map<string, string>();
  // In slices, so that a library of many masters stays within the system's limit on a command line.
  for (const slice of pathSlices(candidates)) {
    const listed = await git.run(
      ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", remoteRef, "--", ...slice],
      { allowFailure: true },
    );
    if (listed.code !== 0) return pushed;
    for (const entry of listed.stdout.split("\0")) {
      const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
      if (match) remoteIds.set(match[2]!, match[1]!);
    }
  }
  const present = candidates.filter((path) => remoteIds.has(path));
  if (present.length === 0) return pushed;
  const hashed = await git.run(["hash-object", "--stdin-paths"], {
    stdin: present.map((path) => `${path}\n`).join(""),
    allowFailure: true,
  });
  if (hashed.code !== 0) return pushed;
  const localIds = hashed.stdout.split("\n");
  present.forEach((path, i) => {
    if (localIds[i] === remoteIds.get(path)) pushed.add(path);
  });
  return pushed;
}
