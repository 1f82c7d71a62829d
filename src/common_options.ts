/**
 * The options every command takes, in one table: each flag's type, how its
 * text is read (with its default), and its line of help. Parsing, the help
 * text and the {@linkcode CommonOptions} type all follow from the table, so
 * an option is added here and used where it matters (the configuration).
 *
 * @module
 */

import { DEFAULT_RELATED, DEFAULT_THRESHOLDS, type EvidenceThresholds } from "./clustering/clustering_settings.ts";
import { DEFAULT_RULE_SETS, RULE_SETS, type RuleSet } from "./discovery/discovery_settings.ts";
import { LOG_LEVELS, type LogLevelName } from "./log_level.ts";
import { DEFAULT_REMOTE } from "./publishing/publishing_settings.ts";
import { UsageError } from "./usage_error.ts";

/** A flag of the table: its option's name, its value's placeholder in the help, its help and how it is read. */
interface Flag<Key extends string, Value, Given extends string | boolean> {
  /** The option's name in {@linkcode CommonOptions}. */
  key: Key;
  type: Given extends string ? "string" : "boolean";
  /** What the value is, in the help (`DIR`); none for a switch. */
  value?: string;
  /** The help, defaults included; wrapped to the help's width. */
  help: string;
  /** Reads the flag as given (`undefined` when absent), default included. */
  read(given: Given | undefined, flag: string): Value;
}

function text<const Key extends string, Value>(
  key: Key,
  value: string,
  help: string,
  read: (given: string | undefined, flag: string) => Value,
): Flag<Key, Value, string> {
  return { key, type: "string", value, help, read };
}

function toggle<const Key extends string>(key: Key, help: string): Flag<Key, boolean, boolean> {
  return { key, type: "boolean", help, read: (given) => given ?? false };
}

/** Every command's flags, in the order the help lists them. */
export const COMMON_FLAGS = {
  repo: text(
    "repo",
    "DIR",
    "the skills repository (default: the current directory)",
    (given, flag) => nonEmpty(flag, given) ?? ".",
  ),
  "skills-dir": text(
    "skillsDir",
    "PATH",
    "the skills directory, relative to the repository (default: skills)",
    (given, flag) => nonEmpty(flag, given) ?? "skills",
  ),
  "state-dir": text(
    "stateDir",
    "PATH",
    "caches, run history, lock and log, relative to the repository (default: .heartbeat)",
    (given, flag) => nonEmpty(flag, given) ?? ".heartbeat",
  ),
  "archive-dir": text(
    "archiveDir",
    "PATH",
    "where merged originals are kept, inside the repository (default: .archive)",
    (given, flag) => nonEmpty(flag, given) ?? ".archive",
  ),
  rules: text(
    "ruleSets",
    "LIST",
    `validation rule sets: ${RULE_SETS.join(", ")} (default: ${DEFAULT_RULE_SETS.join(",")})`,
    (given) => given === undefined ? [...DEFAULT_RULE_SETS] : parseRuleSets(given),
  ),
  strict: toggle("strict", "validation warnings keep a skill out of merging"),
  model: text(
    "model",
    "DIR",
    "another transformers.js feature-extraction model (default: the bundled one)",
    (given, flag) => nonEmpty(flag, given),
  ),
  related: text(
    "related",
    "COSINE",
    `least mean embedding cosine of a related cluster (default: ${DEFAULT_RELATED})`,
    (given, flag) => given === undefined ? DEFAULT_RELATED : parseShare(flag, given),
  ),
  "merge-related": toggle("mergeRelated", "merge related clusters too (default: report them only)"),
  remote: text(
    "remote",
    "NAME",
    `the git remote to push to (default: ${DEFAULT_REMOTE})`,
    (given, flag) => nonEmpty(flag, given) ?? DEFAULT_REMOTE,
  ),
  branch: text(
    "branch",
    "NAME",
    "the remote branch to push to (default: the current branch)",
    (given, flag) => nonEmpty(flag, given),
  ),
  "git-author": text(
    "gitAuthor",
    '"Name <email>"',
    "the commits' author (default: the repository's identity)",
    (given, flag) => parseAuthor(flag, given),
  ),
  "duplicate-thresholds": text(
    "duplicateThresholds",
    "NAME=VALUE,…",
    `override the duplicate decision: ${Object.keys(DEFAULT_THRESHOLDS).join(", ")}`,
    (given, flag) => given === undefined ? {} : parseThresholds(flag, given),
  ),
  "env-file": text(
    "envFile",
    "PATH",
    "read environment variables from this file (default: ./.env when present)",
    (given, flag) => nonEmpty(flag, given),
  ),
  json: toggle("json", "print machine-readable JSON on stdout; logs stay on stderr"),
  "log-level": text(
    "logLevel",
    "LEVEL",
    "trace, debug, info, warning, error or fatal (default: info)",
    (given, flag) => parseLogLevel(flag, given ?? "info"),
  ),
};

type Table = typeof COMMON_FLAGS;

