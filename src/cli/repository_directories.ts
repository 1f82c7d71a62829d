/**
 * The check that the skills, archive and state directories are where their
 * names say. A committed symbolic link `.archive -> ../outside/archive`,
 * `.heartbeat -> …` or `skills -> …` would otherwise make a run (a dry run
 * and `health` included: the state directory gets the log and the lock)
 * write outside the repository, under names that look inside it. The check
 * runs before anything is written.
 *
 * @module
 */

import { join, relative } from "node:path";
import { type Config, ConfigError } from "../config.ts";
import { isInside } from "../fs/paths.ts";
import { RepositoryBounds, UnsafePathError } from "../fs/repository_bounds.ts";
import { fileKind } from "../fs/regular_file.ts";

/**
 * Checks that each directory that lies inside the repository by its name
 * also does by its real path (every symbolic link of its longest existing
 * prefix resolved), and that none is or lies in a git directory. A state
 * directory given as a path outside the repository is the operator's choice
 * and is left alone; one inside must hold nothing but the heartbeat's own
 * files, no link among them (the lock, the log and the store are written
 * through their names).
 *
 * @param config Where the repository and its directories are.
 * @throws {ConfigError} One problem per directory, naming its flag.
 *
 * @example
 * ```ts ignore
 * import { assertRepositoryDirectories } from "./repository_directories.ts";
 * // With `.archive` a committed link to ../outside/archive:
 * assertRepositoryDirectories(config);
 * // ConfigError: --archive-dir ".archive" is a symbolic link that leads outside the repository (to …)
 * ```
 */
export function assertRepositoryDirectories(
  config: Pick<Config, "repo" | "skillsDir" | "archiveDir" | "stateDir">,
): void {
  let bounds: RepositoryBounds;
  try {
    bounds = new RepositoryBounds(config.repo);
  } catch {
    // A repository that is missing or out of the process's permissions is reported by the checks that need it.
    return;
  }
  const problems: string[] = [];
  const directories = [
    ["--skills-dir", config.skillsDir],
    ["--archive-dir", config.archiveDir],
    ["--state-dir", config.stateDir],
  ] as const;
  for (const [flag, dir] of directories) {
    if (!isInside(config.repo, dir)) continue;
    const name = relative(config.repo, dir) || ".";
    try {
      bounds.directory(name);
    } catch (error) {
      if (!(error instanceof UnsafePathError)) throw error;
      problems.push(`${flag} ${error.message}`);
      continue;
    }
    if (flag !== "--state-dir") continue;
    for (const stranger of strangers(dir, name)) problems.push(stranger);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Entries of the state directory that are neither files nor directories: a link there would be written through. */
function strangers(dir: string, name: string): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return []; // Not there yet: it is created empty.
  }
  return entries.filter((entry) => !entry.isFile && !entry.isDirectory).map((entry) =>
    `--state-dir ${JSON.stringify(name)} holds ${JSON.stringify(entry.name)}, ${
      fileKind(Deno.lstatSync(join(dir, entry.name)))
    }: the state directory may hold only the heartbeat's own files`
  );
}
