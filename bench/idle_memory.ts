// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * The loop's resident memory between runs: starts the heartbeat (the real
 * program, with the heartbeat task's flags) as a dry-run loop in a copy of a
 * skills library, waits for its first run to print its report, then samples
 * the process's RSS from `/proc/PID/status` for a while and stops it with
 * SIGTERM.
 *
 * Usage: deno run -A bench/idle_memory.ts [SKILLS_DIR] [--seconds 10]
 *
 * `SKILLS_DIR` defaults to the bundled skills; it is copied into a temporary
 * repository, so the library itself is never written.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { heartbeatCommand } from "./heartbeat_process.ts";
import { residentMemory } from "./resident_memory.ts";
import { BUNDLED_SKILLS, copyTree } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "10" } },
  allowPositionals: true,
});

const repo = await Deno.makeTempDir({ prefix: "idle-memory-" });
try {
  await copyTree(positionals[0] ?? BUNDLED_SKILLS, join(repo, "skills"));
  const child = heartbeatCommand(repo, ["--dry-run", "--json"]).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const started = performance.now();
  let output = "";
  while (!output.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the heartbeat exited before its first report");
    output += value;
  }
  const firstRunMs = Math.round(performance.now() - started);
  const samples: number[] = [];
  let peak = 0;
  for (let second = 0; second < Number(values.seconds); second++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const memory = residentMemory(child.pid);
    samples.push(memory.rss);
    peak = memory.peak;
  }
  child.kill("SIGTERM");
  await reader.cancel();
  await child.stderr.cancel();
  await child.status;
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  console.log(
    `first run ${firstRunMs} ms; idle RSS ${mib(Math.min(...samples))}–${
      mib(Math.max(...samples))
    } over ${samples.length} s (last ${mib(samples.at(-1)!)}); peak during the run ${mib(peak)}`,
  );
} finally {
  await Deno.remove(repo, { recursive: true });
}
