import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { broadcast, type MasterSkill } from "../src/broadcasting/broadcast.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import { cloneRepository, isomorphicGit } from "../src/publishing/isomorphic_git.ts";
import { localGit } from "../src/publishing/git.ts";
import { assertPushHoldsNoSecret } from "../src/publishing/git_secret_check.ts";
import { commitAs, publish } from "../src/publishing/publish.ts";
import { Secret } from "../src/secret.ts";
import { assertNoSecret, containsSecret, scrubSecrets, SecretLeakError, SecretScanner } from "../src/secret_guard.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { startGitServer } from "./git_http_server.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { LAUNCH_ENV, testConfig } from "./options.ts";
import { readerClient, startRelay } from "./relay_harness.ts";
import { commitRepository, git, optIn, runCli, tempDir, writeTree } from "./utils.ts";

const skill = (name: string, body: string) => `---\nname: ${name}\ndescription: The ${name} skill.\n---\n\n${body}\n`;
const ENV = { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" };
/** Every form of the test key, as configuration derives them. */
const SECRETS = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC } }).secrets;
const ALPHA =
  "# Alpha\n\nRun scripts/run.sh to fetch alpha data from the alpha service.\n\n## Usage\n\nalpha fetch --all";

/** Whether a text holds the test key in any of its forms, in any case. */
function holdsKey(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.includes(TEST_KEY_HEX) || lower.includes(TEST_NSEC);
}

/** Every event a relay holds, as JSON. */
async function storedEvents(url: string): Promise<string[]> {
  const reader = readerClient();
  try {
    return (await reader.query([{ kinds: [0, 1, 1111, 30023] }], [url])).events.map((event) => JSON.stringify(event));
  } finally {
    reader.close();
  }
}

for (
  const [where, env, settings] of [
    ["AGENT_NAME", { AGENT_NAME: `Keeper ${TEST_NSEC}` }, {}],
    ["TOKEN_NAME", { ...LAUNCH_ENV, TOKEN_NAME: TEST_KEY_HEX }, {}],
    ["TOKEN_DESCRIPTION", { ...LAUNCH_ENV, TOKEN_DESCRIPTION: `Governance, key ${TEST_KEY_HEX.toUpperCase()}.` }, {}],
    ["heartbeat.json agentName", {}, { agentName: TEST_NSEC }],
  ] as const
) {
  Deno.test(`the heartbeat refuses to start with the key in ${where}: one line names it, exit 2, nothing is sent`, async () => {
    await using dir = await tempDir();
    await using relay = await startRelay();
    await writeTree(dir.path, {
      "skills/alpha/SKILL.md": skill("alpha", ALPHA),
      "heartbeat.json": JSON.stringify(settings),
    });
    const result = await runCli(["--once", "--no-commit", "--no-push"], {
      cwd: dir.path,
      env: { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay.url, ...env },
    });
    assertEquals(result.code, 2, result.stderr);
    const lines = result.stderr.split("\n").filter((line) => line.includes(where));
    assertEquals(lines.length, 1, result.stderr);
    assertStringIncludes(lines[0]!, "private key");
    assert(!holdsKey(result.stdout + result.stderr), "the key is never echoed");
    assertEquals(await storedEvents(relay.url), [], "nothing signed or sent");
  });
}

Deno.test("init refuses the key in AGENT_NAME at start: no heartbeat.json is written, nothing is committed", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { "skills/alpha/SKILL.md": skill("alpha", ALPHA) });
  await commitRepository(dir.path);
  const result = await runCli(["init"], {
    cwd: dir.path,
    env: { NOSTR_NSEC: TEST_NSEC, AGENT_NAME: TEST_KEY_HEX.toUpperCase() },
  });
  assertEquals(result.code, 2, result.stderr);
  assertStringIncludes(result.stderr, "AGENT_NAME");
  await assertRejectsFile(join(dir.path, "heartbeat.json"));
  assert(!holdsKey(await git(dir.path, "log", "-p", "--all")), "no commit holds the key");
});

async function assertRejectsFile(path: string): Promise<void> {
  const present = await Deno.stat(path).then(() => true, () => false);
  assert(!present, `${path} was not written`);
}

