import { join } from "node:path";
import { npubEncode } from "nostr-tools/nip19";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { bytesToHex } from "nostr-tools/utils";
import type { Event } from "nostr-tools/core";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { broadcast } from "../src/broadcasting/broadcast.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import type { Config } from "../src/config.ts";
import { launchToken } from "../src/launching/launch.ts";
import { launchCheck } from "../src/launching/launch_check.ts";
import { LaunchRecordExistsError } from "../src/launching/launch_record.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { LAUNCH_ENV, testConfig } from "./options.ts";
import { launchPosts, readerClient, startRelay } from "./relay_harness.ts";
import { runCli, tempDir, tempRepo } from "./utils.ts";

const HOUR = 3600_000;
/** Two days ago, on the hour: every time a test moves to stays in the past (relays hide events from the future). */
const START = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;

/** A clock the test moves. */
function clock(at = START) {
  return {
    at,
    now(): Date {
      return new Date(this.at);
    },
  };
}

/** The configuration of an agent with a key and the launch fields, on these relays. */
function agent(relays: string[], env: Record<string, string> = {}): Config {
  return testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC, ...LAUNCH_ENV, NOSTR_RELAY: relays.join(","), ...env } });
}

/** One heartbeat's launching and broadcasting, as the pipeline runs them. */
async function heartbeat(config: Config, store: KvStateStore, time: { now(): Date }, dryRun = false) {
  const client = nostrRelayClient({ sign: signer(config.nostr!), timeoutMs: 1500 });
  try {
    const launching = await launchToken({
      launch: config.launch,
      identity: config.nostr,
      previousKeys: config.previousKeys,
      clawnchPubkey: config.clawnchPubkey,
      relays: config.relays,
      client,
      store,
      clock: time,
      dryRun,
    });
    const broadcasting = await broadcast({
      identity: config.nostr,
      relays: config.relays,
      client,
      store,
      clock: time,
      runId: "run",
      masters: [],
      dryRun,
      retryDelays: [],
      relayIntervalMs: 0,
    });
    return { launching, broadcasting };
  } finally {
    client.close();
  }
}

/** Publishes an event signed by `secret` (a reply, say) to a relay. */
async function post(url: string, secret: Uint8Array, template: Omit<Event, "id" | "sig" | "pubkey">): Promise<Event> {
  const event = finalizeEvent(template, secret);
  const client = readerClient();
  try {
    const [result] = await client.publish(event, [url]);
    assert(result!.accepted, result!.message);
    return event;
  } finally {
    client.close();
  }
}

Deno.test("the token is launched once across repeated heartbeats, as a Clawstr post in /c/clawnch", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const config = agent([relay.url]);
  const time = clock();
  const first = await heartbeat(config, store, time);
  assertEquals(first.launching.decision, "launch");
  assertEquals(first.broadcasting.events.map((event) => [event.subject, event.accepted]), [["launch KEEP", true]]);
  for (let hour = 1; hour <= 30; hour += 6) {
    time.at = START + hour * HOUR;
    const later = await heartbeat(config, store, time);
    assertEquals(later.launching.decision, "launched");
    assertEquals(later.launching.state, "published");
    assertEquals(later.broadcasting.events, []);
  }
  const posts = await launchPosts(relay.url);
  assertEquals(posts.length, 1);
  const [launch] = posts;
  assertEquals(launch!.kind, 1111);
  assertEquals(launch!.content.split("\n").slice(0, 3), ["!clawnch", "name: Skill Keeper", "symbol: KEEP"]);
  for (const tag of [["I", "https://clawstr.com/c/clawnch"], ["K", "web"], ["l", "ai", "agent"]]) {
    assert(launch!.tags.some((found) => found.join(" ") === tag.join(" ")), `tag ${tag.join(" ")}`);
  }
  assert(!JSON.stringify(launch).includes(TEST_KEY_HEX), "the post carries no key");
});

Deno.test("a lost state store or a rotated key finds the earlier launch on the relays; without the old key listed it would not", async () => {
  await using relay = await startRelay();
  const first = agent([relay.url]);
  {
    using store = await KvStateStore.open(":memory:");
    assertEquals((await heartbeat(first, store, clock())).launching.decision, "launch");
  }
  using wiped = await KvStateStore.open(":memory:");
  const afterWipe = await heartbeat(first, wiped, clock(START + HOUR));
  assertEquals([afterWipe.launching.decision, afterWipe.launching.state], ["launched", "found"]);
  assertEquals((await wiped.loadLaunches()).map((record) => record.symbol), ["KEEP"], "the found launch is recorded");

  const rotated = bytesToHex(generateSecretKey());
  const withOldKey = agent([relay.url], {
    NOSTR_NSEC: rotated,
    NOSTR_PREVIOUS_KEYS: npubEncode(first.nostr!.publicKey),
  });
  using fresh = await KvStateStore.open(":memory:");
  const afterRotation = await heartbeat(withOldKey, fresh, clock(START + 2 * HOUR));
  assertEquals([afterRotation.launching.decision, afterRotation.launching.state], ["launched", "found"]);
  assertEquals((await launchPosts(relay.url)).length, 1);

  using control = await KvStateStore.open(":memory:");
  const unlisted = agent([relay.url], { NOSTR_NSEC: rotated });
  const dry = await heartbeat(unlisted, control, clock(START + 2 * HOUR), true);
  assertEquals(dry.launching.decision, "launch", "only the listed earlier key stops a second launch");
});

