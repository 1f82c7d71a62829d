import { verifyEvent } from "nostr-tools/pure";
import { assert, assertEquals } from "./assert.ts";
import { broadcast, type BroadcastInput, type MasterSkill } from "../src/broadcasting/broadcast.ts";
import { nostrRelayClient, type RelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import { testConfig } from "./options.ts";
import { relayCheck } from "../src/broadcasting/relay_check.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { TEST_KEY_HEX, TEST_NSEC } from "./keys.ts";
import { startMuteRelay, startRelay } from "./relay_harness.ts";
import { readRelayLimits } from "../src/nostr/relay_limits.ts";

const identity = testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC } }).nostr!;

const MASTER: MasterSkill = {
  id: "todoist",
  name: "todoist",
  version: "1.3.0",
  description: "Manage Todoist tasks.",
  tags: ["tasks", "Todo"],
  members: 2,
  content: "---\nname: todoist\nversion: 1.3.0\n---\n\n# Todoist\n",
};

/** Masters that differ by id, name and text. */
function mastersNamed(count: number): MasterSkill[] {
  return Array.from(
    { length: count },
    (_, i) => ({ ...MASTER, id: `skill-${i}`, name: `skill-${i}`, content: `# Skill ${i}\n` }),
  );
}

function input(store: KvStateStore, relays: string[], extra: Partial<BroadcastInput> = {}): BroadcastInput {
  return {
    identity,
    relays,
    client: nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 }),
    store,
    clock: { now: () => new Date("2026-11-25T06:00:00Z") },
    runId: "run-1",
    masters: [MASTER],
    dryRun: false,
    retryDelays: [],
    relayIntervalMs: 0,
    ...extra,
  };
}

Deno.test("a master skill and the run's Clawstr post reach a real relay, signed, and read back", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url]);
  const report = await broadcast(run);
  run.client!.close();
  assertEquals(report.status, "ok");
  assertEquals(report.events.map((event) => [event.kind, event.accepted]).sort(), [[1111, true], [30023, true]]);
  assertEquals(report.pending, 0);
  const reader = nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 });
  const stored = (await reader.query([{ authors: [identity.publicKey], kinds: [30023, 1111] }], [relay.url])).events;
  reader.close();
  assertEquals(stored.length, 2);
  for (const event of stored) assert(verifyEvent(event), "a valid signature");
  const skill = stored.find((event) => event.kind === 30023)!;
  assertEquals(skill.tags.filter((tag) => ["d", "version", "t"].includes(tag[0]!)), [
    ["d", "todoist"],
    ["version", "1.3.0"],
    ["t", "tasks"],
    ["t", "todo"],
  ]);
  const post = stored.find((event) => event.kind === 1111)!;
  assert(post.tags.some((tag) => tag[0] === "I" && tag[1] === "https://clawstr.com/c/skills"));
  assert(post.tags.some((tag) => tag.join(" ") === "l ai agent"));
  assertEquals(await store.publishedSkillVersion("todoist"), "1.3.0");
  for (const event of stored) {
    const text = JSON.stringify(event);
    assert(!text.includes(TEST_NSEC) && !text.includes(TEST_KEY_HEX), "no event carries the key");
  }
  const again = input(store, [relay.url]);
  const second = await broadcast(again);
  again.client!.close();
  assertEquals(second.events, [], "an accepted version is not sent again");
});

Deno.test("with one of two relays down the event goes to the other, and the outbox retries the first when it is back", async () => {
  await using up = await startRelay();
  const down = await startRelay();
  const downPort = down.port;
  await down.stop();
  using store = await KvStateStore.open(":memory:");
  const downUrl = `ws://127.0.0.1:${downPort}`;
  const first = input(store, [up.url, downUrl], { minAccepted: 2 });
  const report = await broadcast(first);
  first.client!.close();
  assertEquals(report.events.map((event) => event.results.map((result) => result.accepted)), [[true, false], [
    true,
    false,
  ]]);
  assertEquals(report.pending, 2);
  await using back = await startRelay({ port: downPort });
  const later = input(store, [up.url, back.url], {
    minAccepted: 2,
    clock: { now: () => new Date("2026-11-25T08:00:00Z") },
  });
  const retried = await broadcast(later);
  later.client!.close();
  assertEquals(retried.events.map((event) => [event.accepted, event.results.map((result) => result.relay)]), [
    [true, [back.url]],
    [true, [back.url]],
  ], "the same events, sent only to the relay that lacked them");
  assertEquals(retried.pending, 0);
});

