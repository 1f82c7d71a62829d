/**
 * Property tests over what a contributor can commit into the archive: any index entries and any decisions file. The
 * real restore, the real member reading and the real parsers run against a real repository through a writer that
 * records every path it is asked for; nothing is ever read outside the archive and the skills directory, nothing is
 * written outside them, and nothing is thrown but the documented errors.
 */

import fc from "fast-check";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { TEST_NSEC } from "./keys.ts";
import { tempDir, writeTree } from "./utils.ts";
import { ArchiveIndexError, parseArchiveIndex } from "../src/consolidation/archive_index.ts";
import { masterMembers } from "../src/consolidation/master_members.ts";
import { RestoreError, restoreOriginals } from "../src/consolidation/restore.ts";
import {
  type Decision,
  DecisionsError,
  MAX_DECISION_PATHS,
  MAX_DECISIONS,
  MAX_PART_PATHS,
  MAX_PARTS,
  PairDecisions,
  parseDecisions,
  type ReviewDecision,
} from "../src/clustering/review_decisions.ts";
import { readSkill } from "../src/discovery/skill.ts";
import { localRepositoryWriter, type RepositoryWriter } from "../src/fs/repository_writer.ts";
import { isBelow, untrustedPathProblem } from "../src/fs/untrusted_path.ts";

const SKILLS = "skills";
const ARCHIVE = ".archive";
const MASTER = "skills/m/SKILL.md";
const LAYOUT = { archiveDir: ARCHIVE, skillsDir: SKILLS };
const encoder = new TextEncoder();

const member = (name: string) =>
  `---\nname: ${name}\ndescription: The ${name} skill.\n---\n\n# Alpha\n\nRun scripts/run.sh to fetch alpha data.\n`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const MEMBERS = { a: member("a"), b: member("b"), c: member("c") };

/** What a merge of three members (two folders, one flat) left, as the index records it. */
const MERGED = [
  {
    original: "skills/a/SKILL.md",
    archived: ".archive/a/SKILL.md",
    master: MASTER,
    hash: sha256(MEMBERS.a),
    run: "r0",
  },
  {
    original: "skills/a/scripts/run.sh",
    archived: ".archive/a/scripts/run.sh",
    master: MASTER,
    carriedTo: "skills/m/scripts/run.sh",
    run: "r0",
  },
  {
    original: "skills/b/SKILL.md",
    archived: ".archive/b/SKILL.md",
    master: MASTER,
    hash: sha256(MEMBERS.b),
    run: "r0",
  },
  { original: "skills/c.md", archived: ".archive/c.md", master: MASTER, hash: sha256(MEMBERS.c), run: "r0" },
];

const MASTER_TEXT = `---\nname: m\ndescription: The merged skill.\nversion: 0.0.1\nmerged_from:\n${
  MERGED.filter((entry) => entry.hash).map((entry) =>
    `  - name: x\n    path: ${entry.original}\n    hash: ${entry.hash}\n`
  ).join("")
}---\n\n# Alpha\n\nRun scripts/run.sh to fetch alpha data.\n`;

/** The repository: the merge, and beside it what must never be read or changed. */
const TREE: Record<string, string> = {
  [MASTER]: MASTER_TEXT,
  "skills/m/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  ".archive/a/SKILL.md": MEMBERS.a,
  ".archive/a/scripts/run.sh": "#!/bin/sh\necho alpha\n",
  ".archive/b/SKILL.md": MEMBERS.b,
  ".archive/c.md": MEMBERS.c,
  ".env": `NOSTR_NSEC=${TEST_NSEC}\n`,
  ".heartbeat/state.kv": "state",
  ".git/config": "[core]\n",
  ".github/workflows/ci.yml": "on: push\n",
  "heartbeat.json": "{}\n",
  "README.md": "# Skills\n",
};

