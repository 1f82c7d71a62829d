// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Consolidates a copy of a corpus with the real program (`--once --no-commit
 * --no-push`) and checks that nothing was lost: every original skill file
 * still exists byte for byte somewhere in the tree, every merged original is
 * named (by hash) in a master's provenance, and a second run changes no byte.
 *
 * Usage: deno run -A bench/verify_consolidation.ts [CORPUS_SKILLS_DIR]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { runHeartbeatProcess } from "./heartbeat_process.ts";
import { optIn } from "../tests/utils.ts";

const project = new URL("..", import.meta.url).pathname;
const source = Deno.args[0] ?? join(project, "..", "shared", "corpora", "openclaw-skills", "skills");

/** Every file under `dir` (but the state directory) with its SHA-256. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory && entry.name !== ".heartbeat") walk(child);
      else if (entry.isFile) {
        files.set(relative(dir, child), createHash("sha256").update(Deno.readFileSync(child)).digest("hex"));
      }
    }
  };
  walk(dir);
  return files;
}

async function heartbeat(repo: string): Promise<number> {
  const started = performance.now();
  const report = await runHeartbeatProcess(repo, ["--no-commit", "--no-push"]);
  if (Deno.env.get("SHOW_MERGES")) {
    for (const merge of report.consolidation.merged.slice(0, 12)) {
      console.log(`    ${merge.master} <- ${merge.members.join(" ")}`);
    }
  }
  console.log(
    `  run: ${report.consolidation.merged.length} masters, ${report.consolidation.archived.length} files archived, ${report.consolidation.refused.length} refused, ${report.consolidation.rounds} rounds, consolidation ${report.timings.consolidation} ms, whole run ${
      Math.round(performance.now() - started)
    } ms`,
  );
  return report.consolidation.merged.length;
}

const repo = await Deno.makeTempDir({ prefix: "consolidation-" });
await new Deno.Command("cp", { args: ["-r", source, join(repo, "skills")] }).output();
await new Deno.Command("chmod", { args: ["-R", "u+w", repo] }).output();
// Opted in, as `heartbeat init` would: without it every run is a dry run.
await optIn(repo);
const before = snapshot(repo);
await heartbeat(repo);
const after = snapshot(repo);
const present = new Set(after.values());
const lost = [...before].filter(([, hash]) => !present.has(hash));
const provenance = new Set<string>();
for (const [path] of after) {
  if (!path.endsWith(".md") || path.startsWith(".archive")) continue;
  const text = Deno.readTextFileSync(join(repo, path));
  const match = /^---\n([\s\S]*?)\n---/.exec(text);
  let data: { merged_from?: Array<{ hash: string }> } | undefined;
  try {
    data = match ? parse(match[1]!) : undefined;
  } catch {
    continue; // Not a master: masters are written by this program and always parse.
  }
  for (const entry of data?.merged_from ?? []) provenance.add(entry.hash);
}
const index = JSON.parse(Deno.readTextFileSync(join(repo, ".archive", "index.json")));
// Every archived member skill file (earlier versions of updated masters are archived too, but are not members).
const unnamed = index.filter((entry: { hash?: string }) => entry.hash && !provenance.has(entry.hash));
console.log(
  `files before: ${before.size}; lost: ${lost.length}; archived skill files not in any master's provenance: ${unnamed.length}`,
);
await heartbeat(repo);
const again = snapshot(repo);
const changed = [...again].filter(([path, hash]) => after.get(path) !== hash).length +
  [...after.keys()].filter((p) => !again.has(p)).length;
console.log(`second run: ${changed} files changed`);
await Deno.remove(repo, { recursive: true });
if (lost.length > 0 || unnamed.length > 0 || changed > 0) Deno.exit(1);