Deno.test("an event whose content holds the key is refused: the relay gets nothing holding it, and the report says why", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const identity = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC } }).nostr!;
  const master = (id: string, extra: Partial<MasterSkill>): MasterSkill => ({
    id,
    name: id,
    version: "1.0.0",
    description: `The ${id} skill.`,
    tags: [],
    members: 2,
    content: `---\nname: ${id}\n---\n\n# ${id}\n`,
    ...extra,
  });
  const client = nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 });
  const report = await broadcast({
    identity,
    relays: [relay.url],
    client,
    store,
    clock: { now: () => new Date("2026-11-25T06:00:00Z") },
    runId: "run-1",
    masters: [
      master("planted", { description: `Backs up ${TEST_NSEC}.` }),
      master(`named-${TEST_KEY_HEX.toUpperCase()}`, {}),
      master("clean", {}),
    ],
    dryRun: false,
    retryDelays: [],
    relayIntervalMs: 0,
  });
  client.close();
  const stored = await storedEvents(relay.url);
  assert(stored.every((event) => !holdsKey(event)), "no event holds the key");
  assertEquals(stored.filter((event) => event.includes('"kind":30023')).length, 1, "only the clean master");
  const refused = report.events.filter((event) => !event.accepted);
  assertEquals(refused.length, 2, JSON.stringify(report.events));
  for (const event of refused) {
    const reason = (event as { refused?: string }).refused ?? "";
    assertStringIncludes(reason, "private key");
    assert(!holdsKey(reason) && !reason.includes("\n"), reason);
  }
  assertEquals(report.status, "failed");
  assert(!holdsKey(JSON.stringify(report)), "the report never holds the key");
});

Deno.test("restore refuses to commit a master whose name holds the key; no commit holds it", async () => {
  await using dir = await tempDir();
  const repo = join(dir.path, "repo");
  await writeTree(repo, {
    "skills/alpha/SKILL.md": skill("alpha", ALPHA),
    "skills/alpha-copy/SKILL.md": skill("alpha", ALPHA),
    "skills/alpha-three/SKILL.md": skill("alpha", ALPHA),
  });
  await optIn(repo);
  await commitRepository(repo, join(dir.path, "remote.git"));
  const env = { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: "ws://127.0.0.1:9" };
  const run = JSON.parse((await runCli(["--once", "--json"], { cwd: repo, env })).stdout);
  assert(run.publishing.pushed, run.publishing.reason);
  const master = join(repo, "skills/alpha/SKILL.md");
  // A hand edit the owner never committed: the restore writes the master again under its current name.
  await Deno.writeTextFile(
    master,
    (await Deno.readTextFile(master)).replace("name: alpha", `name: alpha-${TEST_NSEC}`),
  );
  const head = await git(repo, "rev-parse", "HEAD");
  const result = await runCli(["restore", "skills/alpha-copy/SKILL.md"], { cwd: repo, env });
  assertEquals(await git(repo, "rev-parse", "HEAD"), head, "nothing committed");
  assertStringIncludes(result.stderr, "private key");
  assert(!holdsKey(result.stdout + result.stderr), "the key is never echoed");
  assert(!holdsKey(await git(repo, "log", "-p", "--all")), "no commit holds the key");
  assertEquals(await git(repo, "diff", "--cached", "--name-only"), "", "nothing is left staged for the next run");
});

Deno.test("a commit holding the key made by hand is not pushed by the next run: the run fails and says why in one line", async () => {
  await using dir = await tempDir();
  const repo = join(dir.path, "repo");
  const remote = join(dir.path, "remote.git");
  await writeTree(repo, { "skills/alpha/SKILL.md": skill("alpha", ALPHA) });
  await optIn(repo);
  await commitRepository(repo, remote);
  const pushed = await git(remote, "rev-parse", "main");
  await writeTree(repo, { "notes/backup.txt": `the agent's key, for safekeeping: ${TEST_NSEC}\n` });
  await git(repo, "add", "notes/backup.txt");
  await git(repo, "commit", "-q", "-m", "back up the key");
  const result = await runCli(["--once", "--json"], {
    cwd: repo,
    env: { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: "ws://127.0.0.1:9" },
  });
  const report = JSON.parse(result.stdout);
  assertEquals([report.status, report.publishing.status, report.publishing.pushed], ["failed", "failed", false]);
  const reason: string = report.publishing.reason ?? "";
  assertStringIncludes(reason, "private key");
  assert(!reason.includes("\n"), reason);
  assertEquals(result.code, 1);
  assertEquals(await git(remote, "rev-parse", "main"), pushed, "the remote did not move");
  assert(!holdsKey(result.stdout + result.stderr), "the key is never echoed");
});

