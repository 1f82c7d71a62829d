/**
 * Runs the real program once as a separate process, with the heartbeat
 * task's own permissions (plus reading the project's model), and returns its
 * JSON report: what the benchmark scripts measure.
 *
 * @module
 */

import { join } from "node:path";
import { heartbeatEnvironment, heartbeatFlags } from "../tools/heartbeat_flags.ts";

const project = new URL("..", import.meta.url).pathname;
const flags = heartbeatFlags(project);
/** The task's variables that this process does not set itself: a value set here is measured instead. */
const taskEnvironment = Object.fromEntries(
  Object.entries(heartbeatEnvironment(project)).filter(([name]) => Deno.env.get(name) === undefined),
);

/** How {@linkcode heartbeatCommand} starts the program. */
export interface HeartbeatCommandOptions {
  /** Environment variables besides `NO_COLOR`. */
  env?: Record<string, string>;
  /**
   * Start it in a process group of its own (through `setsid`), so that
   * `kill -9 -PID` takes its git children down with it, as a crash of the service would.
   */
  ownProcessGroup?: boolean;
  /** A program the command runs under, with its arguments (`/usr/bin/time -o FILE`): it measures the run. */
  wrapper?: readonly string[];
}

/**
 * The command that runs `main.ts` with the heartbeat task's flags and variables in `repo`.
 *
 * @param repo The repository to run in.
 * @param args The program's arguments.
 * @param options Its environment and process group.
 * @returns The command, not yet spawned.
 */
export function heartbeatCommand(
  repo: string,
  args: readonly string[],
  options: HeartbeatCommandOptions = {},
): Deno.Command {
  const argv = ["run", "--config", join(project, "deno.json"), ...flags, join(project, "main.ts"), ...args];
  const command = [
    ...(options.ownProcessGroup ? ["setsid"] : []),
    ...(options.wrapper ?? []),
    Deno.execPath(),
    ...argv,
  ];
  return new Deno.Command(command[0]!, {
    args: command.slice(1),
    cwd: repo,
    env: { ...taskEnvironment, NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Runs `main.ts --once --json` and the given flags in `repo`.
 *
 * @param repo The repository to run in.
 * @param args Further program flags.
 * @returns The run's report (parsed JSON, read field by field by the scripts).
 * @throws {Error} With the program's stderr when it fails.
 */
// deno-lint-ignore no-explicit-any -- the report's JSON, as the scripts read it
export async function runHeartbeatProcess(repo: string, args: readonly string[]): Promise<any> {
  const output = await heartbeatCommand(repo, ["--once", "--json", ...args]).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}
