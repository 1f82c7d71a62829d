/**
 * The archive's index (`<archive>/index.json`): one entry per archived file,
 * naming where it was, where it is now and the master it went into. It is
 * written with every merge and committed with it, so it is also the record
 * of merges not yet committed: an entry in the work tree's index that the
 * committed index lacks is a merge whose files still wait for a commit (a
 * crash, a full disk or `--no-commit` came between).
 *
 * Being committed, it is also what a contributor's merged pull request can
 * write: every entry is checked where the index is parsed, and an entry that
 * fails a check is never acted on. An archived copy lies in the archive
 * (never `.env`, the state directory or the index itself); an original, a
 * master and a carried copy lie in the skills directory, where merges put
 * them: a skill file where discovery finds skills, a supporting file in its
 * member's own folder, a carried copy in its master's folder.
 *
 * @module
 */

import { posix } from "node:path";
import { DECISIONS_FILE } from "../clustering/review_decisions.ts";
import { isBelow, untrustedPathProblem } from "../fs/untrusted_path.ts";
import { printable } from "../printable.ts";

/** The index's file name, in the archive directory. */
export const ARCHIVE_INDEX = "index.json";

/** An archived file and its master. */
export interface ArchiveEntry {
  /** Where the file was. */
  original: string;
  /** Where it is now. */
  archived: string;
  /** The master it went into. */
  master: string;
  /** Where a supporting file was carried to, beside the master, when it was. */
  carriedTo?: string;
  /** SHA-256 of the skill file merged, when this is a member's skill file. */
  hash?: string;
  /** Set when the file is the earlier version of a master that was updated (not a member). */
  previousMaster?: true;
  /** The run that archived it. */
  run: string;
  /** Set (to the restoring run's id) once `heartbeat restore` brought the original back. */
  restored?: string;
}

/** An entry that passed every check. */
export interface CheckedEntry extends ArchiveEntry {
  /**
   * The skill file of the member the file belongs to: its own original for a skill file; for a supporting file,
   * the member's whose folder holds it (the deepest, when one member's folder holds another's).
   */
  member: string;
}

/** Where the archive and the skills are, repository-relative: what an entry may name. */
export interface ArchiveLayout {
  /** The archive directory: every archived copy lies below it. */
  archiveDir: string;
  /** The skills directory (`.` for the repository itself): originals, masters and carried copies lie below it. */
  skillsDir: string;
}

/** The archive's index, checked. */
export interface ArchiveIndex {
  /** Its path, repository-relative. */
  path: string;
  /** The entries that passed every check, in the file's order. */
  entries: CheckedEntry[];
  /** The entries that did not, never acted on: each names the entry's number (from 1) and what is wrong. */
  refused: string[];
}

/** The archive's index is not a list of entries; nothing is written over it. */
export class ArchiveIndexError extends Error {
  override name = "ArchiveIndexError";
}

const SHA256 = /^[0-9a-f]{64}$/;
const SKILL_FILE = "SKILL.md";

/**
 * The index's entries as they are written, checked or not: what is kept when the index is written again, so that
 * nothing in it is lost, not even an entry that is refused.
 *
 * @param bytes The index file's bytes; `undefined` when there is none yet.
 * @param path The index's path, for the error message.
 * @returns Its entries, each as parsed; none when there is no index.
 * @throws {ArchiveIndexError} When the file is not JSON or not a list.
 *
 * @example
 * ```ts
 * import { parseArchiveRecords } from "./archive_index.ts";
 * console.assert(parseArchiveRecords(new TextEncoder().encode("[1]"), ".archive/index.json").length === 1);
 * ```
 */
export function parseArchiveRecords(bytes: Uint8Array | undefined, path: string): unknown[] {
  if (bytes === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ArchiveIndexError(`The archive index ${path} is not valid JSON`, { cause: error });
  }
  if (!Array.isArray(value)) throw new ArchiveIndexError(`The archive index ${path} is not a list of archived files`);
  return value;
}

/**
 * Reads the archive's index and checks every entry against the layout.
 *
 * @param bytes The index file's bytes; `undefined` when there is none yet.
 * @param layout Where the archive and the skills are.
 * @returns The entries to act on, and a message for each refused.
 * @throws {ArchiveIndexError} When the file is not JSON or not a list.
 *
 * @example An entry archiving `.env` is refused
 * ```ts
 * import { parseArchiveIndex } from "./archive_index.ts";
 * const planted = [{ original: "skills/a/x.env", archived: ".env", master: "skills/m/SKILL.md", run: "r" }];
 * const index = parseArchiveIndex(new TextEncoder().encode(JSON.stringify(planted)), {
 *   archiveDir: ".archive",
 *   skillsDir: "skills",
 * });
 * console.assert(index.entries.length === 0 && index.refused.length === 1);
 * ```
 */
