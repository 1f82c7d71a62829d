// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * The clustering decisions over a library, one line each (`action kind members…`, sorted), then their SHA-256: run it
 * before and after a change made for speed, and the two outputs must be the same (`diff`), or the change moved a
 * decision and is audited as one.
 *
 * Usage: deno run -A bench/decisions_digest.ts REPO [SKILLS_DIR] > decisions.txt
 *
 * @module
 */

import { createHash } from "node:crypto";
import { clusterSkills } from "../src/clustering/cluster.ts";
import { embeddedSkills } from "./embedded_skills.ts";

const [repo = ".", skillsDir = "skills"] = Deno.args;
const { usable, vectors } = await embeddedSkills(repo, skillsDir);
const clusters = await clusterSkills(usable, vectors, { skillsDir });
const lines = clusters.map((cluster) => [cluster.action, cluster.kind, ...cluster.members].join("\t")).sort();
for (const line of lines) console.log(line);
console.log(`# ${lines.length} clusters, sha256 ${createHash("sha256").update(lines.join("\n")).digest("hex")}`);
