/**
 * The paths git ignores under a directory, so discovery skips them as a
 * person's `.gitignore` says (build output, vendored copies, scratch files).
 *
 * @module
 */

import { resolve } from "node:path";
import type { Git } from "./git.ts";

/**
 * Lists the ignored files and directories below `dir`.
 *
 * @param git Git in the repository.
 * @param repo The repository root, absolute.
 * @param dir The directory to look in, absolute.
 * @returns Absolute paths; none when this is not a git repository.
 */
export async function ignoredPaths(git: Git, repo: string, dir: string): Promise<string[]> {
  const listed = await git.run(
    ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", dir],
    { allowFailure: true },
  );
  if (listed.code !== 0) return [];
  return listed.stdout.split("\0").filter((path) => path !== "").map((path) => resolve(repo, path.replace(/\/$/, "")));
}
