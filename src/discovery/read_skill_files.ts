/**
 * Reads and validates a list of skill files: the part of discovery that is
 * spread over workers.
 *
 * @module
 */

import { basename, dirname } from "node:path";
import type { FileSystem } from "../fs/file_system.ts";
import type { Diagnostic } from "../report.ts";
import type { SkillFile } from "./find_skill_files.ts";
import type { FileDiagnostic } from "./frontmatter.ts";
import { type ClawHubMeta, readSkill, type Skill } from "./skill.ts";
import { validateSkill } from "./validate.ts";
import type { RuleSet } from "./discovery_settings.ts";
import { scanSkillBody } from "./security_scan.ts";
import { errorMessage } from "../error_message.ts";
import { FileTooLargeError, NotRegularFileError } from "../fs/regular_file.ts";
import { append } from "../append.ts";
import { capDiagnostics } from "./diagnostic_cap.ts";

/** The largest skill file read, by default: 1 MiB (the largest real one seen is 128 KiB). */
export const DEFAULT_MAX_SKILL_BYTES = 1024 * 1024;

/**
 * The largest `_meta.json` read: 64 KiB. ClawHub writes a few lines (owner,
 * slug, versions); the largest of the corpus's 2,417 is 2.5 KiB.
 */
export const MAX_META_BYTES = 64 * 1024;

/** How to read and validate skill files. Plain data: it is sent to workers. */
export interface ReadOptions {
  /** The rule sets to validate against. */
  ruleSets: readonly RuleSet[];
  /** Turn warnings into errors that exclude a skill from merging. */
  strict?: boolean | undefined;
  /** Files larger than this are not read. */
  maxFileBytes?: number | undefined;
}

/**
 * What identifies a skill file's content without reading it: its size and
 * modification time, and those of the `_meta.json` beside it.
 */
export interface FileStamp {
  size: number;
  mtimeMs: number | null;
  metaSize?: number;
  metaMtimeMs?: number | null;
}

/** A skill file with its stamp, ready to read. */
export interface StampedFile extends SkillFile {
  /** Its path relative to the repository root, POSIX separators: computed once, by the walk. */
  relativePath: string;
  /** Taken just before reading; absent when the file could not be stat-ed. */
  stamp?: FileStamp;
}

/**
 * Stamps a skill file.
 *
 * @param fs The file system.
 * @param file The file.
 * @returns Its stamp, or `undefined` when it cannot be stat-ed or is no longer a regular file (reading it
 *   will say why).
 */
export function stampFile(fs: FileSystem, file: SkillFile): FileStamp | undefined {
  try {
    const info = fs.lstatSync(file.path);
    // No longer a regular file since the walk saw it: reading checks again, and says what it is.
    if (!info.isFile) return undefined;
    const stamp: FileStamp = { size: info.size, mtimeMs: info.mtime?.getTime() ?? null };
    if (file.metaPath) {
      const meta = fs.lstatSync(file.metaPath);
      if (!meta.isFile) return undefined;
      stamp.metaSize = meta.size;
      stamp.metaMtimeMs = meta.mtime?.getTime() ?? null;
    }
    return stamp;
  } catch {
    return undefined;
  }
}

/** One file's outcome. */
export interface FileOutcome {
  /** The skill, when its frontmatter could be read. */
  skill?: Skill;
  /** What is wrong with the file. */
  diagnostics: Diagnostic[];
}

/**
 * Reads, parses and validates skill files. Never throws for a bad file.
 *
 * @param fs The file system.
 * @param files The files, from the walk.
 * @param options Validation and limits.
 * @returns One outcome per file, in the same order.
 */
export function readSkillFiles(fs: FileSystem, files: readonly StampedFile[], options: ReadOptions): FileOutcome[] {
  return files.map((file) => {
    const path = file.relativePath;
    const { skill, diagnostics } = readOne(fs, file, path, options);
    // A few of each rule: one planted file must not make the report, the cache and the workers' messages huge.
    const capped = capDiagnostics(diagnostics);
    return { ...(skill ? { skill } : {}), diagnostics: capped.map((diagnostic) => ({ path, ...diagnostic })) };
  });
}

function readOne(
  fs: FileSystem,
  file: StampedFile,
  path: string,
  options: ReadOptions,
): { skill?: Skill; diagnostics: FileDiagnostic[] } {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_SKILL_BYTES;
  let bytes: Uint8Array;
  try {
    bytes = fs.readRegularFileSync(file.path, maxBytes, file.stamp?.size);
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      return {
        diagnostics: [{
          severity: "error",
          rule: "file/too-large",
          message: `the file is ${error.size} bytes; skill files over ${maxBytes} bytes are not read`,
        }],
      };
    }
    return {
      diagnostics: [{
        severity: "error",
        rule: "file/unreadable",
        message: `cannot read the file: ${readProblem(error)}`,
      }],
    };
  }
  const meta = file.metaPath ? readMeta(fs, file.metaPath, file.stamp?.metaSize) : { diagnostics: [] };
  const slug = file.layout === "folder" ? basename(dirname(file.path)) : basename(file.path).replace(/\.md$/i, "");
  const reading = readSkill({ path, layout: file.layout, slug, bytes, meta: meta.meta });
  const diagnostics = [...meta.diagnostics, ...reading.diagnostics];
  const { skill } = reading;
  if (!skill) {
    // A file that is not a skill (no frontmatter) is scanned whole: a dropper should be named whatever its shape.
    const text = new TextDecoder().decode(bytes);
    if (!text.includes("\0")) append(diagnostics, scanSkillBody(text, 1));
    return { diagnostics };
  }
  append(diagnostics, validateSkill(skill, options.ruleSets, reading.keyLines));
  append(diagnostics, scanSkillBody(reading.body ?? "", skill.bodyLine));
  if (options.strict) {
    for (const diagnostic of diagnostics) if (diagnostic.severity === "warning") diagnostic.severity = "error";
  }
  skill.excluded = diagnostics.some((diagnostic) => diagnostic.severity === "error");
  return { skill, diagnostics };
}

function readMeta(
  fs: FileSystem,
  path: string,
  checkedSize: number | undefined,
): { meta?: ClawHubMeta; diagnostics: FileDiagnostic[] } {
  try {
    const json = JSON.parse(new TextDecoder().decode(fs.readRegularFileSync(path, MAX_META_BYTES, checkedSize)));
    const owner = typeof json?.owner === "string" ? json.owner : undefined;
    const version = typeof json?.latest?.version === "string" ? json.latest.version : undefined;
    return { meta: { ...(owner ? { owner } : {}), ...(version ? { version } : {}) }, diagnostics: [] };
  } catch (error) {
    return {
      diagnostics: [{
        severity: "warning",
        rule: "meta/json",
        message: `the _meta.json beside it cannot be read: ${readProblem(error)}`,
      }],
    };
  }
}

/** Why a read failed, without the absolute path the error names (diagnostics carry the relative one). */
function readProblem(error: unknown): string {
  if (error instanceof NotRegularFileError) return `it is ${error.kind}, not a regular file`;
  if (error instanceof FileTooLargeError) return `it is over ${error.limit} bytes`;
  return errorMessage(error);
}