Deno.test("an earlier key's launch note behind more notes than a relay returns at once is still found", async () => {
  await using relay = await startRelay();
  const earlier = generateSecretKey();
  const at = Math.floor(START / 1000) - 30 * 86400;
  await post(relay.url, earlier, {
    kind: 1,
    created_at: at,
    content: "!clawnch\nname: Skill Keeper\nsymbol: KEEP",
    tags: [],
  });
  // The test relay returns at most 100 events per read.
  for (let i = 1; i <= 150; i++) {
    await post(relay.url, earlier, { kind: 1, created_at: at + i, content: `gm ${i}`, tags: [] });
  }
  using store = await KvStateStore.open(":memory:");
  const config = agent([relay.url], { NOSTR_PREVIOUS_KEYS: getPublicKey(earlier) });
  const report = await heartbeat(config, store, clock());
  assertEquals([report.launching.decision, report.launching.state], ["launched", "found"]);
  assertEquals((await launchPosts(relay.url)).filter((event) => event.kind === 1111), [], "no new launch post");
});

Deno.test("the launch post stays in the outbox until every relay has it, so no single relay holds the only copy", async () => {
  await using dir = await tempDir();
  const db = join(dir.path, "relay.sqlite");
  await using up = await startRelay();
  const refusing = await startRelay({ db, refuse: "blocked: try later" });
  const config = agent([up.url, refusing.url]);
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  const first = await heartbeat(config, store, time);
  assertEquals([first.launching.decision, first.broadcasting.pending], ["launch", 1]);
  assertEquals((await store.loadLaunches())[0]!.state, "queued");
  await refusing.stop();
  await using back = await startRelay({ db, port: refusing.port });
  time.at = START + HOUR;
  const second = await heartbeat(config, store, time);
  assertEquals(second.broadcasting.events.map((event) => [event.id, event.accepted]), [[
    first.launching.post!.id,
    true,
  ]]);
  assertEquals((await store.loadLaunches())[0]!.state, "published");
  assertEquals((await launchPosts(back.url)).map((event) => event.id), [first.launching.post!.id]);
  assertEquals((await launchPosts(up.url)).length, 1);
});

Deno.test("no two launches fall within 24 hours, whatever their symbols", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  await heartbeat(agent([relay.url]), store, time);
  const renamed = agent([relay.url], { TOKEN_TICKER: "MORE" });
  time.at = START + 23 * HOUR;
  const early = await heartbeat(renamed, store, time);
  assertEquals(early.launching.decision, "wait");
  assertStringIncludes(early.launching.reason!, "one per 24 hours");
  time.at = START + 24 * HOUR;
  assertEquals((await heartbeat(renamed, store, time)).launching.decision, "launch");
  assertEquals((await launchPosts(relay.url)).map((event) => event.content.split("\n")[2]).sort(), [
    "symbol: KEEP",
    "symbol: MORE",
  ]);
});

Deno.test("a relay that does not answer the lookup delays the launch; it goes out once when the relay is back", async () => {
  await using up = await startRelay();
  const down = await startRelay();
  const downPort = down.port;
  await down.stop();
  const config = agent([up.url, `ws://127.0.0.1:${downPort}`]);
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  const blind = await heartbeat(config, store, time);
  assertEquals(blind.launching.decision, "wait");
  assertStringIncludes(blind.launching.reason!, `ws://127.0.0.1:${downPort}`);
  assertEquals(await launchPosts(up.url), [], "nothing is posted on a partial answer");
  await using back = await startRelay({ port: downPort });
  time.at = START + 6 * HOUR;
  assertEquals((await heartbeat(config, store, time)).launching.decision, "launch");
  time.at = START + 12 * HOUR;
  assertEquals((await heartbeat(config, store, time)).launching.decision, "launched");
  assertEquals((await launchPosts(up.url)).length, 1);
  assertEquals((await launchPosts(back.url)).length, 1);
});

