/**
 * A repository in which a real run merged three copies of one skill: what the
 * restore tests undo, and what the hostile archive tests plant entries in.
 *
 * @module
 */

import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { commitRepository, optIn, runCli, tempDir, treeSnapshot, writeTree } from "./utils.ts";

const skill = (name: string, body: string, description = `The ${name} skill.`) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`;
const ALPHA =
  "# Alpha\n\nRun scripts/run.sh to fetch alpha data from the alpha service.\n\n## Usage\n\nalpha fetch --all";

/** The master the three copies are merged into. */
export const MASTER = "skills/alpha/SKILL.md";

/** Three copies of one skill, with supporting files, and an unrelated skill. */
export const FILES: Readonly<Record<string, string>> = {
  [MASTER]: skill("alpha", ALPHA),
  "skills/alpha/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  // Copies keep the skill's name (identical bodies under names about other subjects are one template's stubs).
  "skills/alpha-copy/SKILL.md": skill("alpha", ALPHA, "The alpha skill, copied."),
  "skills/alpha-three/SKILL.md": skill("alpha", ALPHA, "The alpha skill, a third copy."),
  "skills/alpha-three/references/notes.md": "# Notes\n\nOnly the third copy has these.\n",
  "skills/unrelated.md": skill("unrelated", "# Weather\n\nForecasts for any city, from the met office."),
};

/** A merged repository, removed when disposed. */
export interface MergedRepository extends AsyncDisposable {
  /** The repository. */
  path: string;
  /** Every file's hash before the merge (see `treeSnapshot`). */
  originals: Record<string, string>;
}

/**
 * A repository with a bare remote, opted in, its three copies merged by a real run and pushed.
 *
 * @returns The repository.
 */
export async function mergedRepository(): Promise<MergedRepository> {
  const dir = await tempDir();
  const repo = join(dir.path, "repo");
  await writeTree(repo, FILES);
  await optIn(repo);
  const originals = treeSnapshot(repo);
  await commitRepository(repo, join(dir.path, "remote.git"));
  const run = JSON.parse((await runCli(["--once", "--json"], { cwd: repo })).stdout);
  assertEquals(run.consolidation.merged.map((merge: { members: string[] }) => merge.members.length), [3]);
  assert(run.publishing.pushed, run.publishing.reason);
  return { path: repo, originals, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

/**
 * A copy of a repository (its git directory and remote link included), removed when disposed: one merge, many cases.
 *
 * @param template The repository to copy.
 * @returns The copy.
 */
export async function copyOf(template: MergedRepository): Promise<MergedRepository> {
  const path = await Deno.makeTempDir({ prefix: "heartbeat-test-" });
  const copied = await new Deno.Command("cp", { args: ["-a", `${template.path}/.`, path] }).output();
  assert(copied.success, new TextDecoder().decode(copied.stderr));
  return { path, originals: template.originals, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