Deno.test("a relay that answers OK false keeps the event in the outbox, with its reason in the report", async () => {
  await using relay = await startRelay({ refuse: "blocked: not on the allow list" });
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url]);
  const report = await broadcast(run);
  run.client!.close();
  assertEquals(report.events.every((event) => !event.accepted), true);
  assert(
    report.events[0]!.results[0]!.message.includes("not on the allow list"),
    report.events[0]!.results[0]!.message,
  );
  assertEquals((await store.loadOutbox()).length, 2);
});

Deno.test("without NOSTR_NSEC broadcasting is skipped and says why; a dry run sends nothing and shows the events", async () => {
  using store = await KvStateStore.open(":memory:");
  const skipped = await broadcast({ ...input(store, []), identity: undefined, client: undefined });
  assertEquals([skipped.status, skipped.reason], ["skipped", "NOSTR_NSEC is not set"]);
  const dry = await broadcast({ ...input(store, []), client: undefined, dryRun: true });
  assertEquals(dry.unsigned?.map((event) => event.kind), [30023, 1111]);
  assertEquals((await store.loadOutbox()).length, 0);
});

Deno.test("the profile gets the agent's name, and fields another client set survive the update", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const elsewhere = nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 });
  const { finalizeEvent } = await import("nostr-tools/pure");
  const { hexToBytes } = await import("nostr-tools/utils");
  const earlier = finalizeEvent(
    {
      kind: 0,
      created_at: 1_700_000_000,
      tags: [],
      content: JSON.stringify({ name: "old", about: "set elsewhere", picture: "https://example.com/a.png" }),
    },
    hexToBytes(TEST_KEY_HEX),
  );
  assert((await elsewhere.publish(earlier, [relay.url]))[0]!.accepted);
  elsewhere.close();
  const run = input(store, [relay.url], {
    agentName: "Skill Keeper",
    masters: [],
    clock: { now: () => new Date() },
  });
  const report = await broadcast(run);
  assertEquals(report.events.map((event) => [event.kind, event.accepted]), [[0, true]]);
  // The relay stores events a moment after it answers OK: read until the new profile shows.
  let newest;
  for (let attempt = 0; attempt < 20; attempt++) {
    const profiles = (await run.client!.query([{ kinds: [0], authors: [identity.publicKey] }], [relay.url])).events;
    newest = profiles.sort((a, b) => b.created_at - a.created_at)[0];
    if (newest && JSON.parse(newest.content).name === "Skill Keeper") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  run.client!.close();
  assertEquals(JSON.parse(newest!.content), {
    name: "Skill Keeper",
    about: "set elsewhere",
    picture: "https://example.com/a.png",
  });
  const again = input(store, [relay.url], {
    agentName: "Skill Keeper",
    masters: [],
    clock: { now: () => new Date() },
  });
  assertEquals((await broadcast(again)).events, [], "an unchanged profile is not published again");
  again.client!.close();
});

Deno.test("a relay that demands NIP-42 AUTH for writes and reads gets it, then accepts the events and answers", async () => {
  await using relay = await startRelay({ auth: "127.0.0.1" });
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url], { agentName: "Keeper" });
  const report = await broadcast(run);
  assertEquals(report.events.map((event) => [event.kind, event.accepted]).sort(), [[0, true], [1111, true], [
    30023,
    true,
  ]]);
  const read = await run.client!.query([{ kinds: [0], authors: [identity.publicKey] }], [relay.url]);
  run.client!.close();
  assertEquals([read.answered, read.events.length], [[relay.url], 1]);
});