Deno.test("a launch post the relays refuse is resent, the same signed event, until accepted: never a second launch", async () => {
  await using dir = await tempDir();
  const db = join(dir.path, "relay.sqlite");
  const refusing = await startRelay({ db, refuse: "blocked: try later" });
  const port = refusing.port;
  const config = agent([refusing.url]);
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  const refused = await heartbeat(config, store, time);
  assertEquals([refused.launching.decision, refused.broadcasting.pending], ["launch", 1]);
  const signed = refused.launching.post!.id;
  time.at = START + HOUR;
  const stillDown = await heartbeat(config, store, time);
  assertEquals([stillDown.launching.decision, stillDown.launching.state], ["launched", "queued"]);
  await refusing.stop();
  await using relay = await startRelay({ db, port });
  time.at = START + 2 * HOUR;
  const resent = await heartbeat(config, store, time);
  assertEquals(resent.broadcasting.events.map((event) => [event.id, event.accepted]), [[signed, true]]);
  assertEquals((await store.loadLaunches())[0]!.state, "published");
  assertEquals((await launchPosts(relay.url)).map((event) => event.id), [signed]);
});

Deno.test("Clawnch's signed reply is recorded as the outcome; a reply from another key only as unverified", async () => {
  await using relay = await startRelay();
  const clawnch = generateSecretKey();
  const config = agent([relay.url], { CLAWNCH_PUBKEY: npubEncode(getPublicKey(clawnch)) });
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  const launch = (await heartbeat(config, store, time)).launching.post!;
  const reply = (secret: Uint8Array, content: string) =>
    post(relay.url, secret, {
      kind: 1111,
      created_at: Math.floor(START / 1000) + 60,
      content,
      tags: [["E", launch.id!], ["e", launch.id!], ["K", "1111"], ["k", "1111"]],
    });
  await reply(generateSecretKey(), "Token launched! CA: 0x1111111111111111111111111111111111111111");
  time.at = START + HOUR;
  const unverifiedOnly = await heartbeat(config, store, time);
  assertEquals([unverifiedOnly.launching.outcome, unverifiedOnly.launching.unverifiedReplies], [undefined, 1]);
  const healthBefore = await launchCheck(config.launch, () => store.loadLaunches())();
  assertStringIncludes(healthBefore.detail, "no verified reply from Clawnch yet (1 unverified replies)");

  const token = "0x2222222222222222222222222222222222222222";
  const answer = await reply(clawnch, `Token launched for KEEP!\nwallet: ${LAUNCH_ENV.TOKEN_WALLET}\nCA: ${token}`);
  time.at = START + 7 * HOUR;
  const verified = await heartbeat(config, store, time);
  assertEquals(verified.launching.outcome?.status, "launched");
  assertEquals(verified.launching.outcome?.token, token, "the token, not the wallet");
  assertEquals(verified.launching.outcome?.replyId, answer.id);
  const [record] = await store.loadLaunches();
  assertEquals(record!.outcome?.token, token);
  const health = await launchCheck(config.launch, () => store.loadLaunches())();
  assertEquals([health.healthy, health.detail.endsWith(`token ${token}`)], [true, true]);
});

Deno.test("an error Clawnch answers is recorded, and health reports it as needing a person", async () => {
  await using relay = await startRelay();
  const clawnch = generateSecretKey();
  const config = agent([relay.url], { CLAWNCH_PUBKEY: getPublicKey(clawnch) });
  using store = await KvStateStore.open(":memory:");
  const time = clock();
  const launch = (await heartbeat(config, store, time)).launching.post!;
  await post(relay.url, clawnch, {
    kind: 1,
    created_at: Math.floor(START / 1000) + 60,
    content: "TICKER_TAKEN: the symbol KEEP is already used",
    tags: [["e", launch.id!, "", "reply"]],
  });
  time.at = START + HOUR;
  const answered = await heartbeat(config, store, time);
  assertEquals(answered.launching.outcome?.status, "failed");
  const health = await launchCheck(config.launch, () => store.loadLaunches())();
  assertEquals(health.healthy, false);
  assertStringIncludes(health.detail, "TICKER_TAKEN");
});

Deno.test("a dry run shows the exact post and that a real run would launch, and signs and stores nothing", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const dry = await heartbeat(agent([relay.url]), store, clock(), true);
  assertEquals(dry.launching.decision, "launch");
  assertEquals(dry.launching.post?.kind, 1111);
  assertEquals(dry.launching.post?.id, undefined, "not signed");
  assertStringIncludes(dry.launching.post!.content, `wallet: ${LAUNCH_ENV.TOKEN_WALLET}`);
  assertEquals(await store.loadLaunches(), []);
  assertEquals(await store.loadOutbox(), []);
  assertEquals(await launchPosts(relay.url), []);
});

