/**
 * Runs the real program once as a separate process, with the heartbeat
 * task's own permissions (plus reading the project's model), and returns its
 * JSON report: what the benchmark scripts measure.
 *
 * @module
 */

import { join } from "node:path";

const project = new URL("..", import.meta.url).pathname;
const config = JSON.parse(await Deno.readTextFile(join(project, "deno.json")));
const flags: string[] = config.tasks.heartbeat.command.split(/\s+/).slice(2, -1)
  .map((flag: string) => flag === "--allow-read=." ? `--allow-read=.,${join(project, "models")}` : flag);

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
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      join(project, "deno.json"),
      ...flags,
      join(project, "main.ts"),
      "--once",
      "--json",
      ...args,
    ],
    cwd: repo,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}
