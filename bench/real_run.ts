// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * A real heartbeat on a large library, as a new user starts it: the library copied into a fresh git repository with
 * a local bare remote, the test relay on loopback, `init`, then `--once --json` (merge, commit, push, announce) under
 * GNU time, then a second `--once --json` that must change nothing. One line per run: wall time, peak RSS, CPU share,
 * masters written, files archived, whether it committed and pushed, events accepted by the relay, and the phases'
 * times; then the commit count, the remote's HEAD and whether the work tree is clean.
 *
 * Usage: deno run -A bench/real_run.ts CORPUS [--work DIR]
 *
 * CORPUS holds a `skills/` folder (`../shared/corpora/registry-a`, or a library from `bench/generate_library.ts`).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { heartbeatCommand } from "./heartbeat_process.ts";
import { startRelay } from "../tests/relay_harness.ts";
import { TEST_NSEC } from "../tests/keys.ts";
import { commitRepository, copyTree } from "../tests/utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { work: { type: "string", default: "/tmp/real-run" } },
  allowPositionals: true,
});
if (!positionals[0]) {
  console.error("Usage: real_run.ts CORPUS [--work DIR]");
  Deno.exit(2);
}
const work = resolve(values.work!);
await Deno.remove(work, { recursive: true }).catch(() => {});
const repo = join(work, "repo");
const remote = join(work, "remote.git");
await copyTree(join(resolve(positionals[0]), "skills"), join(repo, "skills"));
await commitRepository(repo, remote);
await using relay = await startRelay({ db: join(work, "relay.db") });
const env = { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay.url };

/** Runs the program in the repository under GNU time. */
async function timed(args: string[]): Promise<{ wall: number; rssMiB: number; cpu: string; stdout: string }> {
  const timeFile = await Deno.makeTempFile();
  try {
    const output = await heartbeatCommand(repo, args, {
      env,
      wrapper: ["/usr/bin/time", "-o", timeFile, "-f", "%e %M %P"],
    })
      .output();
    const [wall, rss, cpu] = (await Deno.readTextFile(timeFile)).trim().split("\n").at(-1)!.split(" ");
    if (output.code !== 0 && args[0] === "init") throw new Error(new TextDecoder().decode(output.stderr));
    if (output.code !== 0) {
      // A run that dies without a report (a fatal V8 error) says so here, with the end of what it printed.
      const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-5).join("\n");
      console.log(`${args.join(" ")}: exit ${output.code}${output.signal ? ` (${output.signal})` : ""}: ${stderr}`);
    }
    return {
      wall: Number(wall),
      rssMiB: Math.round(Number(rss) / 1024),
      cpu: cpu!,
      stdout: new TextDecoder().decode(output.stdout),
    };
  } finally {
    await Deno.remove(timeFile);
  }
}

/** git's output in the repository. */
async function git(...args: string[]): Promise<string> {
  return new TextDecoder().decode((await new Deno.Command("git", { args, cwd: repo, stdout: "piped" }).output()).stdout)
    .trim();
}

const init = await timed(["init"]);
console.log(`init: ${init.wall} s, ${init.rssMiB} MiB`);
for (const name of ["first", "second"]) {
  const run = await timed(["--once", "--json"]);
  if (run.stdout.trim() === "") {
    console.log(`${name}: ${run.wall} s, ${run.rssMiB} MiB, CPU ${run.cpu}; no report`);
    break;
  }
  const report = JSON.parse(run.stdout);
  const accepted = report.broadcasting.events.filter((event: { accepted: boolean }) => event.accepted).length;
  const phases = Object.entries(report.timings ?? {}).map(([phase, ms]) => `${phase} ${Math.round(Number(ms))}`);
  console.log(
    `${name}: ${run.wall} s, ${run.rssMiB} MiB, CPU ${run.cpu}; status ${report.status}${
      report.error ? ` (${report.error})` : ""
    }; ${report.consolidation.merged.length} masters, ${report.consolidation.archived.length} archived; committed ${report.publishing.committed}, pushed ${report.publishing.pushed}; ${accepted} events accepted, ${report.broadcasting.pending} pending; ms: ${
      phases.join(", ")
    }`,
  );
}
console.log(
  `commits ${await git("rev-list", "--count", "HEAD")}; remote at HEAD ${
    (await git("rev-parse", "HEAD")) === (await git("--git-dir", remote, "rev-parse", "main"))
  }; work tree clean ${(await git("status", "--porcelain")) === ""}`,
);
