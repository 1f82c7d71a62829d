import { join } from "node:path";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { acquireRepositoryLock, LockedError } from "../src/lock.ts";
import { PROJECT_ROOT, readUntil } from "./utils.ts";

Deno.test("a second lock on the same file fails at once, and succeeds after release", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "heartbeat.lock");
  const first = await acquireRepositoryLock({ repo: dir, file, owner: "pid 1" });
  await assertRejects(() => acquireRepositoryLock({ repo: dir, file, owner: "pid 2" }), LockedError, "held by pid 1");
  first.release();
  first.release();
  (await acquireRepositoryLock({ repo: dir, file, owner: "pid 2" })).release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a lock file in another state directory does not let a second lock onto the same repository", async () => {
  const dir = await Deno.makeTempDir();
  const first = await acquireRepositoryLock({ repo: dir, file: join(dir, "a.lock"), owner: "pid 1" });
  const error = await assertRejects(
    () => acquireRepositoryLock({ repo: dir, file: join(dir, "b.lock"), owner: "pid 2" }),
    LockedError,
  );
  assertStringIncludes(error.message, `lock on ${dir}`);
  first.release();
  (await acquireRepositoryLock({ repo: dir, file: join(dir, "b.lock"), owner: "pid 2" })).release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("another process's lock keeps this one out until that process is killed", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "heartbeat.lock");
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { acquireRepositoryLock } from ${JSON.stringify(join(PROJECT_ROOT, "src/lock.ts"))};
       await acquireRepositoryLock(${JSON.stringify({ repo: dir, file, owner: "the other process" })});
       console.log("locked");
       setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const { rest } = await readUntil(holder.stdout, /locked/);
  const error = await assertRejects(() => acquireRepositoryLock({ repo: dir, file, owner: "me" }), LockedError);
  assertStringIncludes(error.message, "held by the other process");
  // SIGKILL leaves no chance to clean up: the kernel drops the lock anyway.
  holder.kill("SIGKILL");
  await holder.status;
  await rest.cancel();
  (await acquireRepositoryLock({ repo: dir, file, owner: "me" })).release();
  await Deno.remove(dir, { recursive: true });
});
