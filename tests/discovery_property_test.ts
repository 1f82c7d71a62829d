import fc from "fast-check";
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { readSkill } from "../src/discovery/skill.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { tempDir } from "./utils.ts";

const encoder = new TextEncoder();

/** Bytes that are often frontmatter-shaped: fences, YAML punctuation, CRLF, BOMs, invalid UTF-8. */
const skillBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.tuple(
    fc.constantFrom("", "\uFEFF"),
    fc.constantFrom("---\n", "---\r\n", "--- \n", ""),
    fc.string({ unit: fc.constantFrom(..."ab:-[]{}&*!|>'\"#\n\r\t ,?%@`\u00e9\u0080"), maxLength: 200 }),
    fc.constantFrom("\n---\n", "\r\n...\r\n", ""),
    fc.string({ maxLength: 100 }),
  ).map((parts) => encoder.encode(parts.join(""))),
  fc.tuple(fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 50 })).map(([a, b]) =>
    new Uint8Array([...encoder.encode("---\nname: x\n"), ...a, ...encoder.encode("\n---\n"), ...b])
  ),
);

Deno.test("readSkill() never throws on arbitrary bytes, and says why whenever it reads no skill", () => {
  fc.assert(
    fc.property(skillBytes, (bytes) => {
      const reading = readSkill({ path: "skills/x/SKILL.md", layout: "folder", slug: "x", bytes });
      if (!reading.skill) assert(reading.diagnostics.some((d) => d.severity === "error"));
      for (const diagnostic of reading.diagnostics) {
        if (diagnostic.line !== undefined) assert(diagnostic.line >= 1);
      }
    }),
    { numRuns: 3000 },
  );
});

Deno.test("discovery of a tree of random files never throws and accounts for every file", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(skillBytes, { minLength: 1, maxLength: 12 }), async (contents) => {
      await using dir = await tempDir();
      for (const [i, bytes] of contents.entries()) {
        const path = i % 2 === 0 ? join(dir.path, "skills", `s${i}`, "SKILL.md") : join(dir.path, "skills", `f${i}.md`);
        await Deno.mkdir(join(path, ".."), { recursive: true });
        await Deno.writeFile(path, bytes);
      }
      const { skills, report } = await discoverSkills(denoFileSystem, {
        repo: dir.path,
        skillsDir: join(dir.path, "skills"),
        ruleSets: ["agentskills", "clawhub", "orchestrator"],
        workers: 0,
      });
      assertEquals(report.found, contents.length);
      const unread = new Set(
        report.diagnostics.filter((d) => d.severity === "error").map((d) => d.path),
      );
      for (const skill of skills) unread.delete(skill.path);
      assertEquals(skills.length + unread.size, contents.length);
    }),
    { numRuns: 60 },
  );
});
