import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { discoverSkills } from "../src/discovery/discover.ts";
import { denoFileSystem } from "../src/fs/file_system.ts";
import { hasShared, SHARED } from "./utils.ts";

const CORPORA = ["openclaw-skills", "openclaw-skills-anon"];
const haveCorpora = hasShared("the corpus discovery test");

/**
 * Counts established independently of this implementation by
 * tools/count_frontmatter.py (PyYAML 6): 123 files without frontmatter, 4
 * whose frontmatter is never closed (together the 127 "without frontmatter"
 * another parser counted), 49 whose YAML fails, 2,241 that parse.
 *
 * The `yaml` package reads two of PyYAML's 49 failures (see README,
 * "Discovery on real-world input"), so it counts 47 YAML failures and 2,243
 * parsed skills.
 */
/** 45 of the 47 files strict YAML refuses are recovered; the other 2 (conflict markers, escaped Markdown) are not. */
const EXPECTED = { found: 2417, parsed: 2288, missing: 123, unclosed: 4, yamlErrorFiles: 2, recovered: 45 };
const READ_BY_YAML_NOT_PYYAML = [
  "skills/fobonacci404/evilcalc/SKILL.md",
  "skills/hhhh124hhhh/ai-image-prompts-for-eye-catching-marketing-creati-4e43d568/SKILL.md",
];

for (const corpus of CORPORA) {
  Deno.test({
    name: `discovery over ${corpus} accounts for all 2,417 files with the pinned counts`,
    ignore: !haveCorpora,
    fn: async () => {
      const repo = join(SHARED, "corpora", corpus);
      const { skills, report } = await discoverSkills(denoFileSystem, {
        repo,
        skillsDir: join(repo, "skills"),
        ruleSets: ["agentskills", "clawhub", "orchestrator"],
      });
      const filesWith = (rule: string) =>
        new Set(report.diagnostics.filter((d) => d.rule === rule).map((d) => d.path)).size;
      assertEquals({
        found: report.found,
        parsed: report.parsed,
        missing: filesWith("frontmatter/missing"),
        unclosed: filesWith("frontmatter/unclosed"),
        yamlErrorFiles: filesWith("frontmatter/yaml"),
        recovered: filesWith("frontmatter/recovered"),
      }, EXPECTED);
      // Every parsed corpus skill has a name or a description; those kept out are the malware droppers the security
      // scan finds (25 files of early 2026: password-protected archives, paste-site commands, encoded shells, an
      // injected SSH key).
      const quarantined = skills.filter((skill) =>
        report.diagnostics.some((d) => d.path === skill.path && d.rule.startsWith("security/"))
      );
      assertEquals(quarantined.length, 25);
      assertEquals(report.valid, report.parsed - quarantined.length);
      // Every file is a parsed skill or carries an error.
      const parsed = new Set(skills.map((skill) => skill.path));
      const failed = new Set(report.diagnostics.filter((d) => d.severity === "error").map((d) => d.path));
      assertEquals(parsed.size + [...failed].filter((path) => !parsed.has(path)).length, report.found);
      for (const diagnostic of report.diagnostics.filter((d) => d.rule === "frontmatter/yaml")) {
        assert(diagnostic.line !== undefined && diagnostic.line >= 2, `${diagnostic.path} has a file line`);
      }
      if (corpus === "openclaw-skills") {
        for (const path of READ_BY_YAML_NOT_PYYAML) assert(parsed.has(path), path);
      }
    },
  });
}