Deno.test("without a ticker and a wallet, or without a key, the launch is skipped and the report says why", async () => {
  using store = await KvStateStore.open(":memory:");
  const input = { previousKeys: [], relays: [], store, clock: clock(), dryRun: false };
  const off = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC, TOKEN_TICKER: "KEEP" } });
  assertEquals(await launchToken({ ...input, launch: off.launch, identity: off.nostr }), {
    status: "skipped",
    reason: "the token launch is off: TOKEN_WALLET not set",
  });
  const keyless = testConfig("/srv", { env: { ...LAUNCH_ENV } });
  const report = await launchToken({ ...input, launch: keyless.launch });
  assertEquals([report.status, report.reason], ["skipped", "NOSTR_NSEC is not set"]);
});

for (
  const [name, env, message] of [
    [
      "a wallet whose checksum fails",
      { TOKEN_WALLET: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" },
      "TOKEN_WALLET fails",
    ],
    ["a wallet that is not an address", { TOKEN_WALLET: "0x5aAeb6053F3E94C9b9A09f3366" }, "TOKEN_WALLET must be 0x"],
    ["a symbol over 32 characters", { TOKEN_TICKER: "K".repeat(33) }, "TOKEN_TICKER is longer than 32"],
    ["a missing image", { TOKEN_IMAGE: "" }, "TOKEN_IMAGE is required"],
  ] as const
) {
  Deno.test(`the heartbeat refuses to start with ${name}, naming the variable, and nothing reaches the relay`, async () => {
    await using repo = await tempRepo();
    await using relay = await startRelay();
    const result = await runCli(["--once", "--no-commit", "--no-push"], {
      cwd: repo.path,
      env: { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay.url, ...LAUNCH_ENV, ...env },
    });
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, message);
    const reader = readerClient();
    const stored = await reader.query([{ kinds: [0, 1, 1111, 30023] }], [relay.url]);
    reader.close();
    assertEquals(stored.events, [], "no event at all");
  });
}

Deno.test("the heartbeat shows the post in a dry run, then launches once across process restarts and a deleted state directory", async () => {
  await using repo = await tempRepo();
  await using relay = await startRelay();
  const env = { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: relay.url, ...LAUNCH_ENV };
  const run = async () => {
    const result = await runCli(["--once", "--json", "--no-commit", "--no-push"], { cwd: repo.path, env });
    assertEquals(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).launching;
  };
  const dry = await runCli(["--once", "--dry-run"], { cwd: repo.path, env });
  assertEquals(dry.code, 0, dry.stderr);
  assertStringIncludes(dry.stdout, "launching      ok (dry run: a real run would launch now): KEEP\n");
  assertStringIncludes(dry.stdout, "      !clawnch\n      name: Skill Keeper\n      symbol: KEEP\n");
  assertEquals(await launchPosts(relay.url), [], "a dry run posts nothing");
  assertEquals((await run()).decision, "launch");
  assertEquals((await run()).state, "published");
  await Deno.remove(join(repo.path, ".heartbeat"), { recursive: true });
  const afterWipe = await run();
  assertEquals([afterWipe.decision, afterWipe.state], ["launched", "found"]);
  assertEquals((await launchPosts(relay.url)).length, 1);
  const health = await runCli(["health", "--json"], { cwd: repo.path, env });
  const check = JSON.parse(health.stdout).checks.find((found: { name: string }) => found.name === "launch");
  assertStringIncludes(check.detail, "KEEP posted at");
});

Deno.test("the store refuses a second launch record for a symbol, and then writes nothing, not even the outbox entry", async () => {
  using store = await KvStateStore.open(":memory:");
  const event = finalizeEvent(
    { kind: 1111, created_at: 1, content: "!clawnch\nsymbol: KEEP", tags: [] },
    generateSecretKey(),
  );
  const record = { symbol: "KEEP", event, state: "queued" as const, acceptedBy: [], unverified: [] };
  await store.addLaunch(record);
  const again = finalizeEvent(
    { kind: 1111, created_at: 2, content: "!clawnch\nsymbol: KEEP", tags: [] },
    generateSecretKey(),
  );
  const entry = { event: again, subject: { kind: "launch" as const, symbol: "KEEP" } };
  await assertRejects(
    () =>
      store.addLaunch({ ...record, event: again }, {
        ...entry,
        acceptedBy: [],
        attempts: 0,
        nextAttemptAt: 0,
        lastResults: [],
      }),
    LaunchRecordExistsError,
  );
  assertEquals((await store.loadLaunches()).map((found) => found.event.id), [event.id]);
  assertEquals(await store.loadOutbox(), []);
});
