import { join } from "node:path";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { acquireRepositoryLock, LockedError } from "../src/lock.ts";
import { PROJECT_ROOT, readUntil } from "./utils.ts";

Deno.test("a second lock on the same file fails at once, and succeeds after release", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "heartbeat.lock");
  const first = await acquireRepositoryLock(path, "pid 1");
  await assertRejects(() => acquireRepositoryLock(path, "pid 2"), LockedError, "held by pid 1");
  first.release();
  first.release();
  (await acquireRepositoryLock(path, "pid 2")).release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("another process's lock keeps this one out until that process is killed", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "heartbeat.lock");
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { acquireRepositoryLock } from ${JSON.stringify(join(PROJECT_ROOT, "src/lock.ts"))};
       await acquireRepositoryLock(${JSON.stringify(path)}, "the other process");
       console.log("locked");
       setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const { rest } = await readUntil(holder.stdout, /locked/);
  const error = await assertRejects(() => acquireRepositoryLock(path, "me"), LockedError);
  assertStringIncludes(error.message, "held by the other process");
  // SIGKILL leaves no chance to clean up: the kernel drops the lock anyway.
  holder.kill("SIGKILL");
  await holder.status;
  await rest.cancel();
  (await acquireRepositoryLock(path, "me")).release();
  await Deno.remove(dir, { recursive: true });
});
