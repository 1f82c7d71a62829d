// deno-lint-ignore-file no-console -- a command-line tool prints what it did
/**
 * Installs the program as a global command, `clawstr-heartbeat`, with
 * `deno install`: the heartbeat task's own scoped permissions, read and write
 * relative to the directory the command runs in, and read access to this
 * clone's model, and the variables the task sets (the C library's, read as
 * the process starts: the command sets them before it starts Deno). Afterwards
 * `cd ~/my-skills && clawstr-heartbeat --once` works.
 * The command runs this clone's code: pull, then install again, to update.
 *
 * ```sh
 * deno task install                  # into deno's bin directory ($DENO_INSTALL_ROOT/bin, or ~/.deno/bin)
 * deno task install --root ~/.local  # into ~/.local/bin
 * deno task uninstall [--root DIR]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { heartbeatEnvironment, heartbeatFlags } from "./heartbeat_flags.ts";
import { PROGRAM_NAME } from "../src/program_name.ts";

const PROJECT = fileURLToPath(new URL("..", import.meta.url));

/** Options of {@linkcode installCommand}. */
export interface InstallOptions {
  /** The installation root (the command goes into its `bin/`); deno's default when absent. */
  root?: string | undefined;
  /** Remove the command instead. */
  uninstall?: boolean;
}

/**
 * The `deno` arguments that install (or uninstall) the command.
 *
 * @param options Where, and whether to uninstall.
 * @returns The arguments after `deno`.
 *
 * @example
 * ```ts ignore
 * import { installCommand } from "./install.ts";
 * console.assert(installCommand({ uninstall: true }).join(" ") === "uninstall --global clawstr-heartbeat");
 * ```
 */
export function installCommand(options: InstallOptions = {}): string[] {
  const root = options.root === undefined ? [] : ["--root", options.root];
  if (options.uninstall) return ["uninstall", "--global", ...root, PROGRAM_NAME];
  return [
    "install",
    "--global",
    "--force",
    "--name",
    PROGRAM_NAME,
    ...root,
    "--config",
    join(PROJECT, "deno.json"),
    ...heartbeatFlags(PROJECT),
    join(PROJECT, "main.ts"),
  ];
}

/**
 * The command `deno install` wrote, with the task's variables exported before it starts Deno; a value already set in
 * the environment is kept.
 *
 * @param script The shell script `deno install` wrote.
 * @param environment The variables and their values.
 * @returns The script that sets them, or `undefined` when it is not the expected `sh` script (left as it is).
 *
 * @example
 * ```ts ignore
 * import { withEnvironment } from "./install.ts";
 * const script = withEnvironment("#!/bin/sh\nexec deno run main.ts \"$@\"\n", { MALLOC_ARENA_MAX: "2" });
 * console.assert(script?.includes('export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"\nexec deno run'));
 * ```
 */
export function withEnvironment(script: string, environment: Record<string, string>): string | undefined {
  if (!script.startsWith("#!/bin/sh\n") || !/^exec /m.test(script)) return undefined;
  const exports = Object.entries(environment).map(([name, value]) => `export ${name}="\${${name}:-${value}}"\n`);
  return script.replace(/^exec /m, `${exports.join("")}exec `);
}

/** Where `deno install` puts the command: `ROOT/bin`, the root defaulting as deno's does. */
function installedPath(root: string | undefined): string {
  const base = root ?? Deno.env.get("DENO_INSTALL_ROOT") ?? join(Deno.env.get("HOME") ?? ".", ".deno");
  return join(base, "bin", PROGRAM_NAME);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { root: { type: "string" }, uninstall: { type: "boolean", default: false } },
  });
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: installCommand({ root: values.root, uninstall: values.uninstall }),
    stdin: "null",
  }).spawn().status;
  if (code === 0 && !values.uninstall) {
    const path = installedPath(values.root);
    const environment = heartbeatEnvironment(PROJECT);
    const script = await Deno.readTextFile(path).then((text) => withEnvironment(text, environment), () => undefined);
    if (script) await Deno.writeTextFile(path, script);
    else {
      const assignments = Object.entries(environment).map(([name, value]) => `${name}=${value}`).join(" ");
      console.error(`${path} is not the shell script expected: set ${assignments} where the command is started.`);
    }
    console.error(`Installed. In a skills repository: ${PROGRAM_NAME} --once --dry-run, then ${PROGRAM_NAME} init.`);
  }
  Deno.exit(code);
}
