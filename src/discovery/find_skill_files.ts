/**
 * Finds the skill files under a skills directory, in both layouts:
 *
 * - **folder** (AgentSkills / OpenClaw): every `SKILL.md` at any depth,
 *   including `<owner>/<slug>/SKILL.md` grouping directories and skill packs
 *   nested inside another skill's folder. Other Markdown in a skill's folder
 *   (references, README, LICENSE) belongs to that skill and is not a skill.
 * - **flat** (the original orchestrator): any other `*.md` directly in the
 *   skills directory, except a repository's conventional documents
 *   (README, LICENSE, CHANGELOG, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY).
 *
 * Hidden entries, `node_modules` and the excluded directories (the archive,
 * the state directory) are skipped. Symbolic links are never followed: one
 * that points inside the tree names something the walk reaches anyway, and
 * one that points outside is out of bounds; each skipped link that could hold
 * skills is reported. Without links the walk cannot loop; depth is bounded
 * all the same. A FIFO, socket or device where a skill file would be is
 * reported and never opened, and a directory that cannot be listed is
 * reported and skipped: nothing below the skills directory stops the walk.
 *
 * @module
 */

import { join } from "node:path";
import { isInside } from "../fs/paths.ts";
import type { DirEntry, FileSystem } from "../fs/file_system.ts";
import { errorMessage } from "../error_message.ts";
import type { Diagnostic } from "../report.ts";

/** How a skill is laid out on disk. */
export type SkillLayout = "flat" | "folder";

/** A skill file found by the walk. */
export interface SkillFile {
  /** Absolute path. */
  readonly path: string;
  /** Its layout. */
  readonly layout: SkillLayout;
  /** A ClawHub `_meta.json` beside a folder-layout skill, absolute. */
  readonly metaPath?: string;
}

/** Options of {@linkcode findSkillFiles}. */
export interface FindSkillFilesOptions {
  /** Absolute, normalised paths not to enter (directories) or read (files). */
  exclude?: readonly string[];
  /** How deep below the skills directory to look (default 12). */
  maxDepth?: number;
  /** Turns an absolute path into the repository-relative form diagnostics use. */
  relative: (path: string) => string;
  /** Receives a diagnostic for each entry skipped for a reason worth telling. */
  onDiagnostic: (diagnostic: Diagnostic) => void;
}

const CONVENTIONAL_DOCUMENTS = new Set([
  "readme.md",
  "license.md",
  "changelog.md",
  "contributing.md",
  "code_of_conduct.md",
  "security.md",
]);

/**
 * Walks the skills directory, yielding skill files in path order as they are
 * found, so reading can start before the walk ends.
 *
 * @param fs The file system.
 * @param root The skills directory, absolute.
 * @param options Exclusions, depth, path formatting and where diagnostics go.
 * @returns The skill files, sorted by path.
 * @throws {Error} Only when the skills directory itself cannot be resolved or listed.
 */
export function* findSkillFiles(
  fs: FileSystem,
  root: string,
  options: FindSkillFilesOptions,
): Generator<SkillFile, void> {
  const maxDepth = options.maxDepth ?? 12;
  // The walk never enters an excluded directory, so an exact match is enough.
  const exclude = new Set(options.exclude ?? []);
  const rootReal = fs.realPathSync(root);
  const report = (path: string, severity: Diagnostic["severity"], rule: string, message: string) =>
    options.onDiagnostic({ path: options.relative(path), severity, rule, message });

  function* walk(dir: string, depth: number): Generator<SkillFile, void> {
    let entries: DirEntry[];
    try {
      entries = [...fs.readDirSync(dir)];
    } catch (error) {
      // The skills directory itself must be readable; below it, one unreadable directory costs only itself.
      if (depth === 0) throw error;
      report(dir, "warning", "tree/unreadable", `cannot list the directory (${errorMessage(error)}); skipped`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (exclude.has(path)) continue;
      if (entry.isSymlink) {
        const found = linkDiagnostic(fs, rootReal, path, entry.name);
        if (found) report(path, found.severity, "tree/symlink", found.message);
      } else if (entry.isDirectory) {
        if (depth < maxDepth) yield* walk(path, depth + 1);
        else {report(
            path,
            "warning",
            "tree/depth",
            `not searched: more than ${maxDepth} directories below the skills directory`,
          );}
      } else {
        const layout = layoutOf(entry.name, depth);
        if (!layout) continue;
        if (!entry.isFile) {
          // Opening a FIFO blocks, a device may never end: neither is opened.
          report(path, "warning", "tree/special", "not a regular file (a FIFO, socket or device); not read");
          continue;
        }
        const hasMeta = layout === "folder" && entries.some((other) => other.name === "_meta.json" && other.isFile);
        if (layout === "folder" && entry.name !== "SKILL.md") {
          report(
            path,
            "warning",
            "agentskills/file-name",
            `named ${entry.name}: the AgentSkills specification names it SKILL.md`,
          );
        }
        yield { path, layout, ...(hasMeta ? { metaPath: join(dir, "_meta.json") } : {}) };
      }
    }
  }

  yield* walk(root, 0);
}

/**
 * What to say of a symbolic link in the skills tree, which is never followed: nothing for a link to a file that is
 * not Markdown, else why it is skipped.
 */
function linkDiagnostic(
  fs: FileSystem,
  rootReal: string,
  path: string,
  name: string,
): { severity: Diagnostic["severity"]; message: string } | undefined {
  let target: string;
  let isDirectory: boolean;
  try {
    target = fs.realPathSync(path);
    isDirectory = fs.lstatSync(target).isDirectory;
  } catch (error) {
    // A link this process may not even look behind (`--allow-read=.` and a link to /etc/passwd) is out of
    // bounds like any other: a diagnostic for that file, never the run's failure.
    return {
      severity: "warning",
      message: error instanceof Deno.errors.NotFound
        ? "a symbolic link whose target does not exist; skipped"
        : error instanceof Deno.errors.NotCapable
        ? "a symbolic link to outside what this process may read; not followed"
        : `a symbolic link whose target cannot be read (${errorMessage(error)}); not followed`,
    };
  }
  if (!isDirectory && !name.toLowerCase().endsWith(".md")) return undefined;
  return isInside(rootReal, target)
    ? {
      severity: "info",
      message: "a symbolic link inside the skills tree; not followed (its target is read under its own path)",
    }
    : { severity: "warning", message: "a symbolic link to outside the skills tree; not followed" };
}

function layoutOf(name: string, depth: number): SkillLayout | undefined {
  const lower = name.toLowerCase();
  if (lower === "skill.md") return "folder";
  if (depth === 0 && lower.endsWith(".md") && !CONVENTIONAL_DOCUMENTS.has(lower)) return "flat";
  return undefined;
}
