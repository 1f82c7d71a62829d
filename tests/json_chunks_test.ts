import { assert, assertEquals } from "./assert.ts";
import { jsonBytes, jsonChunks } from "../src/json_chunks.ts";

/** A run report's shape at the size of a large library: many clusters of several members. */
function largeReport(clusters: number) {
  return {
    runId: "r-1",
    status: "ok",
    skipped: undefined,
    clusters: Array.from({ length: clusters }, (_, i) => ({
      kind: "duplicate",
      action: i % 3 === 0 ? "review" : "merge",
      score: i / clusters,
      members: [`skills/a-${i}/SKILL.md`, `skills/b-${i}/SKILL.md`, 'skills/ü-"quoted"\n/SKILL.md'],
      master: i % 2 === 0 ? undefined : `skills/a-${i}/SKILL.md`,
      holes: [undefined, null, 1, true],
    })),
  };
}

Deno.test("a report written in pieces is the JSON of the whole, and no piece holds much more than 64 KiB", () => {
  const report = largeReport(20_000);
  const chunks = [...jsonChunks(report)];
  assertEquals(chunks.join(""), JSON.stringify(report));
  assert(chunks.length > 20, `${chunks.length} pieces`);
  assert(chunks.every((chunk) => chunk.length < 64 * 1024 + 1024), "pieces stay small");
  assertEquals(new TextDecoder().decode(jsonBytes(report)), JSON.stringify(report));
});

Deno.test("each piece is transformed whole: a secret inside a string is never split between two pieces", () => {
  const secret = "nsec1secretsecretsecret";
  const report = { lines: Array.from({ length: 50_000 }, (_, i) => `line ${i} ${i % 997 === 0 ? secret : ""}`) };
  const text = new TextDecoder().decode(jsonBytes(report, (piece) => piece.replaceAll(secret, "[REDACTED]")));
  assert(!text.includes(secret) && !text.includes("nsec1secret"), "no part of the secret is left");
  assertEquals(JSON.parse(text).lines.length, 50_000);
});
