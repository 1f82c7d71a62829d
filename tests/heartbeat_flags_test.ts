import { join } from "node:path";
import { assertEquals, assertThrows } from "./assert.ts";
import { heartbeatEnvironment, heartbeatFlags, TaskShapeError } from "../tools/heartbeat_flags.ts";
import { tempDir } from "./utils.ts";

const TASKS = {
  heartbeat: "MALLOC_ARENA_MAX=2 GREETING=a=b deno run --allow-run=git --allow-read=. --allow-write=. main.ts",
  health: { command: "deno task heartbeat health" },
  other: "echo main.ts",
};

Deno.test("a task's flags and the variables it sets are read from deno.json, through a task that runs another", async () => {
  await using project = await tempDir();
  await Deno.writeTextFile(join(project.path, "deno.json"), JSON.stringify({ tasks: TASKS }));
  const variables = { MALLOC_ARENA_MAX: "2", GREETING: "a=b" };
  assertEquals(heartbeatEnvironment(project.path), variables);
  assertEquals(heartbeatEnvironment(project.path, { task: "health" }), variables);
  const flags = ["--allow-run=git", "--allow-read=.", "--allow-write=."];
  assertEquals(heartbeatFlags(project.path, { readModels: false }), flags);
  assertEquals(
    heartbeatFlags(project.path, { task: "health" })[1],
    [
      `--allow-read=.`,
      join(project.path, "models"),
      join(project.path, "src", "serve", "dashboard"),
    ].join(","),
  );
  assertThrows(() => heartbeatFlags(project.path, { task: "other" }), TaskShapeError, 'is not "deno run');
  assertThrows(() => heartbeatEnvironment(project.path, { task: "missing" }), TaskShapeError, "has no task missing");
});
