// deno-lint-ignore-file no-console -- the command line's edge prints its output
/**
 * The Clawstr Skill Orchestrator's entry point: parses the command line and
 * hands over to the command, loaded lazily so `--help` starts fast.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { type Command, parseCommandLine } from "./src/cli/args.ts";
import { UsageError } from "./src/usage_error.ts";
import { usage } from "./src/cli/usage.ts";
import { PROGRAM_NAME } from "./src/program_name.ts";

/** Exit code for bad usage or configuration. */
const EXIT_USAGE = 2;

/**
 * Runs the program.
 *
 * @param args The command-line arguments.
 * @returns The exit code.
 */
export async function main(args: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${PROGRAM_NAME}: ${error.message}. Try "${PROGRAM_NAME} --help".`);
    return EXIT_USAGE;
  }
  try {
    switch (command.name) {
      case "help":
        console.log(usage(command.topic));
        return 0;
      case "version":
        console.log(`${PROGRAM_NAME} ${denoJson.version}`);
        return 0;
      case "health":
        return await (await import("./src/cli/health.ts")).healthCommand(command.options);
      case "run":
        return await (await import("./src/cli/run.ts")).runCommand(command.options, denoJson.version);
      case "serve":
        return await (await import("./src/cli/serve.ts")).serveCommand(command.options, denoJson.version);
      case "fix":
        return await (await import("./src/cli/fix.ts")).fixCommand(command.options, command.write);
      case "restore":
        return await (await import("./src/cli/restore.ts")).restoreCommand(command.options, command.path);
      case "init":
        return await (await import("./src/cli/init.ts")).initCommand(command.options);
      case "review":
      case "approve":
      case "reject":
        return await (await import("./src/cli/review.ts")).reviewCommand(command, denoJson.version);
    }
  } catch (error) {
    return await usageErrorCode(error);
  }
}

/**
 * The exit code of a configuration the user must fix, printed; anything else is rethrown. The error classes are
 * loaded only here, so that `--help` loads the usage text and nothing more.
 */
async function usageErrorCode(error: unknown): Promise<number> {
  const [{ ConfigError }, { ModelError }, { IntervalError }] = await Promise.all([
    import("./src/config.ts"),
    import("./src/embedding/embedder.ts"),
    import("./src/schedule.ts"),
  ]);
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`${PROGRAM_NAME}: ${problem}`);
    return EXIT_USAGE;
  }
  if (error instanceof IntervalError || error instanceof ModelError) {
    console.error(`${PROGRAM_NAME}: ${error.message}`);
    return EXIT_USAGE;
  }
  throw error;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
