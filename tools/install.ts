// deno-lint-ignore-file no-console -- a command-line tool prints what it did
/**
 * Installs the program as a global command, `clawstr-heartbeat`, with
 * `deno install`: the heartbeat task's own scoped permissions, read and write
 * relative to the directory the command runs in, and read access to this
 * clone's model. Afterwards `cd ~/my-skills && clawstr-heartbeat --once` works.
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
import { heartbeatFlags } from "./heartbeat_flags.ts";
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
    console.error(`Installed. In a skills repository: ${PROGRAM_NAME} --once --dry-run, then ${PROGRAM_NAME} init.`);
  }
  Deno.exit(code);
}
