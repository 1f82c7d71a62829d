/**
 * Logging sinks, configured once at the edge (`main.ts` and the commands):
 * human lines on stderr (coloured only on a terminal) and structured JSON
 * lines in `orchestrator_heartbeat.log`, rotated by size. Library code only
 * calls `getLogger([...])`.
 *
 * Every line a run writes carries its `runId` (through LogTape's implicit
 * context), and every line passes through {@linkcode scrubSecrets} before it
 * is written.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { getRotatingFileSink } from "@logtape/file";
import {
  configure,
  dispose,
  type FormattedValues,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getTextFormatter,
  type LogRecord,
  type Sink,
  type TextFormatter,
} from "@logtape/logtape";
import type { LogLevelName } from "./log_level.ts";
import { printable } from "./printable.ts";
import type { Secret } from "./secret.ts";
import { scrubSecrets } from "./secret_guard.ts";
import { PROGRAM_NAME } from "./program_name.ts";

/** The root category of every logger in this program. */
export const ROOT_CATEGORY = PROGRAM_NAME;

/** The log file's name in the state directory. */
export const LOG_FILE_NAME = "orchestrator_heartbeat.log";

/** How logging is set up. */
export interface LoggingOptions {
  /** The lowest level written. */
  level: LogLevelName;
  /** The structured log file; none when `undefined`. */
  file?: string | undefined;
  /** Colour the console lines (only on a terminal, and not with `NO_COLOR`). */
  colour: boolean;
  /** Secrets that must never be written. */
  secrets: readonly Secret[];
  /** Where console lines go; standard error by default. */
  console?: (line: string) => void;
  /** Rotate the file past this many bytes. */
  maxFileBytes?: number;
  /** How many rotated files to keep besides the current one. */
  maxFiles?: number;
}

/**
 * The guard's scrubber, where the logging sinks and the printers of reports and answers find it: every line and answer
 * passes through it.
 */
export { scrubSecrets } from "./secret_guard.ts";

/**
 * Configures LogTape for this process.
 *
 * @param options Level, file, colour and secrets.
 * @returns When logging is set up; call {@linkcode closeLogging} before exit.
 */
export async function setUpLogging(options: LoggingOptions): Promise<void> {
  const scrub = (formatter: TextFormatter): TextFormatter => (record) =>
    scrubSecrets(formatter(record), options.secrets);
  const consoleFormatter = scrub(
    options.colour
      ? getAnsiColorFormatter({ timestamp: "date-time", format: consoleLine, value: plainStrings })
      : getTextFormatter({ timestamp: "date-time", format: consoleLine, value: plainStrings }),
  );
  const encoder = new TextEncoder();
  const write = options.console ?? ((line: string) => Deno.stderr.writeSync(encoder.encode(line)));
  const sinks: Record<string, Sink> = {
    console: (record: LogRecord) => write(consoleFormatter(record)),
  };
  if (options.file) {
    sinks.file = getRotatingFileSink(options.file, {
      formatter: scrub(getJsonLinesFormatter({ message: "template", properties: "nest:properties" })),
      maxSize: options.maxFileBytes ?? 10 * 1024 * 1024,
      maxFiles: options.maxFiles ?? 5,
      // Unbuffered: a killed process must not lose the lines that explain why.
      bufferSize: 0,
    });
  }
  await configure({
    reset: true,
    sinks,
    contextLocalStorage: new AsyncLocalStorage(),
    loggers: [
      { category: [ROOT_CATEGORY], lowestLevel: options.level, sinks: Object.keys(sinks) },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}

/** Flushes and closes every sink. */
export async function closeLogging(): Promise<void> {
  await dispose();
}

/**
 * Strings read better unquoted in a console line; other values are inspected.
 * Values come from outside (paths, relay messages): escapes keep each record on one line, uncoloured.
 */
function plainStrings(value: unknown, inspect: (value: unknown) => string): string {
  return typeof value === "string" ? printable(value) : inspect(value);
}

function consoleLine(values: FormattedValues): string {
  const runId = values.record.properties.runId;
  const run = typeof runId === "string" ? ` [${runId}]` : "";
  return `${values.timestamp} ${values.level} ${values.category}${run}: ${values.message}`;
}