/** Paths a hostile entry names: the merge's own, everything that must stay untouched, and broken forms. */
const NAMED = [
  ...new Set(MERGED.flatMap((entry) => [entry.original, entry.archived, entry.master, entry.carriedTo ?? MASTER])),
  ...Object.keys(TREE),
  ".archive/index.json",
  ".archive/decisions.json",
  ".archive/link/.env",
  ".archive/link/heartbeat.json",
  ".archive/../.env",
  "skills/a/../../.env",
  "skills/a/../../../outside",
  "skills/./a/SKILL.md",
  "skills//a/SKILL.md",
  "skills\\a\\SKILL.md",
  "/etc/passwd",
  "skills/a/.git/hooks/pre-commit",
  "skills/a/scripts/\u0000.sh",
  "skills/evil\u202egpj.md",
  "skills/two\nlines.md",
  "skills/a/pack/SKILL.md",
  "skills/.hidden/SKILL.md",
  "skills",
  ".archive",
  ".",
  "",
];

const segment = fc.constantFrom(
  "skills",
  ".archive",
  "a",
  "b",
  "m",
  "c.md",
  "..",
  ".",
  "",
  ".env",
  ".heartbeat",
  ".git",
  ".github",
  "SKILL.md",
  "scripts",
  "run.sh",
  "link",
  "é",
  "\\",
);

/** Any value where a path belongs: named ones, joined segments, any string, any JSON. */
const pathLike = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMED) },
  { weight: 3, arbitrary: fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/")) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const hashLike = fc.oneof(
  fc.constantFrom(...MERGED.flatMap((entry) => (entry.hash ? [entry.hash] : []))),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.jsonValue({ maxDepth: 1 }),
);

