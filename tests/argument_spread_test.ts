import { join, relative } from "node:path";
import { readdir } from "node:fs/promises";
import { assertEquals } from "./assert.ts";
import { PROJECT_ROOT } from "./utils.ts";

/**
 * Finds calls that spread an array into their arguments (`push(...xs)`, `Math.max(...xs)`, `new X(...xs)`):
 * V8 puts every element on the stack and throws `RangeError: Maximum call stack size exceeded` past about
 * 100,000 of them, so a list that grows with input (a file's diagnostics, a library's skills) must never be spread
 * into a call. Spreading a literal (`f(...[a, b])`) is bounded by the code and allowed; array literals (`[...xs]`),
 * object spreads and rest parameters take no arguments and are not calls.
 */
const ARGUMENT_SPREAD: Deno.lint.Plugin = {
  name: "bounded-arguments",
  rules: {
    "no-argument-spread": {
      create(context) {
        return {
          SpreadElement(node) {
            const call = node.parent.type === "CallExpression" || node.parent.type === "NewExpression";
            if (call && node.argument.type !== "ArrayExpression") {
              context.report({ node, message: "an array spread into a call's arguments" });
            }
          },
        };
      },
    },
  },
};

/** `path:line: code` for each argument spread in a source text. */
function argumentSpreads(path: string, source: string): string[] {
  return Deno.lint.runPlugin(ARGUMENT_SPREAD, path, source).map((found) => {
    const line = source.slice(0, found.range[0]).split("\n").length;
    return `${path}:${line}: ${source.split("\n")[line - 1]!.trim()}`;
  });
}

/** The program's own code under `src/` (the dashboard's script included, its vendored libraries not). */
async function sourceFiles(): Promise<string[]> {
  const src = join(PROJECT_ROOT, "src");
  return (await readdir(src, { recursive: true }))
    .filter((path) => /\.(ts|mjs)$/.test(path) && !path.includes("vendor/"))
    .map((path) => join(src, path))
    .sort();
}

Deno.test("no call in src/ spreads an array into its arguments, so no input can overflow the stack", async () => {
  const found: string[] = [];
  for (const file of await sourceFiles()) {
    for (const spread of argumentSpreads(relative(PROJECT_ROOT, file), await Deno.readTextFile(file))) {
      found.push(spread);
    }
  }
  assertEquals(found, []);
});

Deno.test("the argument-spread scan sees spreads into calls and nothing else", () => {
  const source = [
    "function f(...rest: number[]) {", // a rest parameter: not a call
    "  list.push(...rest);", // 2: found
    "  const m = Math.max(0, ...rest);", // 3: found
    "  new Set(...[rest]);", // a literal: bounded by the code
    "  return [...rest, { ...o }];", // an array literal and an object spread: not calls
    "}",
    "new Map(...pairs);", // 7: found
  ].join("\n");
  assertEquals(argumentSpreads("x.ts", source).map((line) => line.split(":")[1]), ["2", "3", "7"]);
});