export function parseArchiveIndex(bytes: Uint8Array | undefined, layout: ArchiveLayout): ArchiveIndex {
  const path = posix.join(layout.archiveDir, ARCHIVE_INDEX);
  const refusals = new Map<number, string>();
  const checked: Array<{ number: number; entry: ArchiveEntry }> = [];
  for (const [i, record] of parseArchiveRecords(bytes, path).entries()) {
    const entry = checkEntry(record, layout);
    if (typeof entry === "string") refusals.set(i + 1, entry);
    else checked.push({ number: i + 1, entry });
  }
  // Each master's members by their folders, for the supporting files: a file belongs to the member whose folder
  // holds it, and lies where no member's folder is only when something other than a merge wrote it.
  const folders = new Map<string, Map<string, string>>();
  for (const { entry } of checked) {
    if (isSkillFileEntry(entry) && posix.basename(entry.original) === SKILL_FILE) {
      const byFolder = folders.get(entry.master) ?? new Map<string, string>();
      byFolder.set(posix.dirname(entry.original), entry.original);
      folders.set(entry.master, byFolder);
    }
  }
  const entries: CheckedEntry[] = [];
  for (const { number, entry } of checked) {
    const member = isSkillFileEntry(entry)
      ? entry.original
      : memberOf(entry.original, folders.get(entry.master), layout.skillsDir);
    const problem = member === undefined
      ? `"original" ${quote(entry.original)} lies in no folder of a member of ${entry.master}`
      : carriedProblem(entry, member, layout.skillsDir);
    if (problem === undefined) entries.push({ ...entry, member: member! });
    else refusals.set(number, problem);
  }
  const refused = [...refusals].sort(([a], [b]) => a - b).map(([number, problem]) => `entry ${number}: ${problem}`);
  return { path, entries, refused };
}

/**
 * One line on an index's refused entries, for a warning or a refusal: the first, how many more, and the fix.
 *
 * @param index A checked index with refused entries.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { describeRefused } from "./archive_index.ts";
 * const line = describeRefused({ path: ".archive/index.json", entries: [], refused: ["entry 3: …"] });
 * console.assert(line.startsWith("The archive index .archive/index.json: entry 3: …; remove the entry"));
 * ```
 */
export function describeRefused(index: ArchiveIndex): string {
  const more = index.refused.length - 1;
  const which = more === 0 ? "the entry" : "these entries";
  return `The archive index ${index.path}: ${index.refused[0] ?? "no entry refused"}${
    more > 0 ? ` (and ${more} more entries refused)` : ""
  }; remove ${which} (git log -p -- ${index.path} shows who added ${more === 0 ? "it" : "them"})`;
}

/**
 * The index's text with the entries of a merge added (those it does not hold yet, so a merge completed again after a
 * crash adds nothing twice); every entry already there is kept as it is. An entry is known by its archived copy,
 * original, master and run together, never by its archived copy alone: a contributor could have planted one at the
 * archive path a later merge takes, and kept that merge's own entry out.
 *
 * @param bytes The index file's bytes; `undefined` when there is none yet.
 * @param path The index's path, for the error message.
 * @param entries The merge's entries.
 * @returns The new index file's bytes.
 * @throws {ArchiveIndexError} When the file is not JSON or not a list.
 *
 * @example
 * ```ts
 * import { indexWithEntries } from "./archive_index.ts";
 * const entry = { original: "skills/a.md", archived: ".archive/a.md", master: "skills/m.md", run: "r" };
 * const once = indexWithEntries(undefined, ".archive/index.json", [entry]);
 * console.assert(indexWithEntries(once, ".archive/index.json", [entry]).length === once.length);
 * ```
 */
export function indexWithEntries(
  bytes: Uint8Array | undefined,
  path: string,
  entries: readonly ArchiveEntry[],
): Uint8Array {
  const records = parseArchiveRecords(bytes, path);
  const known = new Set(records.map(identityOf));
  for (const entry of entries) if (!known.has(identityOf(entry))) records.push(entry);
  return serialize(records);
}

