import fc from "fast-check";
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { distinctWords, MAX_TERMS, words } from "../src/clustering/features.ts";
import { hasShared, SHARED } from "./utils.ts";

/** The definition: the first `max` distinct words of {@linkcode words}. */
function reference(text: string, max: number): string[] {
  const found = new Set<string>();
  for (const word of words(text)) {
    found.add(word);
    if (found.size >= max) break;
  }
  return [...found];
}

const piece = fc.oneof(
  fc.constantFrom(" ", "\n", "-", "_", "é", "İ", "ß", "日本", "٣", "𝐀𝐁", "😀", "\ud835", "\udc00", "x".repeat(41)),
  fc.string({ unit: "grapheme-ascii", maxLength: 8 }),
  fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
);

Deno.test("distinctWords() finds exactly the words the word pattern finds, first seen first, in any Unicode text", () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (pieces, max) => {
      const text = pieces.join("");
      assertEquals(distinctWords(text, max), reference(text, max));
    }),
    { numRuns: 2000 },
  );
});

const haveShared = hasShared("the corpus word test");

Deno.test({
  name: "distinctWords() agrees with the word pattern on every corpus skill",
  ignore: !haveShared,
  fn: async () => {
    const root = join(SHARED, "corpora", "openclaw-skills", "skills");
    let files = 0;
    for await (const owner of Deno.readDir(root)) {
      if (!owner.isDirectory) continue;
      for await (const skill of Deno.readDir(join(root, owner.name))) {
        let text: string;
        try {
          text = await Deno.readTextFile(join(root, owner.name, skill.name, "SKILL.md"));
        } catch {
          continue;
        }
        assertEquals(distinctWords(text, MAX_TERMS), reference(text, MAX_TERMS), skill.name);
        files++;
      }
    }
    assertEquals(files > 2000, true);
  },
});
