// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures discovery in a fresh process: wall time, files per second and peak
 * memory (the process's high-water resident set).
 *
 * Usage: deno run --allow-read --allow-env=LOG_TOKENS,LOG_STREAM bench/discovery.ts REPO [SKILLS_DIR] [WORKERS]
 *
 * @module
 */

import { join } from "node:path";
import { discoverSkills } from "../src/discovery/discover.ts";
import { DEFAULT_RULE_SETS } from "../src/discovery/validate.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";

/**
 * The process's peak resident memory, in MiB, from `/proc/self/status`.
 *
 * @returns MiB, or `NaN` where `/proc` is not there.
 */
export function peakMemoryMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

if (import.meta.main) {
  const [repo = ".", skillsDir = "skills", workers] = Deno.args;
  const started = performance.now();
  const { report } = await discoverSkills(denoFileSystem, {
    repo,
    skillsDir: join(repo, skillsDir),
    ruleSets: DEFAULT_RULE_SETS,
    ...(workers ? { workers: Number(workers) } : {}),
  });
  const ms = performance.now() - started;
  console.log(JSON.stringify({
    files: report.found,
    parsed: report.parsed,
    ms: Math.round(ms),
    filesPerSecond: Math.round(report.found / (ms / 1000)),
    peakMemoryMiB: Math.round(peakMemoryMiB()),
  }));
}
