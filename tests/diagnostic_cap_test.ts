import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runCli, tempRepo, writeTree } from "./utils.ts";
import { capDiagnostics, MAX_DIAGNOSTICS_PER_RULE } from "../src/discovery/diagnostic_cap.ts";
import type { Diagnostic } from "../src/report.ts";

/** A skill of just under 1 MiB whose frontmatter repeats one key 200,000 times: what a contributor can plant. */
function duplicateKeySkill(): string {
  return [
    "---",
    "name: dupes",
    "description: one key two hundred thousand times",
    ...Array<string>(200_000).fill("a: 1"),
    "---",
    "# Dupes",
    "",
  ].join("\n");
}

Deno.test("a 1 MiB skill with 200,000 duplicate keys yields a bounded number of diagnostics and the run discovers the other skills", async () => {
  await using repo = await tempRepo();
  const planted = duplicateKeySkill();
  assert(planted.length <= 1024 * 1024, `${planted.length} bytes: under the read limit, so the file is read`);
  await writeTree(repo.path, { "skills/dupes/SKILL.md": planted });
  const result = await runCli(["--once", "--dry-run", "--json"], { cwd: repo.path });
  assertEquals(result.code, 0, result.stderr.slice(-2000));
  const report = JSON.parse(result.stdout);
  assertEquals(report.status, "ok");
  // The ten bundled skills and the planted one.
  assertEquals([report.discovery.found, report.discovery.parsed], [11, 11]);
  const ofPlanted = report.discovery.diagnostics.filter((d: Diagnostic) => d.path === "skills/dupes/SKILL.md");
  const duplicates = ofPlanted.filter((d: Diagnostic) => d.rule === "frontmatter/duplicate-key");
  // The first few named one by one with their lines, then one that counts the rest.
  assertEquals(duplicates.length, MAX_DIAGNOSTICS_PER_RULE + 1);
  assertEquals(duplicates[0].line, 5);
  assertStringIncludes(
    duplicates.at(-1).message,
    `and ${(199_999 - MAX_DIAGNOSTICS_PER_RULE).toLocaleString("en-US")} more`,
  );
  assert(ofPlanted.length <= 3 * (MAX_DIAGNOSTICS_PER_RULE + 1), `${ofPlanted.length} diagnostics for one file`);
});

Deno.test("capDiagnostics() keeps a few of each rule in order and sums up the rest as severe as the worst of them", () => {
  const of = (rule: string, severity: Diagnostic["severity"], line: number) => ({
    line,
    severity,
    rule,
    message: rule,
  });
  const many = [
    ...Array.from({ length: 30 }, (_, i) => of("a", i === 25 ? "error" : "warning", i + 1)),
    of("b", "info", 99),
  ];
  const capped = capDiagnostics(many);
  assertEquals(capped.map((d) => d.rule), [...Array(MAX_DIAGNOSTICS_PER_RULE + 1).fill("a"), "b"]);
  const summary = capped[MAX_DIAGNOSTICS_PER_RULE]!;
  assertEquals(summary, {
    line: MAX_DIAGNOSTICS_PER_RULE + 1,
    severity: "error",
    rule: "a",
    message: `… and ${30 - MAX_DIAGNOSTICS_PER_RULE} more of this rule in this file`,
  });
});