/**
 * The index's text with the entries of archived copies a restore brought back marked `restored`; every other entry
 * is kept as it is.
 *
 * @param bytes The index file's bytes.
 * @param path The index's path, for the error message.
 * @param archived The archived copies restored.
 * @param run The restore's id.
 * @returns The new index file's bytes.
 * @throws {ArchiveIndexError} When the file is not JSON or not a list.
 *
 * @example
 * ```ts
 * import { indexWithRestored } from "./archive_index.ts";
 * const entry = { original: "skills/a.md", archived: ".archive/a.md", master: "skills/m.md", run: "r" };
 * const index = new TextEncoder().encode(JSON.stringify([entry]));
 * const restored = indexWithRestored(index, ".archive/index.json", [".archive/a.md"], "restore-1");
 * console.assert(new TextDecoder().decode(restored).includes('"restored": "restore-1"'));
 * ```
 */
export function indexWithRestored(
  bytes: Uint8Array | undefined,
  path: string,
  archived: readonly string[],
  run: string,
): Uint8Array {
  const restored = new Set(archived);
  const records = parseArchiveRecords(bytes, path).map((record) => {
    const copy = archivedOf(record);
    return copy !== undefined && restored.has(copy) ? { ...(record as object), restored: run } : record;
  });
  return serialize(records);
}

/**
 * The files touched by the merges that `current` records and `committed` does
 * not: each original (removed), its archived copy, its master and the copy
 * carried beside the master.
 *
 * @param current The work tree's index entries.
 * @param committed The committed index's entries.
 * @returns Repository-relative paths, sorted, each once.
 *
 * @example
 * ```ts
 * import { pathsOfNewEntries } from "./archive_index.ts";
 * const entry = { original: "skills/a/SKILL.md", archived: ".archive/a/SKILL.md", master: "skills/m/SKILL.md", run: "r" };
 * console.assert(pathsOfNewEntries([entry], []).length === 3);
 * console.assert(pathsOfNewEntries([entry], [entry]).length === 0);
 * ```
 */
export function pathsOfNewEntries(current: readonly ArchiveEntry[], committed: readonly ArchiveEntry[]): string[] {
  // An entry is new when the commit lacks it, or lacks its restore (a restore killed before its commit).
  const known = new Set(committed.map((entry) => `${entry.archived}\n${entry.restored ?? ""}`));
  const paths = new Set<string>();
  for (const entry of current) {
    if (known.has(`${entry.archived}\n${entry.restored ?? ""}`)) continue;
    paths.add(entry.original).add(entry.archived).add(entry.master);
    if (entry.carriedTo !== undefined) paths.add(entry.carriedTo);
  }
  return [...paths].sort();
}

/** A member's skill file (or an earlier master's), as opposed to a file of its folder. */
function isSkillFileEntry(entry: ArchiveEntry): boolean {
  return entry.hash !== undefined || entry.previousMaster === true;
}

/** The entry, or what is wrong with it: every check that needs no other entry. */
function checkEntry(record: unknown, layout: ArchiveLayout): ArchiveEntry | string {
  if (typeof record !== "object" || record === null || Array.isArray(record)) return "is not an object";
  const fields = record as Record<string, unknown>;
  for (const field of ["original", "archived", "master"] as const) {
    const problem = untrustedPathProblem(fields[field]);
    if (problem) return `"${field}" ${quote(fields[field])} ${problem}`;
  }
  const { original, archived, master } = fields as Record<"original" | "archived" | "master", string>;
  const { carriedTo, hash, previousMaster, run, restored } = fields;
  if (typeof run !== "string") return `"run" ${quote(run)} is not a string`;
  if (restored !== undefined && typeof restored !== "string") return `"restored" ${quote(restored)} is not a string`;
  if (hash !== undefined && (typeof hash !== "string" || !SHA256.test(hash))) {
    return `"hash" ${quote(hash)} is not a SHA-256 in hex`;
  }
  if (previousMaster !== undefined && previousMaster !== true) {
    return `"previousMaster" ${quote(previousMaster)} is not true`;
  }
  if (hash !== undefined && previousMaster !== undefined) return "is both a member and an earlier master";
  const { archiveDir, skillsDir } = layout;
  if (!isBelow(archived, archiveDir)) return `"archived" ${quote(archived)} is not in the archive ${archiveDir}`;
  if ([ARCHIVE_INDEX, DECISIONS_FILE].some((name) => archived === posix.join(archiveDir, name))) {
    return `"archived" ${quote(archived)} is the archive's own record, not an archived copy`;
  }
  const notSkill = skillPathProblem(master, layout);
  if (notSkill) return `"master" ${quote(master)} ${notSkill}`;
  const entry: ArchiveEntry = {
    original,
    archived,
    master,
    run,
    ...(hash === undefined ? {} : { hash }),
    ...(previousMaster === true ? { previousMaster } : {}),
    ...(restored === undefined ? {} : { restored }),
  };
  if (isSkillFileEntry(entry)) {
    const problem = skillPathProblem(original, layout);
    if (problem) return `"original" ${quote(original)} ${problem}`;
    if (carriedTo !== undefined) {
      return `"carriedTo" ${quote(carriedTo)} is set on a skill file, which is never carried`;
    }
    return entry;
  }
  // A supporting file: in a folder of the skills (its member's, checked against the other entries), never a skill.
  if (!isBelow(original, skillsDir) || isBelow(original, archiveDir)) {
    return `"original" ${quote(original)} is not in the skills directory ${skillsDir}`;
  }
  if (posix.basename(original) === SKILL_FILE) {
    return `"original" ${quote(original)} is a skill file without a hash: merges record one for every member`;
  }
  if (carriedTo === undefined) return entry;
  const problem = untrustedPathProblem(carriedTo);
  return problem ? `"carriedTo" ${quote(carriedTo)} ${problem}` : { ...entry, carriedTo: carriedTo as string };
}