Deno.test("the pure-JavaScript git refuses to push a local commit holding the key, and to commit one", async () => {
  await using dir = await tempDir();
  const seed = join(dir.path, "seed");
  await writeTree(seed, { "skills/alpha/SKILL.md": skill("alpha", ALPHA) });
  await commitRepository(seed);
  await git(dir.path, "clone", "-q", "--bare", seed, join(dir.path, "skills.git"));
  const token = new Secret("test-token-0123");
  await using server = startGitServer({ root: dir.path, token: token.reveal() });
  const work = join(dir.path, "work");
  await cloneRepository({ dir: work, token }, server.url("skills.git"));
  await writeTree(work, { "skills/alpha/keys.md": `# Keys\n\n${TEST_KEY_HEX}\n` });
  await git(work, "add", "-A");
  await git(work, "-c", "user.name=Owner", "-c", "user.email=owner@example.com", "commit", "-q", "-m", "keys");
  const input = {
    git: isomorphicGit({ dir: work, token }),
    paths: [],
    message: "clawstr-heartbeat: update skills",
    commit: true,
    push: true,
    dryRun: false,
    remote: "origin",
    secrets: SECRETS,
    retryDelays: [],
  };
  let refusal = "";
  try {
    const report = await publish(input);
    refusal = report.pushed ? "" : report.reason ?? "";
  } catch (error) {
    refusal = error instanceof Error ? error.message : String(error);
  }
  assertStringIncludes(refusal, "private key");
  assertEquals(server.pushes, 0, "nothing was sent");
  assert(!holdsKey(await git(join(dir.path, "skills.git"), "log", "-p", "--all")), "the remote never got the key");
  // Its commits are checked as the git binary's are.
  await git(work, "reset", "-q", "--hard", "HEAD~1");
  await writeTree(work, { "skills/alpha/more.md": `# More\n\n${TEST_NSEC}\n` });
  const head = await git(work, "rev-parse", "HEAD");
  await assertRejects(
    () => publish({ ...input, paths: ["skills/alpha/more.md"], push: false }),
    Error,
    "Refusing to commit: the changes contain the agent's Nostr private key",
  );
  assertEquals(await git(work, "rev-parse", "HEAD"), head, "nothing committed");
  assertEquals(await git(work, "diff", "--cached", "--name-only"), "", "nothing left staged");
});

Deno.test("the guard finds a secret in any case, in text or bytes, across the pieces of a stream, and never quotes it", () => {
  assert(containsSecret(`key: ${TEST_KEY_HEX.toUpperCase()}`, SECRETS));
  assert(containsSecret(new TextEncoder().encode(`key: ${TEST_NSEC.toUpperCase()}`), SECRETS));
  assert(!containsSecret("nsec1 example, and a hash ".concat("ab".repeat(32)), SECRETS));
  assert(!containsSecret(TEST_KEY_HEX, []), "nothing configured, nothing found");
  const scanner = new SecretScanner(SECRETS);
  const bytes = new TextEncoder().encode(`é before ${TEST_NSEC} after`);
  for (let at = 0; at < bytes.length; at += 7) scanner.write(bytes.subarray(at, at + 7));
  assert(scanner.found, "a key split across pieces, and a character split across pieces, are read whole");
  const split = new SecretScanner(SECRETS);
  split.write(TEST_NSEC.slice(0, 30));
  split.write("\n");
  assert(!split.write(TEST_NSEC.slice(30)), "a line break ends any key");
  const refusal = { action: "upload skills/alpha to ClawHub", fix: "nothing was uploaded: take the key out" };
  assertNoSecret("the files of skills/alpha", "# Alpha", SECRETS, refusal);
  const error = assertThrows(
    () => assertNoSecret("the files of skills/alpha", `# Alpha ${TEST_KEY_HEX}`, SECRETS, refusal),
    SecretLeakError,
    "Refusing to upload skills/alpha to ClawHub: the files of skills/alpha contain the agent's Nostr private key",
  );
  assertEquals(error.where, "the files of skills/alpha");
  assert(!holdsKey(error.message));
  assertEquals(scrubSecrets(`a ${TEST_KEY_HEX.toUpperCase()} b`, SECRETS), "a [redacted] b");
});

