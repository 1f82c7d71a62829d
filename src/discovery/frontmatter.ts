/**
 * Splits a Markdown file into YAML frontmatter and body, and reads the
 * frontmatter with the `yaml` package.
 *
 * Frontmatter is a first line of exactly `---` (trailing blanks allowed) and
 * everything up to the next line of `---` or `...`. Line ends may be CRLF.
 * Positions in diagnostics are lines and columns of the file, not of the
 * frontmatter.
 *
 * @module
 */

import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { recoverYaml } from "./frontmatter_recovery.ts";
import type { Diagnostic } from "../report.ts";
import { errorMessage } from "../error_message.ts";
import { PROGRAM_NAME } from "../program_name.ts";

/** A diagnostic before it is given its file's path. */
export type FileDiagnostic = Omit<Diagnostic, "path">;

/** The frontmatter of a file, read as far as it could be. */
export interface Frontmatter {
  /** The mapping, when the frontmatter was read; `undefined` otherwise. */
  data?: Record<string, unknown>;
  /** The original text of top-level scalar values that YAML turned into numbers (`version: 1.0` → `"1.0"`). */
  numberSources: Map<string, string>;
  /** The 1-based line of the file where each top-level key stands. */
  keyLines: Map<string, number>;
  /** The 1-based line of the file where the body starts. */
  bodyLine: number;
  /** The body: everything after the frontmatter (the whole text when there is none). */
  body: string;
  /** What went wrong. */
  diagnostics: FileDiagnostic[];
}

/** How many aliases a frontmatter may expand before it counts as a YAML bomb. */
export const MAX_ALIAS_COUNT = 100;

const MAX_YAML_ERRORS = 3;

/**
 * Reads the frontmatter of a file's text.
 *
 * @param source The file's text; a leading byte-order mark is ignored.
 * @returns The frontmatter and body, and diagnostics for what could not be read.
 *
 * @example
 * ```ts
 * import { parseFrontmatter } from "./frontmatter.ts";
 * const { data, bodyLine } = parseFrontmatter("---\r\nname: x\r\n---\r\n# X\r\n");
 * console.assert(data?.name === "x" && bodyLine === 4);
 * ```
 */
export function parseFrontmatter(source: string): Frontmatter {
  const text = source.replace(/^\uFEFF/, "");
  const numberSources = new Map<string, string>();
  const keyLines = new Map<string, number>();
  const unread = (rule: string, message: string): Frontmatter => ({
    numberSources,
    keyLines,
    bodyLine: 1,
    body: text,
    diagnostics: [{ line: 1, severity: "error", rule, message }],
  });
  const firstEnd = lineEnd(text, 0);
  if (text.slice(0, firstEnd).trimEnd() !== "---") {
    return unread("frontmatter/missing", "no frontmatter: the file must start with a line of ---");
  }
  // Find the closing fence, counting lines as we go.
  let start = nextLine(text, firstEnd);
  let line = 2;
  const yamlStart = start;
  while (start < text.length) {
    const end = lineEnd(text, start);
    const content = text.slice(start, end).trimEnd();
    if (content === "---" || content === "...") {
      const yamlText = text.slice(yamlStart, start);
      const bodyStart = nextLine(text, end);
      return {
        ...readYaml(yamlText, { numberSources, keyLines }),
        numberSources,
        keyLines,
        bodyLine: line + 1,
        body: text.slice(bodyStart),
      };
    }
    start = nextLine(text, end);
    line++;
  }
  return unread("frontmatter/unclosed", "the frontmatter opened on line 1 is never closed by a line of ---");
}

/** What reading the YAML records about top-level keys. */
interface KeyNotes {
  numberSources: Map<string, string>;
  keyLines: Map<string, number>;
}

function readYaml(
  yamlText: string,
  notes: KeyNotes,
): { data?: Record<string, unknown>; diagnostics: FileDiagnostic[] } {
  const lineCounter = new LineCounter();
  // Duplicate keys are read as YAML 1.1 parsers do (the last wins) and reported as a warning.
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: "error" });
  if (doc.errors.length > 0) {
    // What people's agents read fine (text after `|`, an unquoted `: `, a value starting `**`) is recovered, said.
    const recovered = recoverYaml(yamlText);
    if (recovered) {
      const read = readYaml(recovered.text, notes);
      if (read.data) {
        // Lines are the original file's: the frontmatter starts on line 2.
        for (const { key, line } of recovered.keys) notes.keyLines.set(key, line + 1);
        return {
          data: read.data,
          diagnostics: [
            ...recovered.fixes.map(({ line, key, fix }) => ({
              line: line + 1,
              severity: "warning" as const,
              rule: "frontmatter/recovered",
              message: `"${key}" was read despite ${fix}; \`${PROGRAM_NAME} fix\` rewrites it as valid YAML`,
            })),
            ...read.diagnostics,
          ],
        };
      }
    }
    return {
      diagnostics: doc.errors.slice(0, MAX_YAML_ERRORS).map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          line: position.line + 1,
          column: position.col,
          severity: "error" as const,
          rule: "frontmatter/yaml",
          message: `the frontmatter is not valid YAML: ${error.message.split("\n")[0]}`,
        };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return {
      diagnostics: [{
        line: 2,
        severity: "error",
        rule: "frontmatter/alias-limit",
        message: `the frontmatter expands more than ${MAX_ALIAS_COUNT} YAML aliases; not read (${errorMessage(error)})`,
      }],
    };
  }
  if (value === null || value === undefined) {
    return {
      diagnostics: [{ line: 2, severity: "error", rule: "frontmatter/empty", message: "the frontmatter is empty" }],
    };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      diagnostics: [{
        line: 2,
        severity: "error",
        rule: "frontmatter/not-mapping",
        message: `the frontmatter must be a mapping of keys to values, not ${
          Array.isArray(value) ? "a list" : "a scalar"
        }`,
      }],
    };
  }
  return { data: value as Record<string, unknown>, diagnostics: noteTopLevelKeys(doc, lineCounter, notes) };
}

/** Finds duplicate keys, and records each key's line and the source text of numeric scalars. */
function noteTopLevelKeys(doc: Document, lineCounter: LineCounter, notes: KeyNotes): FileDiagnostic[] {
  const diagnostics: FileDiagnostic[] = [];
  if (!isMap(doc.contents)) return diagnostics;
  const seen = new Set<string>();
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    // The frontmatter starts on the file's second line.
    if (position) notes.keyLines.set(key, position.line + 1);
    if (seen.has(key)) {
      diagnostics.push({
        ...(position ? { line: position.line + 1, column: position.col } : {}),
        severity: "warning",
        rule: "frontmatter/duplicate-key",
        message: `the key "${key}" appears more than once; the last value is used`,
      });
    }
    seen.add(key);
    if (isScalar(pair.value) && typeof pair.value.value === "number" && typeof pair.value.source === "string") {
      notes.numberSources.set(key, pair.value.source);
    }
  }
  return diagnostics;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

function nextLine(text: string, end: number): number {
  return Math.min(end + 1, text.length);
}