type Read<Name extends keyof Table> = ReturnType<Table[Name]["read"]>;
/** The flags that always have a value (a default); the others may be left out. */
type Defaulted = { [Name in keyof Table]: undefined extends Read<Name> ? never : Name }[keyof Table];

/** Options shared by every command: one per flag of {@linkcode COMMON_FLAGS}, as read. */
export type CommonOptions =
  & { -readonly [Name in Defaulted as Table[Name]["key"]]: Read<Name> }
  & { -readonly [Name in Exclude<keyof Table, Defaulted> as Table[Name]["key"]]?: Read<Name> };

/** What `parseArgs` gives for the table's flags. */
export type CommonValues = { [Name in keyof Table]?: Parameters<Table[Name]["read"]>[0] };

/**
 * Reads the table's flags as `parseArgs` gave them: defaults for the absent ones.
 *
 * @example
 * ```ts
 * import { readCommonOptions } from "./common_options.ts";
 * const options = readCommonOptions({ repo: "/srv/skills", strict: true });
 * console.assert(options.repo === "/srv/skills" && options.strict && options.remote === "origin");
 * ```
 *
 * @param values The flags given.
 * @returns The options.
 * @throws {UsageError} For a value a flag does not take.
 */
export function readCommonOptions(values: CommonValues): CommonOptions {
  const options: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(COMMON_FLAGS)) {
    const read = flag.read as (given: unknown, flag: string) => unknown;
    options[flag.key] = read(values[name as keyof Table], `--${name}`);
  }
  return options as CommonOptions;
}

/** The table's flags as `parseArgs` takes them. */
export const COMMON_PARSE_CONFIG: { [Name in keyof Table]: { type: Table[Name]["type"] } } = Object.fromEntries(
  Object.entries(COMMON_FLAGS).map(([name, flag]) => [name, { type: flag.type }]),
) as { [Name in keyof Table]: { type: Table[Name]["type"] } };

/** Where a flag's help starts: flags longer than this put their help on the next line. */
const HELP_COLUMN = 23;

/** The widest line of help. */
const HELP_WIDTH = 118;

/**
 * The table's lines of help, one flag after another.
 *
 * @returns The lines, each indented by two spaces.
 */
export function commonHelp(): string[] {
  const indent = " ".repeat(HELP_COLUMN);
  return Object.entries(COMMON_FLAGS).flatMap(([name, flag]) => {
    const left = `  --${name}${"value" in flag && flag.value ? ` ${flag.value}` : ""}`;
    const [first = "", ...more] = wrap(flag.help, HELP_WIDTH - HELP_COLUMN);
    const head = left.length < HELP_COLUMN - 1 ? [`${left.padEnd(HELP_COLUMN)}${first}`] : [left, `${indent}${first}`];
    return [...head, ...more.map((line) => `${indent}${line}`)];
  });
}

/** Words into lines of at most `width` characters (a longer word has a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") throw new UsageError(`Option "${flag}" needs a value`);
  return value;
}

/**
 * A share: a number above 0 and at most 1.
 *
 * @param flag The flag, for the error.
 * @param text As given.
 * @returns The number.
 * @throws {UsageError} When it is not one.
 */
export function parseShare(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new UsageError(`Option "${flag}" takes a number above 0 and at most 1, not "${text}"`);
  }
  return value;
}

function parseAuthor(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[^<>]+<[^<>\s]+@[^<>\s]+>$/.test(text.trim())) {
    throw new UsageError(`Option "${flag}" takes "Name <email>", not "${text}"`);
  }
  return text.trim();
}

function parseThresholds(flag: string, text: string): Partial<EvidenceThresholds> {
  const thresholds: Partial<EvidenceThresholds> = {};
  const names = Object.keys(DEFAULT_THRESHOLDS) as Array<keyof EvidenceThresholds>;
  for (const part of text.split(",").map((item) => item.trim()).filter((item) => item !== "")) {
    const [name = "", value = ""] = part.split("=").map((item) => item.trim());
    if (!(names as string[]).includes(name)) {
      throw new UsageError(`Option "${flag}" knows ${names.join(", ")}, not "${name}"`);
    }
    thresholds[name as keyof EvidenceThresholds] = parseShare(flag, value);
  }
  return thresholds;
}

function parseRuleSets(text: string): RuleSet[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.find((name) => !(RULE_SETS as readonly string[]).includes(name));
  if (names.length === 0 || unknown !== undefined) {
    throw new UsageError(`Option "--rules" takes a comma-separated list of ${RULE_SETS.join(", ")}, not "${text}"`);
  }
  return [...new Set(names as RuleSet[])];
}

/**
 * A log level by name (`warn` for `warning` too).
 *
 * @param flag The flag, for the error.
 * @param text As given.
 * @returns The level.
 * @throws {UsageError} When it names none.
 */
export function parseLogLevel(flag: string, text: string): LogLevelName {
  const level = LOG_LEVELS.find((name) => name === text || (name === "warning" && text === "warn"));
  if (!level) {
    throw new UsageError(`Option "${flag}" takes one of ${LOG_LEVELS.join(", ")}, not "${text}"`);
  }
  return level;
}