Deno.test("commitAs() refuses a key in the changes, the work tree of the paths committed alone, the message or the author, leaving the index as it was", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { "skills/alpha/SKILL.md": skill("alpha", ALPHA), "notes.txt": `old ${TEST_NSEC}\n` });
  await commitRepository(dir.path);
  const repo = localGit(dir.path, ENV);
  const head = await git(dir.path, "rev-parse", "HEAD");
  const staged = () => git(dir.path, "diff", "--cached", "--name-only");
  // A commit that takes a key out is not refused for it.
  await writeTree(dir.path, { "notes.txt": "old\n" });
  await git(dir.path, "add", "notes.txt");
  assertEquals((await commitAs(repo, undefined, "take the key out", { secrets: SECRETS })).code, 0);
  const clean = await git(dir.path, "rev-parse", "HEAD");
  assert(clean !== head);
  await writeTree(dir.path, { "skills/alpha/keys.md": `${TEST_KEY_HEX.toUpperCase()}\n` });
  await git(dir.path, "add", "skills/alpha/keys.md");
  await assertRejects(() => commitAs(repo, undefined, "keys", { secrets: SECRETS }), SecretLeakError, "the changes");
  assertEquals(await staged(), "skills/alpha/keys.md\n", "the index is as it was");
  const returned = await commitAs(repo, undefined, "keys", { secrets: SECRETS, allowFailure: true });
  assertEquals(returned.code, 1);
  assertStringIncludes(returned.stderr, "nothing was committed");
  assert(!holdsKey(returned.stderr));
  await git(dir.path, "reset", "-q");
  // `git commit -- PATHS` takes them from the work tree, whatever the index holds.
  await writeTree(dir.path, { "skills/alpha/SKILL.md": skill("alpha", `${ALPHA}\n${TEST_NSEC}`) });
  await assertRejects(
    () => commitAs(repo, undefined, "alpha", { secrets: SECRETS, only: ["skills/alpha/SKILL.md"] }),
    SecretLeakError,
  );
  await git(dir.path, "checkout", "--", "skills/alpha/SKILL.md");
  await writeTree(dir.path, { "notes.txt": "new\n" });
  await git(dir.path, "add", "notes.txt");
  await assertRejects(
    () => commitAs(repo, undefined, `restore ${TEST_NSEC}`, { secrets: SECRETS }),
    SecretLeakError,
    "the commit's message and author",
  );
  await assertRejects(
    () => commitAs(repo, `Key ${TEST_KEY_HEX} <k@example.com>`, "notes", { secrets: SECRETS }),
    SecretLeakError,
  );
  assertEquals(await git(dir.path, "rev-parse", "HEAD"), clean, "nothing committed");
});