/**
 * Why a supporting file's carried copy is not where a merge carries it, if it is not: its master's folder joined
 * with its path in its member's folder, never the master itself, and in a folder that is not hidden.
 */
function carriedProblem(entry: ArchiveEntry, member: string, skillsDir: string): string | undefined {
  if (entry.carriedTo === undefined) return undefined;
  const folder = posix.dirname(entry.master);
  const inside = posix.relative(posix.dirname(member), entry.original);
  if (entry.carriedTo !== posix.join(folder, inside) || entry.carriedTo === entry.master) {
    return `"carriedTo" ${quote(entry.carriedTo)} is not where the merge carries ${entry.original}, beside its ` +
      `master in ${folder}`;
  }
  // Beside a flat master, a copy directly in the skills directory would pass for a flat skill, or, when the skills
  // directory is the repository, be one of its own files (heartbeat.json, .env, .github).
  return folder === skillsDir && (!inside.includes("/") || inside.startsWith("."))
    ? `"carriedTo" ${quote(entry.carriedTo)} is not in a folder of the skills directory`
    : undefined;
}

/**
 * Why a path is not where discovery finds a skill, if it is not: a flat `*.md` directly in the skills directory, or
 * a `SKILL.md` in a folder below it, with no hidden component (discovery skips them) and outside the archive.
 */
function skillPathProblem(path: string, { skillsDir, archiveDir }: ArchiveLayout): string | undefined {
  if (!isBelow(path, skillsDir) || isBelow(path, archiveDir)) return `is not in the skills directory ${skillsDir}`;
  const inside = skillsDir === "." ? path : path.slice(skillsDir.length + 1);
  if (inside.split("/").some((component) => component.startsWith("."))) return "has a hidden component";
  const folder = posix.dirname(path);
  const skill = posix.basename(path) === SKILL_FILE ? isBelow(folder, skillsDir) : folder === skillsDir;
  return skill && /\.md$/i.test(path)
    ? undefined
    : "is not a skill file (a *.md in the skills directory, or a SKILL.md)";
}

/** The skill file of the member whose folder holds `path`, the deepest; none when no member's folder does. */
function memberOf(path: string, folders: ReadonlyMap<string, string> | undefined, skillsDir: string) {
  if (!folders) return undefined;
  for (let folder = posix.dirname(path); isBelow(folder, skillsDir); folder = posix.dirname(folder)) {
    const member = folders.get(folder);
    if (member !== undefined) return member;
  }
  return undefined;
}

/** What tells an entry from every other, as parsed: its archived copy, original, master and run. */
function identityOf(record: unknown): string {
  const fields = (typeof record === "object" && record !== null ? record : {}) as Record<string, unknown>;
  return JSON.stringify([fields.archived, fields.original, fields.master, fields.run]);
}

function archivedOf(record: unknown): string | undefined {
  const archived = (record as { archived?: unknown } | null)?.archived;
  return typeof archived === "string" ? archived : undefined;
}

function serialize(records: readonly unknown[]): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(records, null, 2)}\n`);
}

/** A value quoted for a message: JSON, cut short, nothing in it that changes how the line reads. */
function quote(value: unknown): string {
  if (typeof value !== "string") {
    return value === undefined ? "(missing)" : `(${value === null ? "null" : typeof value})`;
  }
  const text = JSON.stringify(value);
  return printable(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
