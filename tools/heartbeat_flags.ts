/**
 * The heartbeat's `deno run` flags and the variables it starts with, read
 * from the `heartbeat` task in deno.json (the one place they are written), for running the program from
 * outside the project directory: installed as a command, from a test, from a
 * benchmark. The task's read permission on the working directory gains the
 * project's `models/`, where the embedded model is, and the dashboard's files
 * that `serve` sends.
 *
 * @module
 */

import { join } from "node:path";

/** The task is not the `deno run` (or `deno task` of one) this reads. */
export class TaskShapeError extends Error {
  override name = "TaskShapeError";
}

/** Options of {@linkcode heartbeatFlags} and {@linkcode heartbeatEnvironment}. */
export interface HeartbeatFlagsOptions {
  /** The task whose flags these are (default `heartbeat`). */
  task?: string;
  /** Grant reading the project's model and dashboard (default `true`; a compiled binary carries them inside). */
  readModels?: boolean;
}

/** A task's command, taken apart. */
interface TaskCommand {
  /** The variables set before `deno` (`NAME=value deno run …`). */
  environment: Record<string, string>;
  /** The `deno run` flags, between `deno run` and `main.ts`. */
  flags: string[];
}

/** Reads a task's command from deno.json; a task that is another task with more arguments is that task. */
function taskCommand(project: string, task: string): TaskCommand {
  const config = JSON.parse(Deno.readTextFileSync(join(project, "deno.json")));
  const command: string | undefined = config.tasks?.[task]?.command ?? config.tasks?.[task];
  if (typeof command !== "string") throw new TaskShapeError(`deno.json has no task ${task}`);
  const words = command.split(/\s+/);
  const environment: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? "")) {
    const [name, ...value] = words.shift()!.split("=");
    environment[name!] = value.join("=");
  }
  // `deno task heartbeat health` has the heartbeat task's flags.
  if (words[0] === "deno" && words[1] === "task" && words[2] !== undefined) return taskCommand(project, words[2]);
  const end = words.indexOf("main.ts");
  if (words[0] !== "deno" || words[1] !== "run" || end < 0) {
    throw new TaskShapeError(`Task ${task} is not "deno run … main.ts"`);
  }
  return { environment, flags: words.slice(2, end) };
}

/**
 * A task's `deno run` flags, between `deno run` and `main.ts`.
 *
 * @param project The project's root directory (where deno.json is).
 * @param options The task, and whether the models are read from the project.
 * @returns The flags.
 * @throws {TaskShapeError} When the task is not `deno run … main.ts` or `deno task` of one.
 *
 * @example
 * ```ts ignore
 * import { heartbeatFlags } from "./heartbeat_flags.ts";
 * const flags = heartbeatFlags("/opt/clawstr-heartbeat");
 * console.assert(flags.some((flag) => flag.startsWith("--allow-read=.,/opt/clawstr-heartbeat/models,")));
 * ```
 */
export function heartbeatFlags(project: string, options: HeartbeatFlagsOptions = {}): string[] {
  const { task = "heartbeat", readModels = true } = options;
  return taskCommand(project, task).flags.map((flag) =>
    flag === "--allow-read=." && readModels
      ? `--allow-read=.,${join(project, "models")},${join(project, "src", "serve", "dashboard")}`
      : flag
  );
}

/**
 * The variables a task sets for the process it starts (`MALLOC_ARENA_MAX=2 deno run …`): settings the C library reads
 * when the process starts, too early for the program to make them itself. Whatever else starts the program (the
 * installed command, the service, the image) sets the same.
 *
 * @param project The project's root directory (where deno.json is).
 * @param options The task (default `heartbeat`).
 * @returns The variables and their values.
 * @throws {TaskShapeError} When the task is not `deno run … main.ts` or `deno task` of one.
 *
 * @example
 * ```ts ignore
 * import { heartbeatEnvironment } from "./heartbeat_flags.ts";
 * console.assert(heartbeatEnvironment("/opt/clawstr-heartbeat").MALLOC_ARENA_MAX === "2");
 * ```
 */
export function heartbeatEnvironment(
  project: string,
  options: Pick<HeartbeatFlagsOptions, "task"> = {},
): Record<string, string> {
  return taskCommand(project, options.task ?? "heartbeat").environment;
}