Deno.test("a push reads every commit it would send: a merge's resolution, a file git calls binary, a message", async () => {
  await using dir = await tempDir();
  const repo = join(dir.path, "repo");
  await writeTree(repo, { "a.txt": "a\n" });
  await commitRepository(repo, join(dir.path, "remote.git"));
  const check = () =>
    assertPushHoldsNoSecret(localGit(repo, ENV), SECRETS, { remote: "origin", branch: "main" }).then(
      () => "clean",
      (error: Error) => error.message,
    );
  const restart = () => git(repo, "reset", "-q", "--hard", "origin/main");
  await git(repo, "checkout", "-q", "-b", "side");
  await writeTree(repo, { "a.txt": "side\n" });
  await git(repo, "commit", "-qam", "side");
  await git(repo, "checkout", "-q", "main");
  await writeTree(repo, { "a.txt": "main\n" });
  await git(repo, "commit", "-qam", "main");
  await git(repo, "merge", "-q", "side").catch(() => "a conflict, resolved by hand below");
  await writeTree(repo, { "a.txt": `resolved ${TEST_KEY_HEX}\n` });
  await git(repo, "commit", "-qam", "merge");
  const merge = (await git(repo, "rev-parse", "HEAD")).slice(0, 12);
  assertStringIncludes(await check(), `the changes of commit ${merge}`);
  await writeTree(repo, { "a.txt": "resolved\n" });
  await git(repo, "commit", "-qam", "take it out again");
  assertStringIncludes(await check(), merge, "a later commit does not take it out of the history sent");
  await restart();
  await Deno.writeFile(join(repo, "key.bin"), new Uint8Array([0, 1, ...new TextEncoder().encode(TEST_NSEC), 0]));
  await git(repo, "add", "key.bin");
  await git(repo, "commit", "-qm", "binary");
  assertStringIncludes(await check(), "the changes of commit");
  await restart();
  await git(repo, "commit", "-q", "--allow-empty", "-m", `- ${TEST_NSEC}`);
  assertStringIncludes(await check(), "the message and author of commit");
  await restart();
  assertEquals(await check(), "clean");
});

Deno.test("loadConfig() refuses a key in any value that is published, naming where, never the value; a hashed image URL passes", () => {
  const hash = "ab".repeat(32);
  const cases: Array<[string, Parameters<typeof testConfig>[1]]> = [
    ["--git-author", { overrides: { gitAuthor: `Keeper ${TEST_KEY_HEX} <keeper@example.com>` } }],
    ["--branch", { overrides: { branch: `skills-${TEST_NSEC}` } }],
    ["NOSTR_RELAY entry 1", { env: { NOSTR_RELAY: `wss://relay.example/${TEST_KEY_HEX}` } }],
    ["heartbeat.json relays entry 2", { settings: { relays: ["wss://a.example", `wss://b.example/?k=${TEST_NSEC}`] } }],
    ["TOKEN_IMAGE", { env: { ...LAUNCH_ENV, TOKEN_IMAGE: `https://cdn.example/${TEST_NSEC}.png` } }],
    ["TOKEN_TWITTER", { env: { ...LAUNCH_ENV, TOKEN_TWITTER: `@${TEST_KEY_HEX}` } }],
  ];
  for (const [where, options] of cases) {
    let message = "";
    try {
      testConfig("/srv", { ...options, env: { NOSTR_NSEC: TEST_NSEC, ...options?.env } });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    assertStringIncludes(message, where);
    assertStringIncludes(message, "private key");
    assert(!holdsKey(message), message);
  }
  const image = testConfig("/srv", { env: { ...LAUNCH_ENV, TOKEN_IMAGE: `https://cdn.example/${hash}.png` } });
  assert("request" in image.launch, "an image named by its SHA-256 is not a key");
});

Deno.test("an event holding HEARTBEAT_TOKEN is refused like one holding the key: the relay gets nothing holding it", async () => {
  const token = "serve-token-0123456789abcdef";
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const config = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC, HEARTBEAT_TOKEN: token } });
  const client = nostrRelayClient({ sign: signer(config.nostr!), timeoutMs: 2000 });
  const report = await broadcast({
    identity: config.nostr,
    relays: [relay.url],
    client,
    store,
    clock: { now: () => new Date("2026-11-25T06:00:00Z") },
    runId: "run-1",
    masters: [{
      id: "api",
      name: "api",
      version: "1.0.0",
      description: "Calls the heartbeat's API.",
      tags: [],
      members: 2,
      content: `---\nname: api\n---\n\ncurl -H "Authorization: Bearer ${token}" http://127.0.0.1:8080/api/runs\n`,
    }],
    dryRun: false,
    retryDelays: [],
    relayIntervalMs: 0,
  });
  client.close();
  const stored = await storedEvents(relay.url);
  assert(stored.every((event) => !event.includes(token)), "no event holds the token");
  assertEquals(report.status, "failed");
  assert(!JSON.stringify(report).includes(token), "the report never holds the token");
});

