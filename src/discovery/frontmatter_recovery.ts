/**
 * Recovering frontmatter that strict YAML refuses but people's agents read
 * fine. A quarter of one public registry's files break YAML in a few ways:
 *
 * - text after a block indicator on the same line (`description: | Use when …`);
 * - an unquoted `: ` inside a plain value (`description: Use when: …`);
 * - a value starting with a reserved character (`**Bold**: …`, `` `cmd` ``,
 *   `@handle`, `%`, a lone `[` or `{`).
 *
 * Each top-level entry (a `key:` line at column 0 and the indented lines after
 * it) that does not parse on its own and holds a scalar is rewritten as one
 * double-quoted YAML string of the same text; every other entry is kept byte
 * for byte. The result must then parse strictly as a mapping with exactly the
 * same keys, or nothing is recovered: recovery never invents or drops a field.
 *
 * @module
 */

import { parseDocument } from "yaml";

/** A frontmatter block made valid, and what was changed. */
export interface RecoveredYaml {
  /** The YAML text, valid; unchanged entries are byte for byte as they were. */
  text: string;
  /** One line per entry rewritten: its 1-based line within the frontmatter text and the fix. */
  fixes: Array<{ line: number; key: string; fix: string }>;
  /** Every top-level key with its 1-based line within the original frontmatter text. */
  keys: Array<{ key: string; line: number }>;
}

const ENTRY_START = /^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+|$)(.*)$/;
const BLOCK_INDICATOR = /^([|>])[-+]?\d?[ \t]+(\S.*)$/;

/**
 * Recovers a frontmatter block that strict YAML refuses.
 *
 * @param yamlText The text between the fences.
 * @returns The valid text and the fixes, or `undefined` when it cannot be recovered without guessing.
 *
 * @example
 * ```ts
 * import { recoverYaml } from "./frontmatter_recovery.ts";
 * const recovered = recoverYaml("name: x\ndescription: Use when: the user asks\n");
 * console.assert(recovered?.text === 'name: x\ndescription: "Use when: the user asks"\n');
 * ```
 */
export function recoverYaml(yamlText: string): RecoveredYaml | undefined {
  const lines = yamlText.split("\n");
  const entries: Array<{ start: number; lines: string[] }> = [];
  const preamble: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (ENTRY_START.test(line.replace(/\r$/, ""))) entries.push({ start: i, lines: [line] });
    else if (entries.length === 0) preamble.push(line);
    else entries[entries.length - 1]!.lines.push(line);
  }
  // Only comments and blank lines may come before the first key.
  if (preamble.some((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))) return undefined;
  const fixes: RecoveredYaml["fixes"] = [];
  const out = [...preamble];
  for (const entry of entries) {
    const text = entry.lines.join("\n");
    if (parseDocument(text, { uniqueKeys: false }).errors.length === 0) {
      out.push(text);
      continue;
    }
    const rewritten = scalarEntry(entry.lines);
    if (!rewritten) return undefined;
    out.push(rewritten.text);
    fixes.push({ line: entry.start + 1, key: keyOf(entry.lines[0]!), fix: rewritten.fix });
  }
  const text = out.join("\n");
  const before = entries.map((entry) => keyOf(entry.lines[0]!));
  const doc = parseDocument(text, { uniqueKeys: false });
  const value = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const keys = new Set(Object.keys(value));
  if (keys.size !== new Set(before).size || before.some((key) => !keys.has(key))) return undefined;
  return { text, fixes, keys: entries.map((entry) => ({ key: keyOf(entry.lines[0]!), line: entry.start + 1 })) };
}

/** An entry's key (its first line matches {@linkcode ENTRY_START}). */
function keyOf(line: string): string {
  return ENTRY_START.exec(line.replace(/\r$/, ""))![1]!;
}

/** A scalar entry written as one double-quoted string of its text; `undefined` when it is not a scalar. */
function scalarEntry(lines: readonly string[]): { text: string; fix: string } | undefined {
  const [, key, rest = ""] = ENTRY_START.exec(lines[0]!.replace(/\r$/, ""))!;
  const continuation = lines.slice(1);
  const blank = (line: string) => line.trim() === "";
  // A key whose value is only on the following lines is a nested mapping or list: not a scalar to quote.
  if (rest.trim() === "") return undefined;
  if (continuation.some((line) => !blank(line) && !/^[ \t]/.test(line))) return undefined;
  const block = BLOCK_INDICATOR.exec(rest.trim());
  let value: string;
  let fix: string;
  if (block) {
    const literal = block[1] === "|";
    const more = continuation.filter((line) => !blank(line)).map((line) => line.trim());
    value = [block[2]!.trim(), ...more].join(literal ? "\n" : " ");
    fix = "text after a block indicator on the same line";
  } else {
    const more = continuation.filter((line) => !blank(line)).map((line) => line.trim());
    value = [rest.trim(), ...more].join(" ");
    if (/^["']/.test(value) && value.endsWith(value[0]!) && value.length > 1) value = value.slice(1, -1);
    fix = /^[*&!%@`|>[\]{},#]/.test(rest.trim())
      ? "a value starting with a reserved character"
      : /:\s/.test(rest)
      ? "an unquoted ': ' inside a plain value"
      : "a plain value YAML cannot read";
  }
  // The blank lines after it stay as they were, and so does a file's CRLF line end.
  const trailing = lines.slice(1 + lines.slice(1).findLastIndex((line) => !blank(line)) + 1);
  const end = lines[0]!.endsWith("\r") ? "\r" : "";
  return { text: [`${key}: ${JSON.stringify(value)}${end}`, ...trailing].join("\n"), fix };
}
