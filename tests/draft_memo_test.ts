import { assertEquals } from "./assert.ts";
import { DraftMemo } from "../src/consolidation/draft_memo.ts";
import { draftMaster, type Member } from "../src/consolidation/master_draft.ts";
import { parseFrontmatter } from "../src/discovery/frontmatter.ts";
import { discoverTree } from "./utils.ts";

const BODY = "# Weather\n\nAsk wttr.in for the forecast:\n\n```sh\ncurl wttr.in/London\n```\n";

/** Two copies of one weather skill, with an extra frontmatter line in the first. */
async function weatherMembers(extra: string): Promise<Member[]> {
  const skills = await discoverTree({
    "skills/weather/SKILL.md": `---\nname: weather\ndescription: The forecast from wttr.in.\n${extra}---\n${BODY}`,
    "skills/weather-copy/SKILL.md": `---\nname: weather\ndescription: The forecast from wttr.in.\n---\n${BODY}`,
  });
  return skills.map((skill) => ({ skill, body: parseFrontmatter(BODY).body }));
}

Deno.test("a draft memo gives the last run's draft of unchanged members without drafting, and drafts changed ones", async () => {
  const members = await weatherMembers("");
  const skills = members.map((member) => member.skill);
  const first = new DraftMemo();
  const drafted = first.draft(skills, () => members);
  assertEquals(first.used.size, 1);
  let read = 0;
  const second = new DraftMemo(first.used);
  const reused = second.draft(skills, () => (read++, members));
  assertEquals([read, second.reused], [0, 1]);
  assertEquals(reused, drafted);
  assertEquals(reused, draftMaster(members));

  const changed = await weatherMembers("version: 2.0.0\n");
  const third = new DraftMemo(first.used);
  third.draft(changed.map((member) => member.skill), () => (read++, changed));
  assertEquals([read, third.reused], [1, 0]);
});

Deno.test("a draft whose frontmatter JSON cannot keep (an infinite number) is drafted again at every run", async () => {
  const members = await weatherMembers("timeout: .inf\n");
  assertEquals(members[0]!.skill.frontmatter.timeout, Infinity);
  const memo = new DraftMemo();
  memo.draft(members.map((member) => member.skill), () => members);
  assertEquals(memo.used.size, 0);
});