Deno.test("loadConfig() refuses HEARTBEAT_TOKEN pasted into a value that is published, never showing it", () => {
  const token = "serve-token-0123456789abcdef";
  let message = "";
  try {
    testConfig("/srv", { env: { HEARTBEAT_TOKEN: token, AGENT_NAME: `Keeper ${token}` } });
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  assertStringIncludes(message, "AGENT_NAME");
  assert(!message.includes(token), message);
});

Deno.test("a push reads the changes of a repository's first commit, whatever the owner's log.showRoot says", async () => {
  await using dir = await tempDir();
  await writeTree(dir.path, { "notes/backup.txt": `the agent's key: ${TEST_NSEC}\n` });
  await commitRepository(dir.path);
  await git(dir.path, "config", "log.showRoot", "false");
  await git(dir.path, "remote", "add", "origin", join(dir.path, "never-pushed.git"));
  await assertRejects(
    () => assertPushHoldsNoSecret(localGit(dir.path, ENV), SECRETS, { remote: "origin", branch: "main" }),
    SecretLeakError,
    "the changes of commit",
  );
});

Deno.test("the guard finds the key base64-encoded at any alignment, wrapped or URL-safe, and saved as UTF-16, and a push holding one is refused", async () => {
  const encoder = new TextEncoder();
  const base64 = (text: string, alphabet: "base64" | "base64url" = "base64") =>
    encoder.encode(text).toBase64({ alphabet });
  // As a Kubernetes secret holds it, after other bytes of what was encoded; as `base64` wraps it at 76 columns.
  const secrets = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC, HEARTBEAT_TOKEN: "Serve-Token-0123456789" } })
    .secrets;
  for (const prefix of ["", "N", "NO", "NOSTR_NSEC="]) {
    for (const key of [TEST_NSEC, TEST_KEY_HEX, TEST_KEY_HEX.toUpperCase(), "Serve-Token-0123456789"]) {
      const encoded = base64(`${prefix}${key}\n`);
      assert(containsSecret(`  NOSTR_NSEC: ${encoded}\n`, secrets), `${prefix}: ${encoded}`);
      assert(containsSecret(`${encoded.slice(0, 76)}\n${encoded.slice(76)}\n`, secrets), `wrapped ${prefix}`);
      assert(containsSecret(base64(`${prefix}${key}`, "base64url"), secrets), `URL-safe ${prefix}`);
    }
  }
  // As PowerShell's `>` and Windows editors save text: UTF-16, little- or big-endian.
  const utf16 = (text: string, littleEndian: boolean) => {
    const view = new DataView(new ArrayBuffer(text.length * 2));
    [...text].forEach((char, i) => view.setUint16(i * 2, char.charCodeAt(0), littleEndian));
    return new Uint8Array(view.buffer);
  };
  assert(containsSecret(utf16(`\uFEFF${TEST_NSEC}\r\n`, true), secrets), "UTF-16LE");
  assert(containsSecret(utf16(TEST_KEY_HEX.toUpperCase(), false), secrets), "UTF-16BE");
  // Nothing ordinary is mistaken for them.
  assert(!containsSecret(base64("nsec1 example, and a hash ".concat("ab".repeat(32))), secrets));
  assert(!containsSecret(utf16("# Alpha\n\nRun scripts/run.sh", true), secrets));

  await using dir = await tempDir();
  await writeTree(dir.path, { "a.txt": "a\n" });
  await commitRepository(dir.path, join(dir.path, "remote.git"));
  await writeTree(dir.path, { "deploy/secret.yaml": `data:\n  NOSTR_NSEC: ${base64(TEST_NSEC)}\n` });
  await git(dir.path, "add", "-A");
  await git(dir.path, "commit", "-qm", "deploy");
  await assertRejects(
    () => assertPushHoldsNoSecret(localGit(dir.path, ENV), secrets, { remote: "origin", branch: "main" }),
    SecretLeakError,
    "the changes of commit",
  );
});
