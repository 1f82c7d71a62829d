// deno-lint-ignore-file no-console -- a command-line tool prints what it did
/**
 * Builds the single executable, `dist/clawstr-heartbeat`, with `deno compile`:
 * the heartbeat task's permissions baked in (read and write on the directory
 * it runs in), the cron and KV APIs on, the embedded model, the dashboard's
 * files and the worker modules included, self-extracting so that the model runtime's native library
 * is a real file. The permissions and the workers are read from where they are
 * written (deno.json's heartbeat task, the `new URL("./…_worker.ts")` of
 * `src/`), so the binary cannot drift from the program run from source.
 *
 * `deno compile` downloads Deno's `denort` runtime on first use.
 *
 * ```sh
 * deno task compile                       # dist/clawstr-heartbeat
 * deno task compile --output /tmp/beat    # elsewhere
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import { readdir } from "node:fs/promises";
import { heartbeatFlags } from "./heartbeat_flags.ts";
import { PROGRAM_NAME } from "../src/program_name.ts";

const PROJECT = fileURLToPath(new URL("..", import.meta.url));

/** The worker modules `src/` starts (`new URL("./name_worker.ts", import.meta.url)`), project-relative. */
export async function workerModules(): Promise<string[]> {
  const src = join(PROJECT, "src");
  const workers: string[] = [];
  for (const path of await readdir(src, { recursive: true })) {
    if (!path.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(join(src, path));
    for (const [, name] of text.matchAll(/new URL\("\.\/(\w+_worker\.ts)", import\.meta\.url\)/g)) {
      workers.push(relative(PROJECT, join(src, path, "..", name!)));
    }
  }
  return workers.sort();
}

/**
 * The `deno` arguments that build the executable.
 *
 * @param output Where the executable goes.
 * @returns The arguments after `deno`.
 */
export async function compileCommand(output: string): Promise<string[]> {
  return [
    "compile",
    "--unstable-cron",
    "--unstable-kv",
    ...heartbeatFlags(PROJECT, { readModels: false }),
    "--include",
    "models",
    "--include",
    "src/serve/dashboard",
    ...(await workerModules()).flatMap((worker) => ["--include", worker]),
    "--self-extracting",
    "--output",
    output,
    "main.ts",
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { output: { type: "string", default: join("dist", PROGRAM_NAME) } },
  });
  const args = await compileCommand(values.output);
  console.error(`deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: PROJECT, stdin: "null" }).spawn().status;
  Deno.exit(code);
}
