import { getLogger, withContext } from "@logtape/logtape";
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { closeLogging, LOG_FILE_NAME, scrubSecrets, setUpLogging } from "../src/logging.ts";
import { Secret } from "../src/secret.ts";

Deno.test("scrubSecrets() removes configured secrets and anything shaped like an nsec", () => {
  const other = "nsec1" + "q".repeat(58);
  assertEquals(
    scrubSecrets(`a ${TEST_KEY_HEX} b ${other} c`, [new Secret(TEST_KEY_HEX)]),
    "a [redacted] b [redacted] c",
  );
});

Deno.test("log lines carry the run id, are scrubbed, and the file rotates by size", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, LOG_FILE_NAME);
  const consoleLines: string[] = [];
  await setUpLogging({
    level: "debug",
    file,
    colour: false,
    secrets: [new Secret(TEST_KEY_HEX), new Secret(TEST_NSEC)],
    console: (line) => consoleLines.push(line),
    maxFileBytes: 2000,
    maxFiles: 3,
  });
  const logger = getLogger(["clawstr-heartbeat", "test"]);
  withContext({ runId: "run-42" }, () => {
    for (let i = 0; i < 40; i++) {
      logger.info("Line {i} mentions {key} and {nsec}", { i, key: TEST_KEY_HEX, nsec: TEST_NSEC });
    }
  });
  await closeLogging();
  const files = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
  assertEquals(files, [LOG_FILE_NAME, `${LOG_FILE_NAME}.1`, `${LOG_FILE_NAME}.2`, `${LOG_FILE_NAME}.3`]);
  for (const name of files) {
    const text = await Deno.readTextFile(join(dir, name));
    assert(text.length <= 2400, `${name} is ${text.length} bytes`);
    assert(!text.includes(TEST_KEY_HEX) && !text.includes(TEST_NSEC), `${name} leaks the key`);
    for (const line of text.trim().split("\n")) assertEquals(JSON.parse(line).properties.runId, "run-42");
  }
  assertEquals(consoleLines.length, 40);
  for (const line of consoleLines) {
    assert(line.includes("[run-42]"), line);
    assert(!line.includes(TEST_KEY_HEX) && !line.includes(TEST_NSEC), line);
  }
  await Deno.remove(dir, { recursive: true });
});
