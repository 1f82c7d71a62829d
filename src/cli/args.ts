/**
 * The command line: which command to run and with what options.
 *
 * Built on `node:util`'s `parseArgs` (std's `parseArgs` lives on JSR, which
 * is out of reach where this project is built).
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { errorMessage } from "../error_message.ts";
import type { LogLevelName } from "../log_level.ts";
import { COMMON_PARSE_CONFIG, type CommonOptions, parseLogLevel, readCommonOptions } from "../common_options.ts";
import { UsageError } from "../usage_error.ts";
import { PROGRAM_NAME } from "../program_name.ts";
import { DEFAULT_INTERVAL_HOURS } from "../schedule.ts";

/** Options of the `run` command (the heartbeat). */
export interface RunOptions extends CommonOptions {
  /** Hours between runs. */
  intervalHours: number;
  /** Run once and exit instead of looping. */
  once: boolean;
  /** Simulate: report every decision, change nothing outside the state directory. */
  dryRun: boolean;
  /** Commit the changes. */
  commit: boolean;
  /** Push the commits. */
  push: boolean;
}

/** Options of the `serve` command: the loop over one or more repositories, with the API and dashboard. */
export interface ServeOptions extends Omit<RunOptions, "once"> {
  /** The repositories, as given (relative to the working directory); the `--repo` one when none is. */
  repositories: string[];
  /** The address to listen on. */
  hostname: string;
  /** The port (0: any free one). */
  port: number;
  /** Run a repository when its skills change. */
  watch: boolean;
  /** The most connections open at once; `undefined`: what the process's limit on open files affords. */
  maxConnections: number | undefined;
}

/** A command with a help text of its own. */
export type HelpTopic = "run" | "serve" | "health" | "init" | "review" | "approve" | "reject" | "restore" | "fix";

/** What the command line asks for. */
export type Command =
  | { name: "run"; options: RunOptions }
  | { name: "serve"; options: ServeOptions }
  | { name: "health"; options: CommonOptions }
  | { name: "init"; options: CommonOptions }
  | { name: "restore"; path: string; options: CommonOptions }
  | { name: "fix"; write: boolean; options: CommonOptions }
  | { name: "review"; options: CommonOptions }
  | { name: "approve" | "reject"; id: string; options: CommonOptions }
  | { name: "help"; topic?: HelpTopic }
  | { name: "version" };

const COMMON_FLAGS = {
  ...COMMON_PARSE_CONFIG,
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} satisfies ParseArgsOptionsConfig;

const RUN_FLAGS = {
  ...COMMON_FLAGS,
  interval: { type: "string" },
  once: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "no-commit": { type: "boolean" },
  "no-push": { type: "boolean" },
} satisfies ParseArgsOptionsConfig;

const SERVE_FLAGS = {
  ...RUN_FLAGS,
  hostname: { type: "string" },
  port: { type: "string" },
  watch: { type: "boolean" },
  "max-connections": { type: "string" },
} satisfies ParseArgsOptionsConfig;

/** Where `serve` listens by default: loopback only. */
export const DEFAULT_SERVE_ADDRESS = { hostname: "127.0.0.1", port: 8787 };

export { DEFAULT_INTERVAL_HOURS };

/**
 * Parses the command line.
 *
 * @param args The arguments after the program name.
 * @returns The command and its options.
 * @throws {UsageError} For an unknown command or flag, a missing or bad value.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./args.ts";
 * const command = parseCommandLine(["--once", "--interval", "0.5"]);
 * console.assert(command.name === "run" && command.options.intervalHours === 0.5);
 * ```
 */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args;
  if (first === "help") return { name: "help", ...helpTopic(rest[0]) };
  if (first === "health") return parseHealth(rest);
  if (first === "init") return parseInit(rest);
  if (first === "restore") return parseRestore(rest);
  if (first === "fix") return parseFix(rest);
  if (first === "run") return parseRun(rest);
  if (first === "serve") return parseServe(rest);
  if (first === "review") return parseReview(rest);
  if (first === "approve" || first === "reject") return parseDecision(first, rest);
  if (first !== undefined && !first.startsWith("-")) {
    throw new UsageError(`Unknown command "${first}"`);
  }
  return parseRun(args);
}

const HELP_TOPICS: readonly string[] = [
  "run",
  "serve",
  "health",
  "init",
  "review",
  "approve",
  "reject",
  "restore",
  "fix",
] satisfies HelpTopic[];

function helpTopic(topic: string | undefined): { topic?: HelpTopic } {
  if (topic === undefined) return {};
  if (HELP_TOPICS.includes(topic)) return { topic: topic as HelpTopic };
  throw new UsageError(`Unknown command "${topic}"`);
}

function parseRun(args: readonly string[]): Command {
  const values = parseFlags(args, RUN_FLAGS);
  if (values.help) return { name: "help", topic: "run" };
  if (values.version) return { name: "version" };
  return {
    name: "run",
    options: {
      ...readCommonOptions(values),
      ...readRunFlags(values),
      once: values.once ?? false,
    },
  };
}

function parseServe(args: readonly string[]): Command {
  const { values, positionals } = parseWithPositionals(args, SERVE_FLAGS);
  if (values.help) return { name: "help", topic: "serve" };
  if (values.version) return { name: "version" };
  if (values.once) throw new UsageError('serve runs until stopped: "--once" is for the run command');
  const common = readCommonOptions(values);
  return {
    name: "serve",
    options: {
      ...common,
      ...readRunFlags(values),
      repositories: positionals.length > 0 ? positionals : [common.repo],
      hostname: values.hostname ?? DEFAULT_SERVE_ADDRESS.hostname,
      port: values.port === undefined ? DEFAULT_SERVE_ADDRESS.port : parsePort(values.port),
      watch: values.watch ?? false,
      maxConnections: values["max-connections"] === undefined
        ? undefined
        : parseMaxConnections(values["max-connections"]),
    },
  };
}

