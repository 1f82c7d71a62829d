/**
 * What a skill's text teaches an agent to type or set, as opposed to its
 * prose: environment variables, parameters (`snake_case`, `camelCase` in
 * code), flags, paths and the commands its shell examples run.
 *
 * Two members can say the same thing in nearly the same words and still
 * differ in exactly these (a copy that renamed the socket variable after its
 * own bot, a copy with one more parameter): comparing identifiers, not words,
 * is how a master keeps them.
 *
 * @module
 */

import { markdownLines } from "./markdown_lines.ts";

/**
 * The identifiers a Markdown text teaches.
 *
 * @param text Markdown: prose, inline code and fenced code blocks.
 * @returns Each identifier as written (a command by its name).
 *
 * @example
 * ```ts
 * import { identifiersOf } from "./identifiers.ts";
 * const fence = "`".repeat(3);
 * const found = identifiersOf(`Set \`API_TOKEN\`, then:\n\n${fence}bash\nacme sync --dry-run ./data/in.csv\n${fence}\n`);
 * console.assert(["API_TOKEN", "acme", "--dry-run", "./data/in.csv"].every((id) => found.has(id)));
 * console.assert(!found.has("then"));
 * ```
 */
export function identifiersOf(text: string): Set<string> {
  const found = new Set<string>();
  for (const { text: line, code, fence } of markdownLines(text)) {
    if (fence) continue;
    const plain = line.replace(URL, " ");
    for (const id of wordIdentifiers(plain)) found.add(id);
    // camelCase is a parameter only in code: in prose it is a product's name (`GitHub`, `iPhone`).
    const spans = code === undefined ? [...plain.matchAll(/`([^`]+)`/g)].map((match) => match[1]!) : [plain];
    for (const span of spans) for (const [camel] of span.matchAll(CAMEL)) found.add(camel);
    const command = code !== undefined ? commandOf(plain, SHELL_INFO.test(code)) : undefined;
    if (command !== undefined) found.add(command);
  }
  return found;
}

/**
 * The commands a Markdown text's shell examples run: what it needs installed, less the shell's own builtins and the
 * utilities every system has.
 *
 * @param text Markdown.
 * @returns Command names.
 *
 * @example
 * ```ts
 * import { commandsOf } from "./identifiers.ts";
 * const fence = "`".repeat(3);
 * const commands = commandsOf(`${fence}sh\n$ mkdir -p out\nsudo tmux new -d -s work\nX=1 screen -ls\n${fence}\n`);
 * console.assert(commands.size === 2 && commands.has("tmux") && commands.has("screen"));
 * ```
 */
export function commandsOf(text: string): Set<string> {
  const commands = new Set<string>();
  for (const { text: line, code } of markdownLines(text)) {
    const command = code !== undefined ? commandOf(line, SHELL_INFO.test(code)) : undefined;
    if (command !== undefined) commands.add(command);
  }
  return commands;
}

/**
 * Fences that hold shell commands. One without an info string holds anything (output, a tree, prose, a prompt), so
 * only its `$ ` lines count.
 */
const SHELL_INFO = /^(bash|sh|shell|zsh|fish|console|terminal|shell-session|cmd|powershell|ps1|pwsh)$/i;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]"'`]+|\bwww\.[^\s)>\]"'`]+/gi;
const CAMEL = /(?<![\w$.-])[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*(?![\w-])/g;
const SNAKE = /(?<![\w$-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w-])/g;
const VARIABLE = /\$\{?([A-Z][A-Z0-9_]{2,})/g;
const FLAG = /(?<![\w-])--[a-z0-9][a-z0-9-]*[a-z0-9](?![\w-])/g;
const TOKEN_SEPARATORS = /[\s"'`(){}[\]<>|;,=*!?]+|:-?/;

/** Variables, parameters, flags and paths in one line of text. */
function wordIdentifiers(line: string): string[] {
  const found = [
    ...[...line.matchAll(SNAKE)].map((match) => match[0]),
    ...[...line.matchAll(VARIABLE)].map((match) => match[1]!),
    ...[...line.matchAll(FLAG)].map((match) => match[0]),
  ];
  for (const token of line.split(TOKEN_SEPARATORS)) {
    const path = token.replace(/^-+/, "").replace(/[.:]+$/, "");
    if (isPath(path)) found.push(path);
  }
  return found;
}

/**
 * Whether a token is a file path: rooted (`/tmp/x`, `~/x`, `./x`, `$DIR/x`), or with a file extension, or two
 * folders deep. `and/or` and `TCP/IP` are words.
 */
function isPath(token: string): boolean {
  if (!token.includes("/") || token.endsWith("//") || !/[A-Za-z]/.test(token)) return false;
  if (/^(~|\.{1,2}|\$\w*|\$\{?\w+\}?)?\//.test(token)) return token.length > 1;
  return /\.[A-Za-z][A-Za-z0-9]{0,5}$/.test(token) || token.split("/").filter((part) => part !== "").length >= 3;
}

/**
 * The command a line of code runs, past a prompt, `sudo` and variable assignments; none for builtins, and none
 * outside a shell fence unless the line has a `$ ` prompt.
 */
function commandOf(line: string, shell: boolean): string | undefined {
  // A `#` line is a comment (a root prompt is rare in a skill).
  if (line.trim().startsWith("#") || (!shell && !/^\s*\$\s/.test(line))) return undefined;
  const words = line.trim().replace(/^[$>]\s+/, "").split(/\s+/);
  while (words.length > 0 && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!) || words[0] === "sudo")) words.shift();
  const word = words[0] ?? "";
  return /^[a-z](?:[a-z0-9._+-]*[a-z0-9])?$/.test(word) && !COMMON_COMMANDS.has(word) ? word : undefined;
}

/** Shell keywords, builtins and the utilities every system has: running them says nothing of what a skill needs. */
const COMMON_COMMANDS = new Set(
  ("if then else elif fi for while until do done case esac function return local export set unset source alias " +
    "cd pwd echo printf exit read true false test wait sleep trap shift eval exec time type command " +
    "cat ls mkdir rm rmdir cp mv ln touch chmod chown find xargs grep egrep sed awk head tail sort uniq wc tr cut " +
    "tee diff less more env which date kill ps clear open start")
    .split(" "),
);
