/**
 * Members and drafts for the master tests: skills written as files, read as discovery reads them.
 *
 * @module
 */

import { assert } from "./assert.ts";
import { draftMaster, type MasterDraft, type Member } from "../src/consolidation/master_draft.ts";
import { parseFrontmatter } from "../src/discovery/frontmatter.ts";
import { discoverTree } from "./utils.ts";

/**
 * The members a tree of skill files holds, with their bodies.
 *
 * @param files Each file's text by its repository path.
 * @returns The members, in discovery order.
 */
export async function members(files: Record<string, string>): Promise<Member[]> {
  const skills = await discoverTree(files);
  return skills.map((skill) => ({ skill, body: parseFrontmatter(files[skill.path]!).body }));
}

/**
 * A draft that must not be a refusal.
 *
 * @param result What {@linkcode draftMaster} returned.
 * @returns The draft.
 */
export function drafted(result: ReturnType<typeof draftMaster>): MasterDraft {
  assert(!("refused" in result), "refused" in result ? result.refused : "");
  return result as MasterDraft;
}