/** An index entry as a contributor might write it: any field missing, any value. */
const hostileEntry = fc.record(
  {
    original: pathLike,
    archived: pathLike,
    master: pathLike,
    carriedTo: pathLike,
    hash: hashLike,
    previousMaster: fc.oneof(fc.constant(true), fc.jsonValue({ maxDepth: 1 })),
    run: fc.oneof(fc.constant("r1"), fc.jsonValue({ maxDepth: 1 })),
    restored: fc.oneof(fc.constant("restore-0"), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);

/** One of the merge's entries with one field changed: nearly right, as a careful contributor would plant it. */
const mutatedEntry = fc.tuple(
  fc.constantFrom(...MERGED),
  fc.constantFrom("original", "archived", "master", "carriedTo", "hash", "previousMaster", "restored"),
  fc.oneof(pathLike, hashLike),
).map(([entry, field, value]) => ({ ...entry, [field]: value }));

/** A file planted in a member's folder of the master, archived anywhere, carried anywhere. */
const plantedFile = fc.record({
  original: fc.tuple(fc.constantFrom("skills/a/", "skills/b/", "skills/m/"), pathLike).map(([dir, rest]) =>
    `${dir}${typeof rest === "string" ? rest : "x"}`
  ),
  archived: pathLike,
  master: fc.constant(MASTER),
  carriedTo: fc.option(pathLike, { nil: undefined }),
  run: fc.constant("r1"),
}).map((entry) => JSON.parse(JSON.stringify(entry)));

const plantedEntry = fc.oneof(hostileEntry, mutatedEntry, plantedFile);

/** An index: the merge's entries (some), with hostile ones among them; or any JSON; or not JSON at all. */
const indexText = fc.oneof(
  { weight: 3, arbitrary: fc.shuffledSubarray(MERGED, { minLength: 2 }).map((merged) => JSON.stringify(merged)) },
  {
    weight: 6,
    arbitrary: fc.tuple(fc.subarray(MERGED), fc.array(plantedEntry, { maxLength: 6 }), fc.integer()).map(
      ([merged, hostile, seed]) => JSON.stringify(interleave(merged, hostile, seed)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.array(plantedEntry, { minLength: 100, maxLength: 400 }).map((entries) => JSON.stringify(entries)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
);

/** A decision as a contributor might write it: real paths or hostile ones, few parts or thousands. */
const decision = fc.record({
  id: fc.oneof(fc.constant("r1a2b3c4d"), fc.string({ maxLength: 12 })),
  decision: fc.constantFrom("approved", "rejected"),
  at: fc.constant("2026-12-01T00:00:00.000Z"),
  parts: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(fc.array(pathLike, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 2, max: 8_000 }), fc.integer({ min: 1, max: 3 })).map(([parts, width]) =>
        Array.from({ length: parts }, (_, i) => Array.from({ length: width }, (_, j) => `skills/s${i}-${j}.md`))
      ),
    },
  ),
});

const decisionsText = fc.oneof(
  { weight: 3, arbitrary: fc.constant('{ "decisions": [] }') },
  { weight: 6, arbitrary: fc.array(decision, { maxLength: 4 }).map((decisions) => JSON.stringify({ decisions })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: MAX_DECISIONS, max: MAX_DECISIONS + 3_000 }).map((count) =>
      JSON.stringify({
        decisions: Array.from({ length: count }, (_, i) => ({
          id: `r${i}`,
          decision: "rejected",
          at: "x",
          parts: [[`skills/a${i % 7}.md`], [`skills/b${i % 5}.md`]],
        })),
      })
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

Deno.test("the archive index check never throws but ArchiveIndexError, and every entry it accepts lies where a merge puts it", () => {
  // The skills in their own folder, and the skills directory as the repository, where .env and .github are "inside".
  const layouts = fc.constantFrom(LAYOUT, { archiveDir: ARCHIVE, skillsDir: "." });
  const rootPaths = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
  const rootEntry = fc.record({ original: rootPaths, archived: pathLike, master: rootPaths, carriedTo: rootPaths });
  const text = fc.oneof(
    indexText,
    fc.tuple(fc.array(fc.oneof(plantedEntry, rootEntry), { maxLength: 8 }), fc.constantFrom("r1", 1))
      .map(([entries, run]) => JSON.stringify(entries.map((entry) => ({ ...entry, run })))),
  );
  const accepted = { [LAYOUT.skillsDir]: 0, ".": 0 };
  fc.assert(
    fc.property(text, layouts, (text, layout) => {
      let index;
      try {
        // The same entries one folder up, when the skills directory is the repository.
        index = parseArchiveIndex(encoder.encode(layout === LAYOUT ? text : text.replaceAll("skills/", "")), layout);
      } catch (error) {
        assert(error instanceof ArchiveIndexError, String(error));
        return;
      }
      accepted[layout.skillsDir]! += index.entries.length;
      for (const entry of index.entries) {
        for (const path of [entry.original, entry.archived, entry.master, entry.carriedTo ?? entry.master]) {
          assertEquals(untrustedPathProblem(path), undefined, path);
        }
        assert(isBelow(entry.archived, ARCHIVE), entry.archived);
        assert(![".archive/index.json", ".archive/decisions.json"].includes(entry.archived), entry.archived);
        for (const path of [entry.original, entry.master, entry.carriedTo ?? entry.master]) {
          assert(isBelow(path, layout.skillsDir) && !isBelow(path, ARCHIVE), path);
          // Nothing of the repository's own: its secrets, state, workflows and consent stay out of every restore.
          assert(!/^(\.env|\.heartbeat|\.github|heartbeat\.json)/.test(path), path);
        }
        // A skill file where discovery finds one; a supporting file in its member's folder; a carried copy where the
        // merge carried it, in its master's folder.
        const inSkills = (path: string) => layout.skillsDir === "." ? path : path.slice(layout.skillsDir.length + 1);
        assert(!/(^|\/)\./.test(inSkills(entry.master)), "a master is never hidden");
        if (entry.member !== entry.original) assert(isBelow(entry.original, dirname(entry.member)), entry.original);
        if (entry.carriedTo) {
          const inside = entry.original.slice(dirname(entry.member).length + 1);
          assertEquals(entry.carriedTo, join(dirname(entry.master) || ".", inside));
        }
      }
    }),
    { numRuns: 3000 },
  );
  // Not vacuous: the merge's own entries, and some planted ones, pass in both layouts.
  assert(Object.values(accepted).every((count) => count > 1000), JSON.stringify(accepted));
});

Deno.test("the decisions parser never throws but DecisionsError and keeps only decisions within every bound", () => {
  fc.assert(
    fc.property(decisionsText, (text) => {
      let decisions;
      try {
        decisions = parseDecisions(encoder.encode(text), ".archive/decisions.json");
      } catch (error) {
        assert(error instanceof DecisionsError, String(error));
        return;
      }
      assert(decisions.length <= MAX_DECISIONS);
      let paths = 0;
      for (const { parts } of decisions) {
        assert(parts.length <= MAX_PARTS && parts.every((part) => part.length <= MAX_PART_PATHS));
        for (const path of parts.flat()) assertEquals(untrustedPathProblem(path), undefined, path);
        paths += parts.flat().length;
      }
      assert(paths <= MAX_DECISION_PATHS, `${paths} paths in all`);
      new PairDecisions(decisions);
    }),
    { numRuns: 300 },
  );
});

Deno.test("PairDecisions decides every pair of skills as expanding each decision into its pairs would, the later winning", () => {
  const path = fc.constantFrom("a", "b", "c", "d", "e");
  const decisions = fc.array(
    fc.record({
      id: fc.constant("r"),
      decision: fc.constantFrom<Decision>("approved", "rejected"),
      at: fc.constant("x"),
      parts: fc.array(fc.array(path, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }),
    }),
    { maxLength: 6 },
  );
  const skill = fc.array(path, { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(decisions, skill, skill, (decisions, a, b) => {
      assertEquals(new PairDecisions(decisions).decide(a, b), expandedDecision(decisions, a, b));
    }),
    { numRuns: 5000 },
  );
});

/** The decision on two skills as the pairs of every decision, expanded, say it: the reference. */
function expandedDecision(decisions: readonly ReviewDecision[], a: readonly string[], b: readonly string[]) {
  const pairs = new Map<string, Decision>();
  const key = (x: string, y: string) => (x < y ? `${x}\n${y}` : `${y}\n${x}`);
  for (const { decision, parts } of decisions) {
    parts.forEach((part, i) => {
      for (const other of parts.slice(i + 1)) {
        for (const x of part) for (const y of other) pairs.set(key(x, y), decision);
      }
    });
  }
  const found = a.flatMap((x) => b.map((y) => pairs.get(key(x, y))));
  return found.includes("rejected") ? "rejected" : found.includes("approved") ? "approved" : undefined;
}

Deno.test("restore and member reading, given any index and decisions, never touch anything outside the archive and the skills, nor throw but RestoreError", async () => {
  await using dir = await tempDir();
  const template = join(dir.path, "template");
  await writeTree(template, TREE);
  // A link committed in the archive: `.archive/link/.env` names the repository's .env under an archive name.
  await Deno.symlink("..", join(template, ".archive/link"));
  const outsideBefore = outside(template);
  let run = 0;
  const outcomes = { restored: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(
      indexText,
      decisionsText,
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(MASTER, "skills/a", "skills/b/SKILL.md", "skills/c.md", "skills/m") },
        { weight: 1, arbitrary: pathLike },
      ),
      async (index, decisions, asked) => {
        const repo = join(dir.path, `repo-${run++}`);
        const copied = await new Deno.Command("cp", { args: ["-a", template, repo] }).output();
        assert(copied.success);
        await writeTree(repo, { [".archive/index.json"]: index, [".archive/decisions.json"]: decisions });
        const touched = recording(localRepositoryWriter(repo));
        try {
          restoreOriginals({
            path: typeof asked === "string" ? asked : JSON.stringify(asked),
            writer: touched.writer,
            skillsDir: SKILLS,
            archiveDir: ARCHIVE,
            runId: "restore-1",
            at: "2026-12-01T00:00:00.000Z",
            stateDir: join(dir.path, `state-${run}`),
          });
          outcomes.restored++;
        } catch (error) {
          assert(error instanceof RestoreError, `${error}\n${index}`);
          outcomes.refused++;
        }
        const { skill } = readSkill({
          path: MASTER,
          layout: "folder",
          slug: "m",
          bytes: Deno.readFileSync(join(template, MASTER)),
        });
        masterMembers(touched.writer, LAYOUT, [skill!]);
        for (const { operation, path } of touched.log) {
          const allowed = operation === "remove"
            ? isBelow(path, SKILLS)
            : operation === "write"
            ? isBelow(path, SKILLS) || [".archive/index.json", ".archive/decisions.json"].includes(path)
            : (isBelow(path, SKILLS) || path === ARCHIVE || isBelow(path, ARCHIVE)) && !isBelow(path, ".archive/link");
          assert(allowed, `${operation} ${JSON.stringify(path)}\n${index}`);
        }
        assertEquals(outside(repo), outsideBefore, "nothing outside the archive and the skills changed");
        for (const [path, text] of Object.entries(readAll(join(repo, SKILLS)))) {
          assert(!text.includes(TEST_NSEC), `the key was copied into skills/${path}`);
        }
        await Deno.remove(repo, { recursive: true });
      },
    ),
    // The merge's own index, in three orders, asked for each way a restore names it: without these a random run
    // restored about 12 times in 150, and the bound below failed one run in four.
    { numRuns: 150, examples: CLEAN_RESTORES },
  );
  // Not vacuous: the merge's own entries are restored whenever nothing hostile is among them.
  assert(outcomes.restored >= 10 && outcomes.refused >= 10, JSON.stringify(outcomes));
});

/** Restores that nothing hostile stands in the way of: the merge's index as it was written, no decisions. */
const CLEAN_RESTORES: Array<[string, string, string]> = [
  MERGED,
  [...MERGED].reverse(),
  [1, 3, 0, 2].map((i) => MERGED[i]!),
]
  .flatMap((entries) =>
    [MASTER, "skills/a", "skills/b/SKILL.md", "skills/c.md"].map((asked): [string, string, string] => [
      JSON.stringify(entries),
      '{ "decisions": [] }',
      asked,
    ])
  );

/** A writer that records every path it is asked to read, list, write, copy or remove, then does it. */
function recording(writer: RepositoryWriter) {
  const log: Array<{ operation: "read" | "write" | "remove"; path: string }> = [];
  const note = (operation: "read" | "write" | "remove", path: string) => log.push({ operation, path });
  const wrapped: RepositoryWriter = {
    root: writer.root,
    read: (path) => (note("read", path), writer.read(path)),
    write: (path, bytes) => (note("write", path), writer.write(path, bytes)),
    copy: (from, to) => (note("read", from), note("write", to), writer.copy(from, to)),
    remove: (path, keep) => (note("remove", path), writer.remove(path, keep)),
    list: (path) => (note("read", path), writer.list(path)),
    removeLeftovers: (path) => (note("remove", path), writer.removeLeftovers(path)),
  };
  return { writer: wrapped, log };
}

/** Each file outside the skills and the archive (and their links), with its bytes' hash. */
function outside(repo: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    for (const entry of [...Deno.readDirSync(path)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = join(path, entry.name);
      const name = `${rel}${entry.name}`;
      if (name === SKILLS || name === ARCHIVE) continue;
      if (entry.isDirectory) walk(child, `${name}/`);
      else files[name] = createHash("sha256").update(Deno.readFileSync(child)).digest("hex");
    }
  };
  walk(repo, "");
  return files;
}

/** Every regular file below a directory, with its text. */
function readAll(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) walk(child, `${rel}${entry.name}/`);
      else if (entry.isFile) files[`${rel}${entry.name}`] = Deno.readTextFileSync(child);
    }
  };
  walk(dir, "");
  return files;
}

/** The items of two lists mixed in an order the seed decides. */
function interleave(a: readonly unknown[], b: readonly unknown[], seed: number): unknown[] {
  const mixed: unknown[] = [];
  let [i, j, s] = [0, 0, Math.abs(seed)];
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && s % 2 === 0);
    mixed.push(takeA ? a[i++]! : b[j++]!);
    s = Math.floor(s / 2) + 7;
  }
  return mixed;
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}
