/**
 * Reads `.env` files: the optional file of environment variables beside a
 * deployment, in the format most tools share.
 *
 * @module
 */

/** A `.env` file has a line that is not a variable assignment. */
export class EnvFileError extends Error {
  override name = "EnvFileError";
  /** The 1-based line number of the offending line. */
  readonly line: number;

  /**
   * @param path The file that was read.
   * @param line The 1-based line number.
   * @param reason Why the line cannot be read. Never includes the line's text,
   *   which may hold a secret.
   */
  constructor(path: string, line: number, reason: string) {
    super(`Cannot read ${path} line ${line}: ${reason}`);
    this.line = line;
  }
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
};

/**
 * Parses the text of a `.env` file.
 *
 * Supports `KEY=value`, `export KEY=value`, blank lines, `#` comments (whole
 * lines, and after an unquoted value when preceded by white space), single
 * quotes (literal) and double quotes (with `\n`, `\t`, `\"` and `\\` escapes).
 * A later assignment of the same key wins.
 *
 * @param text The file's contents.
 * @param path The file's path, for error messages.
 * @returns The variables, in file order.
 * @throws {EnvFileError} When a line is neither blank, a comment nor an
 *   assignment, or a quoted value is not closed.
 *
 * @example
 * ```ts
 * import { parseEnvFile } from "./env_file.ts";
 * const vars = parseEnvFile('AGENT_NAME="Skill Keeper"\n# note\n', ".env");
 * console.assert(vars.get("AGENT_NAME") === "Skill Keeper");
 * ```
 */
export function parseEnvFile(text: string, path: string): Map<string, string> {
  const variables = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line)) return;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      throw new EnvFileError(path, index + 1, "expected KEY=value");
    }
    const [, key = "", raw = ""] = match;
    variables.set(key, unquote(raw, path, index + 1));
  });
  return variables;
}

function unquote(raw: string, path: string, line: number): string {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return raw.replace(/\s+#.*$/, "");
  const end = findClosingQuote(raw, quote);
  if (end < 0) throw new EnvFileError(path, line, `unclosed ${quote} quote`);
  const rest = raw.slice(end + 1).trim();
  if (rest !== "" && !rest.startsWith("#")) {
    throw new EnvFileError(path, line, "unexpected text after the closing quote");
  }
  const body = raw.slice(1, end);
  if (quote === "'") return body;
  return body.replace(/\\(.)/g, (escape, char: string) => DOUBLE_QUOTE_ESCAPES[char] ?? escape);
}

function findClosingQuote(raw: string, quote: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === "\\") {
      i++;
      continue;
    }
    if (raw[i] === quote) return i;
  }
  return -1;
}
