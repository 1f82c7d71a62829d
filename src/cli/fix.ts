// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The `fix` command: rewrites frontmatter that discovery could read only by
 * recovering it (`frontmatter/recovered`) as valid YAML, changing nothing else
 * in the file. By default it prints the diff of each file; `--write` writes them.
 *
 * @module
 */

import { relative } from "node:path";
import { configuredDiscovery, discoverSkills } from "../discovery/discover.ts";
import { recoverYaml } from "../discovery/frontmatter_recovery.ts";
import { denoFileSystem } from "../fs/file_system.ts";
import { localRepositoryWriter } from "../fs/repository_writer.ts";
import { unifiedDiff } from "../consolidation/unified_diff.ts";
import { printable } from "../printable.ts";
import type { CommonOptions } from "../common_options.ts";
import { assertPermissions, loadCommandConfig } from "./environment.ts";
import { EXIT_LOCKED } from "./run.ts";
import { lockForCommand } from "./command_lock.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/**
 * Shows, or writes, the repaired frontmatter of every recovered file.
 *
 * @param options The parsed command line.
 * @param write Write the files (default: print the diffs only).
 * @returns 0, or 3 when another heartbeat holds the lock.
 * @throws {import("../config.ts").ConfigError} When the configuration is invalid.
 */
export async function fixCommand(options: CommonOptions, write: boolean): Promise<number> {
  const { config } = loadCommandConfig(options);
  assertPermissions({ read: [config.repo], write: write ? [config.repo, config.stateDir] : [] });
  const { report } = await discoverSkills(denoFileSystem, configuredDiscovery(config, []));
  const paths = [...new Set(report.diagnostics.filter((d) => d.rule === "frontmatter/recovered").map((d) => d.path))];
  const writer = localRepositoryWriter(config.repo);
  const repaired = paths.flatMap((path) => {
    const before = new TextDecoder().decode(writer.read(path) ?? new Uint8Array());
    const after = repairFrontmatter(before);
    return after === undefined || after === before ? [] : [{ path, before, after }];
  });
  if (repaired.length === 0) {
    console.log("No frontmatter needs fixing.");
    return 0;
  }
  if (!write) {
    for (const { path, before, after } of repaired) {
      console.log(unifiedDiff(before, after, path).split("\n").map(printable).join("\n"));
    }
    console.log(`${repaired.length} files would be fixed; run "${PROGRAM_NAME} fix --write" to write them.`);
    return 0;
  }
  const lock = await lockForCommand(config, "fix");
  if (!lock) return EXIT_LOCKED;
  try {
    for (const { path, after } of repaired) writer.write(path, new TextEncoder().encode(after));
  } finally {
    lock.release();
  }
  console.log(
    `Fixed the frontmatter of ${repaired.length} files under ${relative(config.repo, config.skillsDir) || "."}.`,
  );
  return 0;
}

/**
 * A skill file with its frontmatter recovered into valid YAML and the rest of the file byte for byte.
 *
 * @param text The file's text.
 * @returns The repaired text, or `undefined` when there is nothing to recover.
 */
export function repairFrontmatter(text: string): string | undefined {
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(text);
  if (!open) return undefined;
  const close = /^(?:---|\.\.\.)[ \t]*\r?$/m.exec(text.slice(open[0].length));
  if (!close) return undefined;
  const yamlEnd = open[0].length + close.index;
  const recovered = recoverYaml(text.slice(open[0].length, yamlEnd));
  return recovered ? text.slice(0, open[0].length) + recovered.text + text.slice(yamlEnd) : undefined;
}
