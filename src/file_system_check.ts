/**
 * The file-system health check: the skills tree can be read and written, and
 * the state directory written.
 *
 * @module
 */

import { join } from "node:path";
import type { Config } from "./config.ts";
import type { HealthCheck } from "./health.ts";
import { errorMessage } from "./error_message.ts";

/**
 * Checks that the skills directory is a readable, writable directory and the
 * state directory is writable. It writes and removes a hidden probe file in
 * each.
 *
 * @param config Where the skills and state live.
 * @returns The check.
 */
export function fileSystemCheck(config: Pick<Config, "skillsDir" | "stateDir">): HealthCheck {
  return async () => {
    const problems: string[] = [];
    try {
      const info = await Deno.stat(config.skillsDir);
      if (!info.isDirectory) problems.push(`${config.skillsDir} is not a directory`);
      else {
        for await (const _ of Deno.readDir(config.skillsDir)) break;
        await probeWrite(config.skillsDir);
      }
    } catch (error) {
      problems.push(`skills directory ${config.skillsDir}: ${describe(error)}`);
    }
    try {
      await Deno.mkdir(config.stateDir, { recursive: true });
      await probeWrite(config.stateDir);
    } catch (error) {
      problems.push(`state directory ${config.stateDir}: ${describe(error)}`);
    }
    return {
      name: "file-system",
      healthy: problems.length === 0,
      detail: problems.length === 0
        ? `skills directory readable and writable, state directory writable`
        : problems.join("; "),
      data: { skillsDir: config.skillsDir, stateDir: config.stateDir },
    };
  };
}

async function probeWrite(dir: string): Promise<void> {
  const probe = join(dir, `.heartbeat-probe-${crypto.randomUUID()}`);
  await Deno.writeTextFile(probe, "");
  await Deno.remove(probe);
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "does not exist";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "outside what this process may access (Deno permissions)";
  return errorMessage(error);
}