Deno.test("a relay restarted in the middle of a run loses nothing: the next heartbeat sends what it missed, once", async () => {
  await using dir = await (await import("./utils.ts")).tempDir();
  const db = `${dir.path}/relay.sqlite`;
  const relay = await startRelay({ db });
  using store = await KvStateStore.open(":memory:");
  const masters = mastersNamed(40);
  const run = input(store, [relay.url], { masters });
  // Mid-run: after the tenth event the relay goes away, and the rest meet a closed port.
  const client = run.client!;
  let sent = 0;
  const stopping: RelayClient = {
    ...client,
    async publish(event, relays) {
      if (++sent === 11) await relay.stop();
      return await client.publish(event, relays);
    },
  };
  const first = await broadcast({ ...run, client: stopping });
  client.close();
  assertEquals(first.events.filter((event) => event.accepted).length, 10);
  assertEquals(first.pending, 31, "30 masters and the post");
  await using again = await startRelay({ db, port: relay.port });
  const later = input(store, [again.url], {
    masters,
    clock: { now: () => new Date("2026-11-25T09:00:00Z") },
  });
  const second = await broadcast(later);
  assertEquals(second.pending, 0, JSON.stringify(second.events.filter((event) => !event.accepted)));
  let stored: Array<{ tags: string[][] }> = [];
  for (let attempt = 0; attempt < 20 && stored.length < 40; attempt++) {
    stored = (await later.client!.query([{ kinds: [30023], authors: [identity.publicKey] }], [again.url])).events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  later.client!.close();
  const names = stored.map((event) => event.tags.find((tag) => tag[0] === "d")![1]).sort();
  assertEquals(names, masters.map((master) => master.name).sort(), "every skill once");
  assertEquals(second.events.length, 31, "only what the relay missed is sent again");
});

Deno.test("within a run, events a relay missed while it was briefly down are retried after a pause", async () => {
  const relay = await startRelay();
  const port = relay.port;
  await relay.stop();
  using store = await KvStateStore.open(":memory:");
  let restarted: Awaited<ReturnType<typeof startRelay>> | undefined;
  // The pause is long enough for the relay process to come back before the retry.
  const masters = mastersNamed(3);
  const run = input(store, [`ws://127.0.0.1:${port}`], { masters, retryDelays: [3000] });
  const coming = startRelay({ port }).then((relay) => {
    restarted = relay;
  });
  const started = performance.now();
  const report = await broadcast(run);
  await coming;
  run.client!.close();
  await restarted?.stop();
  // A refused connection costs nothing, so the relay is not set aside for the run as a silent one is.
  assertEquals(report.events.map((event) => event.accepted), [true, true, true, true], "three masters and the post");
  for (const event of report.events) assertEquals(event.results.map((result) => result.accepted), [false, true]);
  assert(performance.now() - started >= 3000, "the retry waited");
});

Deno.test("events sent to one relay are spaced by the relay interval", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url], { relayIntervalMs: 400 });
  const started = performance.now();
  const report = await broadcast(run);
  const elapsed = performance.now() - started;
  run.client!.close();
  assertEquals(report.events.map((event) => event.accepted), [true, true]);
  assert(elapsed >= 400, `two events took ${elapsed.toFixed(0)} ms; the second had to wait 400 ms`);
});

Deno.test("the relays health check reports which relay accepted the last event and which refused it, and why", async () => {
  await using accepting = await startRelay();
  await using refusing = await startRelay({ refuse: "blocked: not on the allow list" });
  using store = await KvStateStore.open(":memory:");
  const relays = [accepting.url, refusing.url];
  const run = input(store, relays);
  await broadcast(run);
  run.client!.close();
  const check = relayCheck(relays, { configured: true, lastAnswers: () => store.loadRelayAnswers(), timeoutMs: 2000 });
  const healthy = await check();
  assert(healthy.healthy, healthy.detail);
  assert(
    healthy.detail.includes(`${accepting.url} `) && healthy.detail.includes("accepted the last event"),
    healthy.detail,
  );
  assert(
    healthy.detail.includes("refused the last event") && healthy.detail.includes("not on the allow list"),
    healthy.detail,
  );

  // When every relay refused the last event, the agent is not being heard: unhealthy.
  const refusedOnly = await relayCheck([refusing.url], {
    configured: true,
    lastAnswers: async () => (await store.loadRelayAnswers()).filter((answer) => answer.relay === refusing.url),
    timeoutMs: 2000,
  })();
  assertEquals(refusedOnly.healthy, false, refusedOnly.detail);
});

Deno.test("a relay that leaves two events in a row unanswered is sent nothing more that run; the others get every event", async () => {
  await using silent = startMuteRelay();
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const masters = mastersNamed(5);
  const run = input(store, [silent.url, relay.url], {
    masters,
    client: nostrRelayClient({ sign: signer(identity), timeoutMs: 300 }),
  });
  const report = await broadcast(run);
  run.client!.close();
  assertEquals(report.events.map((event) => event.accepted), [true, true, true, true, true, true], "5 masters, 1 post");
  const toSilent = report.events.map((event) => event.results.find((result) => result.relay === silent.url)!.message);
  assert(toSilent.slice(0, 2).every((message) => message.endsWith("timed out")), toSilent.join("; "));
  assert(toSilent.slice(2).every((message) => message.startsWith("not sent")), toSilent.join("; "));
});