/** What `run` and `serve` share: the interval, and whether runs are dry, commit and push. */
function readRunFlags(
  values: {
    interval?: string | undefined;
    "dry-run"?: boolean | undefined;
    "no-commit"?: boolean | undefined;
    "no-push"?: boolean | undefined;
  },
) {
  return {
    intervalHours: values.interval === undefined ? DEFAULT_INTERVAL_HOURS : parseInterval(values.interval),
    dryRun: values["dry-run"] ?? false,
    commit: !values["no-commit"],
    push: !values["no-push"],
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Option "--port" takes a port number from 0 to 65535, not "${text}"`);
  }
  return port;
}

function parseMaxConnections(text: string): number {
  const count = Number(text);
  if (text.trim() === "" || !Number.isInteger(count) || count < 1) {
    throw new UsageError(`Option "--max-connections" takes a whole number of connections, 1 or more, not "${text}"`);
  }
  return count;
}

function parseHealth(args: readonly string[]): Command {
  const values = parseFlags(args, COMMON_FLAGS);
  if (values.help) return { name: "help", topic: "health" };
  if (values.version) return { name: "version" };
  return { name: "health", options: readCommonOptions(values) };
}

function parseInit(args: readonly string[]): Command {
  const values = parseFlags(args, COMMON_FLAGS);
  if (values.help) return { name: "help", topic: "init" };
  if (values.version) return { name: "version" };
  return { name: "init", options: readCommonOptions(values) };
}

/** The review commands print what they are asked for; the run's progress only when asked (`--log-level info`). */
const REVIEW_LOG_LEVEL: LogLevelName = "warning";

function parseReview(args: readonly string[]): Command {
  const values = parseFlags(args, COMMON_FLAGS);
  if (values.help) return { name: "help", topic: "review" };
  if (values.version) return { name: "version" };
  return { name: "review", options: { ...readCommonOptions(values), logLevel: reviewLogLevel(values["log-level"]) } };
}

function parseFix(args: readonly string[]): Command {
  const values = parseFlags(args, { ...COMMON_FLAGS, write: { type: "boolean" } });
  if (values.help) return { name: "help", topic: "fix" };
  if (values.version) return { name: "version" };
  return { name: "fix", write: values.write ?? false, options: readCommonOptions(values) };
}

function parseRestore(args: readonly string[]): Command {
  const { values, positionals } = parseWithPositionals(args, COMMON_FLAGS);
  if (values.help) return { name: "help", topic: "restore" };
  if (values.version) return { name: "version" };
  if (positionals.length !== 1 || positionals[0]!.trim() === "") {
    throw new UsageError("restore takes one path: a master, or a merged skill's original file or folder");
  }
  return { name: "restore", path: positionals[0]!, options: readCommonOptions(values) };
}

function parseWithPositionals<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

function parseDecision(name: "approve" | "reject", args: readonly string[]): Command {
  const { values, positionals } = parseWithPositionals(args, COMMON_FLAGS);
  if (values.help) return { name: "help", topic: name };
  if (values.version) return { name: "version" };
  if (positionals.length !== 1 || !/^r[0-9a-f]{8}$/.test(positionals[0]!)) {
    throw new UsageError(
      `${name} takes one proposal id, like r3f9a2c1b (${PROGRAM_NAME} review lists them)${
        positionals.length > 0 ? `, not "${positionals.join(" ")}"` : ""
      }`,
    );
  }
  return {
    name,
    id: positionals[0]!,
    options: { ...readCommonOptions(values), logLevel: reviewLogLevel(values["log-level"]) },
  };
}

function reviewLogLevel(given: string | undefined): LogLevelName {
  return given === undefined ? REVIEW_LOG_LEVEL : parseLogLevel("--log-level", given);
}

function parseFlags<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false })
      .values;
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/**
 * `parseArgs` refuses `--interval -1` as ambiguous; joining it into
 * `--interval=-1` lets the value's own check say what is wrong with it.
 */
function joinNegativeValues(args: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const next = args[i + 1];
    const takesValue = options[arg.replace(/^--/, "")]?.type === "string" && arg.startsWith("--");
    if (takesValue && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

function describeParseError(error: unknown): string {
  const message = errorMessage(error);
  const flag = /'(-[^']*)'/.exec(message)?.[1];
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option "${flag}"`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument "${/'([^']*)'/.exec(message)?.[1]}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return message.includes("argument missing")
        ? `Option "${flag?.split(" ")[0]}" needs a value`
        : `Option "${flag?.split(" ")[0]}" takes no value`;
    default:
      return message;
  }
}

function parseInterval(text: string): number {
  const hours = Number(text);
  if (text.trim() === "" || !Number.isFinite(hours)) {
    throw new UsageError(`Option "--interval" takes a number of hours, not "${text}"`);
  }
  if (hours <= 0) throw new UsageError(`Option "--interval" must be more than 0 hours, not "${text}"`);
  const minutes = hours * 60;
  if (Math.abs(minutes - Math.round(minutes)) > 1e-9) {
    throw new UsageError(`Option "--interval" must be a whole number of minutes, not "${text}" hours`);
  }
  return hours;
}