Deno.test("a master of 100,000 characters in Chinese or emoji reaches the relay cut to fit, and nothing stops the run", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const masters = [
    { ...MASTER, id: "han", name: "han", content: `# 技能\n\n${"使用这个技能处理任务。".repeat(10_000)}` },
    { ...MASTER, id: "emoji", name: "emoji", content: `# Emoji\n\n${"🚀 launch ".repeat(12_500)}` },
  ];
  const run = input(store, [relay.url], { masters });
  const report = await broadcast(run);
  run.client!.close();
  assertEquals(report.status, "ok", report.reason);
  assertEquals(report.events.filter((event) => event.kind === 30023 && event.accepted).length, 2);
  const reader = nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 });
  const stored = (await reader.query([{ authors: [identity.publicKey], kinds: [30023] }], [relay.url])).events;
  reader.close();
  for (const event of stored) {
    const bytes = new TextEncoder().encode(JSON.stringify(event)).length;
    assert(bytes <= 64 * 1024, `an event of ${bytes} bytes`);
    assert(event.content.endsWith("[…cut: the whole skill is in its repository]"), event.content.slice(-80));
    assert(!event.content.includes("\uFFFD"), "no character cut in half");
  }
});

Deno.test("a master whose frontmatter plants 10,000 long tags is announced with a bounded number of short ones", async () => {
  await using relay = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const tags = Array.from({ length: 10_000 }, (_, i) => `tag-${i}-${"x".repeat(1000)}`);
  const run = input(store, [relay.url], { masters: [{ ...MASTER, tags }] });
  const report = await broadcast(run);
  run.client!.close();
  assertEquals(report.status, "ok", report.reason);
  const reader = nostrRelayClient({ sign: signer(identity), timeoutMs: 2000 });
  const [skill] = (await reader.query([{ authors: [identity.publicKey], kinds: [30023] }], [relay.url])).events;
  reader.close();
  const kept = skill!.tags.filter((tag) => tag[0] === "t");
  assertEquals(kept.length, 32);
  assert(kept.every((tag) => tag[1]!.length <= 64), "short tags");
});

Deno.test("a relay that answers rate-limited gets the rest of the run's events more slowly, and takes them all", async () => {
  await using relay = await startRelay({ rateLimitMs: 300 });
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url], { masters: mastersNamed(6), relayIntervalMs: 0, retryDelays: [50, 50] });
  const report = await broadcast(run);
  run.client!.close();
  assert(
    report.events.some((event) => event.results.some((result) => result.message.startsWith("rate-limited:"))),
    "the relay did limit the rate",
  );
  assertEquals(report.pending, 0, JSON.stringify(report.events.map((event) => event.results.map((r) => r.message))));
  assertEquals(report.events.filter((event) => event.accepted).length, 7);
});

Deno.test("a relay that answers rate-limited to everything costs the run a few seconds, not one pause per event", async () => {
  await using relay = await startRelay({ rateLimitMs: 1_000_000 });
  using store = await KvStateStore.open(":memory:");
  const run = input(store, [relay.url], { masters: mastersNamed(40), relayIntervalMs: 0, retryDelays: [10] });
  const started = performance.now();
  const report = await broadcast(run);
  run.client!.close();
  assert(performance.now() - started < 20_000, `${Math.round(performance.now() - started)} ms`);
  assertEquals(report.pending, 40, "the refused events wait in the outbox for a later run");
});

Deno.test("a relay that publishes a content limit (NIP-11) is not sent what exceeds it, and the report names the limit", async () => {
  await using strict = await startRelay({ limits: { max_content_length: 2000 } });
  await using open = await startRelay();
  using store = await KvStateStore.open(":memory:");
  const large = { ...MASTER, content: `${MASTER.content}${"Run the tool on each file. ".repeat(200)}` };
  const run = input(store, [strict.url, open.url], { masters: [large], minAccepted: 1 });
  const report = await broadcast(run);
  run.client!.close();
  const skill = report.events.find((event) => event.kind === 30023)!;
  assert(skill.accepted, "the relay without the limit took it");
  const [toStrict, toOpen] = [strict.url, open.url].map((url) => skill.results.find((result) => result.relay === url)!);
  assertEquals(toStrict!.accepted, false);
  assert(
    toStrict!.message.startsWith("not sent: over the relay's published limit (max_content_length 2000"),
    toStrict!.message,
  );
  assertEquals(toOpen!.accepted, true);
  const post = report.events.find((event) => event.kind === 1111)!;
  assertEquals(post.results.map((result) => result.accepted), [true, true], "what fits goes to both");
});

Deno.test("a relay's information document is read bounded: a huge one, or limits that are not positive whole numbers, count as none", async () => {
  const documents = [
    JSON.stringify({ limitation: { max_content_length: 100, padding: "x".repeat(1_000_000) } }),
    JSON.stringify({ limitation: { max_content_length: -1, max_event_tags: 2.5, max_message_length: "10" } }),
    "not json",
  ];
  let served = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(documents[served++]),
  );
  for (let i = 0; i < documents.length; i++) {
    assertEquals(await readRelayLimits(`ws://127.0.0.1:${server.addr.port}`, { timeoutMs: 2000 }), {});
  }
  assertEquals(served, 3);
});
