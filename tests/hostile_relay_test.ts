import { configure, type LogRecord } from "@logtape/logtape";
import { join } from "node:path";
import { npubEncode } from "nostr-tools/nip19";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { MAX_READ_CHARACTERS, nostrRelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import { InvalidRelayMessageError, parseRelayMessage } from "../src/nostr/relay_message.ts";
import { sanitiseRelayText } from "../src/nostr/relay_text.ts";
import { LOGGED_PER_CONNECTION } from "../src/nostr/relay_log.ts";
import { launchToken } from "../src/launching/launch.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { TEST_NSEC } from "./keys.ts";
import { LAUNCH_ENV, testConfig } from "./options.ts";
import {
  FORGED_REPORT_NOTICE,
  HUGE_NOTICE,
  startDroppingRelay,
  startHostileRelay,
  startRelay,
  type TestRelay,
} from "./relay_harness.ts";
import { runCli, tempRepo } from "./utils.ts";

/** What the relay code logs in this process, kept to be looked at. */
const records: LogRecord[] = [];
await configure({
  reset: true,
  sinks: { memory: (record) => records.push(record) },
  loggers: [
    { category: ["clawstr-heartbeat"], lowestLevel: "debug", sinks: ["memory"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
  ],
});

/** The properties of what was logged about one relay (nostr-tools adds a `/` to its URL), with the level. */
function loggedAbout(url: string): Array<Record<string, unknown>> {
  const href = new URL(url).href;
  return records
    .filter((record) => typeof record.properties.relay === "string" && new URL(record.properties.relay).href === href)
    .map((record) => ({ level: record.level, ...record.properties }));
}

/** A control character, ESC of every ANSI sequence among them. */
const CONTROL = /\p{Cc}/u;

const noAuth = () => {
  throw new Error("no AUTH expected");
};

/** A text note signed by a fresh key. */
function note(content = "hello") {
  return finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), content, tags: [] }, generateSecretKey());
}

/** Whether a real relay holds an event. */
async function holds(relay: TestRelay, id: string): Promise<boolean> {
  const reader = nostrRelayClient({ sign: noAuth, timeoutMs: 2000 });
  try {
    return (await reader.query([{ ids: [id] }], [relay.url])).events.length === 1;
  } finally {
    reader.close();
  }
}

Deno.test("a relay's text is escaped and cut before it is logged or reported", () => {
  assertEquals(sanitiseRelayText('{"runId":"FAKE"}\n\x1b[2J\r\x07'), '{"runId":"FAKE"}\\u{a}\\u{1b}[2J\\u{d}\\u{7}');
  assertEquals(
    sanitiseRelayText("\u202eevil\u2028"),
    "\\u{202e}evil\\u{2028}",
    "bidi overrides and line separators too",
  );
  assertEquals(sanitiseRelayText("é ok"), "é ok");
  const cut = sanitiseRelayText(HUGE_NOTICE);
  assert(cut.length < 250, `${cut.length} characters`);
  assert(cut.endsWith(` (${HUGE_NOTICE.length - 200} more characters)`), cut.slice(-60));
});

Deno.test("only known relay messages of the right shape pass: binary, oversized, malformed and unknown ones are refused without being echoed", () => {
  const event = note();
  assertEquals(parseRelayMessage(JSON.stringify(["EVENT", "sub:1", { ...event, extra: "dropped" }])), [
    "EVENT",
    "sub:1",
    {
      id: event.id,
      pubkey: event.pubkey,
      sig: event.sig,
      kind: 1,
      created_at: event.created_at,
      tags: [],
      content: "hello",
    },
  ]);
  assertEquals(parseRelayMessage(`["OK","${event.id}",false,"blocked"]`), ["OK", event.id, false, "blocked"]);
  assertEquals(parseRelayMessage('["COUNT","c:1",{"count":3,"hll":"x"}]'), ["COUNT", "c:1", { count: 3 }]);
  const refused: Array<[unknown, string]> = [
    [new Uint8Array(6).buffer, "a binary frame (6 bytes)"],
    [`["NOTICE","${"x".repeat(600_000)}"]`, "a frame of 600013 characters (at most 524288 are read)"],
    ["\x1b[31m{not json", "not JSON"],
    ['{"kind":1}', "not an array with a message type first"],
    ['["\\u001b[2JSURPRISE","sub:1"]', "an unknown message type"],
    [`["OK","${event.id}","false","blocked"]`, "OK with a malformed status"],
    [`["OK","${event.id.toUpperCase()}",true,""]`, "OK with a malformed event id"],
    ['["EOSE","sub:1","and more"]', "EOSE with 2 fields (expected 1)"],
    ['["EOSE","sub\\"1"]', "EOSE with a malformed subscription id"],
    [JSON.stringify(["EVENT", "sub:1", { ...event, tags: [["t", 1]] }]), "EVENT with a malformed tags"],
    [JSON.stringify(["EVENT", "sub:1", { ...event, sig: "ab" }]), "EVENT with a malformed sig"],
    ['["CLOSED","sub:1",null]', "CLOSED with a malformed message"],
  ];
  for (const [frame, problem] of refused) {
    try {
      parseRelayMessage(frame);
      assert(false, `accepted ${String(frame).slice(0, 40)}`);
    } catch (error) {
      assert(error instanceof InvalidRelayMessageError, String(error));
      assertEquals(error.message, problem);
    }
  }
});

Deno.test("a relay's binary frames are dropped and logged, its answers around them still count, and the real relay gets the event", async () => {
  await using hostile = startHostileRelay({ binary: true });
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 1000 });
  const event = note();
  const sent = await client.publish(event, [hostile.url, relay.url]);
  const read = await client.query([{ kinds: [1] }], [hostile.url, relay.url]);
  client.close();
  assertEquals(sent.map((result) => result.accepted), [true, true]);
  assertEquals(read.answered, [hostile.url, relay.url]);
  assert(await holds(relay, event.id), "the real relay has the event");
  const warnings = loggedAbout(hostile.url).filter((entry) => entry.level === "warning");
  assert(warnings.length > 0 && warnings.every((entry) => entry.problem === "a binary frame (6 bytes)"), "logged");
});

Deno.test("a relay's malformed messages never pass for answers, and each connection logs five sanitised warnings, then a count", async () => {
  await using hostile = startHostileRelay({ malformed: true });
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 1000 });
  const event = note();
  const [garbled, real] = await client.publish(event, [hostile.url, relay.url]);
  const read = await client.query([{ kinds: [1] }], [hostile.url, relay.url]);
  client.close();
  // Its only OK said "false" as a string, which nostr-tools alone takes for acceptance.
  assertEquals([garbled!.accepted, garbled!.answered, garbled!.timedOut, garbled!.message], [
    false,
    false,
    true,
    "publish timed out",
  ]);
  assert(real!.accepted && await holds(relay, event.id), "the real relay has the event");
  assertEquals([read.answered, read.silent.map((silent) => silent.relay)], [[relay.url], [hostile.url]]);
  const logged = loggedAbout(hostile.url);
  const dropped = logged.filter((entry) => entry.problem !== undefined);
  // Two connections: the publish's (six bad messages, closed after its timeout) and the read's (seven).
  assertEquals(dropped.length, 2 * LOGGED_PER_CONNECTION);
  assertEquals(logged.flatMap((entry) => entry.count === undefined ? [] : [entry.count]), [1, 2], "the rest counted");
  assertEquals(
    new Set(dropped.map((entry) => entry.problem)),
    new Set(["not JSON", "not an array with a message type first", "an unknown message type"]),
  );
  assertEquals(dropped.find((entry) => entry.problem === "not JSON")!.excerpt, '\\u{1b}[31m{"not json');
  for (const entry of logged) {
    for (const value of Object.values(entry)) assert(!CONTROL.test(String(value)), `logged raw: ${String(value)}`);
  }
});

Deno.test("a relay's OK and CLOSED reasons reach the results sanitised: control characters escaped, long text cut", async () => {
  const reason = `blocked: \x1b[2J\x1b[31mred\x07\r\n${"x".repeat(100_000)}`;
  await using hostile = startHostileRelay({ refuse: reason });
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 1000 });
  const event = note();
  const [refused, real] = await client.publish(event, [hostile.url, relay.url]);
  const read = await client.query([{ kinds: [1] }], [hostile.url, relay.url]);
  client.close();
  assertEquals([refused!.accepted, refused!.answered], [false, true]);
  assert(real!.accepted && await holds(relay, event.id), "the real relay has the event");
  assertEquals(read.answered, [relay.url]);
  for (const message of [refused!.message, read.silent[0]!.message]) {
    assert(!CONTROL.test(message) && message.length < 260, message);
    assertStringIncludes(message, "blocked: \\u{1b}[2J\\u{1b}[31mred\\u{7}\\u{d}\\u{a}xxx");
    assertStringIncludes(message, "more characters)");
  }
});

Deno.test("a relay that streams events without end has its read cut and counted as silent, while the real relay's answer stands", async () => {
  // About 100 KB each: the cut comes after some 170 of them.
  const flood = finalizeEvent({ kind: 1, created_at: 1, content: "x".repeat(100_000), tags: [] }, generateSecretKey());
  await using hostile = startHostileRelay({ endless: flood });
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 10_000 });
  const started = performance.now();
  const read = await client.query([{ kinds: [1] }], [hostile.url, relay.url]);
  client.close();
  assert(performance.now() - started < 10_000, "cut before the read's timeout");
  assertEquals(read.answered, [relay.url]);
  assertEquals(read.silent, [{
    relay: hostile.url,
    message: `more than ${MAX_READ_CHARACTERS} characters of events for one read: the answer is cut`,
  }]);
  assertEquals(read.events.map((event) => event.id), [flood.id], "what it sent, once");
  assert(loggedAbout(hostile.url).some((entry) => entry.limit === MAX_READ_CHARACTERS), "the cut is logged");
});

Deno.test("a relay that drops or closes the connection at any point makes failed or silent results, never a throw, and the next call connects afresh", async () => {
  await using relay = await startRelay();
  await using dropping = startDroppingRelay();
  await using atOpen = startHostileRelay({ closeAfter: "open" });
  await using afterReq = startHostileRelay({ closeAfter: "req" });
  await using afterEvent = startHostileRelay({ closeAfter: "event" });
  await using duringAuth = startHostileRelay({ closeAfter: "auth" });
  const client = nostrRelayClient({ sign: signer(testConfig("/srv", { env: { NOSTR_NSEC: TEST_NSEC } }).nostr!) });
  // What each says to an event and to a read. A relay that closed after answering has answered; a read that starts
  // while the relay is closing the connection (the one its EVENT went over, or a new one) meets the close.
  const expected = new Map([
    [dropping.url, [/^relay connection closed$/, /^relay connection closed$/]],
    [atOpen.url, [/^relay connection closed$/, /^(closed: )?relay connection closed$/]],
    [afterReq.url, [/^accepted$/, /^answered$/]],
    [afterEvent.url, [/^accepted$/, /^(answered|closed: relay connection closed)$/]],
    [duringAuth.url, [/^relay connection closed$/, /^AUTH failed: relay connection closed$/]],
  ]);
  const relays = [relay.url, ...expected.keys()];
  for (let round = 0; round < 2; round++) {
    const event = note(`round ${round}`);
    const sent = await client.publish(event, relays);
    const read = await client.query([{ kinds: [1] }], relays);
    assertEquals(sent[0]!.accepted, true);
    assert(await holds(relay, event.id), "the real relay has the event");
    for (const [i, url] of relays.entries()) {
      if (i === 0) continue;
      const [toEvent, toRead] = expected.get(url)!;
      assertMatch(sent[i]!.accepted ? "accepted" : sent[i]!.message, toEvent!, `round ${round}, ${url}`);
      const silent = read.silent.find((answer) => answer.relay === url);
      assertMatch(silent?.message ?? "answered", toRead!, `round ${round}, ${url}`);
    }
  }
  client.close();
});

Deno.test("the launch lookup and the follow-up on Clawnch's reply wait or report when relays drop connections or send garbage, never throw, and keep the reply's text sanitised", async () => {
  await using relay = await startRelay();
  await using dropping = startDroppingRelay();
  await using binary = startHostileRelay({ binary: true });
  const clawnch = generateSecretKey();
  const env = { NOSTR_NSEC: TEST_NSEC, ...LAUNCH_ENV, CLAWNCH_PUBKEY: npubEncode(getPublicKey(clawnch)) };
  using store = await KvStateStore.open(":memory:");
  const launch = async (relays: string[]) => {
    const config = testConfig("/srv", { env: { ...env, NOSTR_RELAY: relays.join(",") } });
    const client = nostrRelayClient({ sign: signer(config.nostr!), timeoutMs: 1500 });
    try {
      return await launchToken({
        launch: config.launch,
        identity: config.nostr,
        previousKeys: [],
        clawnchPubkey: config.clawnchPubkey,
        relays: config.relays,
        client,
        store,
        clock: { now: () => new Date(Date.now() - 3_600_000) },
        dryRun: false,
      });
    } finally {
      client.close();
    }
  };
  const waiting = await launch([relay.url, dropping.url, binary.url]);
  assertEquals(waiting.decision, "wait");
  assertStringIncludes(waiting.reason!, `${dropping.url} (relay connection closed) did not answer the lookup`);

  const launched = await launch([relay.url]);
  assertEquals(launched.decision, "launch");
  const post = launched.post as { id: string };
  const token = "0x2222222222222222222222222222222222222222";
  const answer = finalizeEvent({
    kind: 1111,
    created_at: Math.floor(Date.now() / 1000) - 60,
    content: `\x1b[2JToken launched for KEEP!\nCA: ${token}`,
    tags: [["E", post.id], ["e", post.id], ["K", "1111"], ["k", "1111"]],
  }, clawnch);
  const poster = nostrRelayClient({ sign: noAuth });
  assert((await poster.publish(answer, [relay.url]))[0]!.accepted);
  poster.close();
  const followUp = await launch([relay.url, dropping.url, binary.url]);
  assertEquals([followUp.decision, followUp.outcome?.token], ["launched", token], "the real relay's reply is read");
  assertEquals(followUp.outcome?.message, `\\u{1b}[2JToken launched for KEEP!\\u{a}CA: ${token}`, "sanitised");
});

/** Checks that stdout holds exactly one line, the JSON report, with nothing a relay sent; returns the report. */
function onlyTheReport(stdout: string) {
  assert(!CONTROL.test(stdout.slice(0, -1)) && stdout.endsWith("\n"), "one line, no control character");
  const report = JSON.parse(stdout);
  assert(
    typeof report.runId === "string" && !stdout.includes("FAKE") && !stdout.includes("flood"),
    stdout.slice(0, 300),
  );
  return report;
}

/** The structured log lines of a run in `repo`. */
async function logLines(repo: string): Promise<Array<{ level: string; properties: Record<string, unknown> }>> {
  const text = await Deno.readTextFile(join(repo, ".heartbeat", "orchestrator_heartbeat.log"));
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

Deno.test("a relay's NOTICEs never reach stdout: beside a forged report line and a 9 MB NOTICE, --once --json prints exactly the report, and the log has them sanitised", async () => {
  await using repo = await tempRepo();
  await using relay = await startRelay();
  await using forger = startHostileRelay({ notice: FORGED_REPORT_NOTICE });
  await using flooder = startHostileRelay({ notice: HUGE_NOTICE });
  const result = await runCli(["--once", "--json", "--no-commit", "--no-push", "--log-level", "debug"], {
    cwd: repo.path,
    env: { NOSTR_NSEC: TEST_NSEC, NOSTR_RELAY: [relay.url, forger.url, flooder.url].join(","), AGENT_NAME: "Keeper" },
  });
  assertEquals(result.code, 0, result.stderr.slice(-3000));
  const report = onlyTheReport(result.stdout);
  assert(report.broadcasting.events.length > 0, JSON.stringify(report.broadcasting));
  for (const event of report.broadcasting.events) {
    assert(await holds(relay, event.id), `the real relay has ${event.id}`);
  }
  assert(!CONTROL.test(result.stderr.replaceAll("\n", "")), "no control character on stderr but line ends");
  assert(!result.stderr.split("\n").some((line) => line.startsWith('{"runId":"FAKE"')), "no forged line on stderr");
  assertStringIncludes(result.stderr, sanitiseRelayText(FORGED_REPORT_NOTICE));
  const log = await logLines(repo.path);
  assert(log.some((line) => line.properties.notice === sanitiseRelayText(FORGED_REPORT_NOTICE)), "the NOTICE logged");
  const huge = log.find((line) => String(line.properties.problem).startsWith(`a frame of ${HUGE_NOTICE.length + 13}`));
  assert(huge && String(huge.properties.excerpt).length < 250, "the 9 MB NOTICE refused, a little of it logged");
  assert(result.stderr.length + JSON.stringify(log).length < 1_000_000, "no flood in the logs");
});

Deno.test("a run with every kind of hostile relay beside a real one finishes, prints only its report, gets its events to the real relay and logs each problem sanitised", async () => {
  await using repo = await tempRepo();
  await using relay = await startRelay();
  const flood = finalizeEvent({ kind: 1, created_at: 1, content: "x".repeat(100_000), tags: [] }, generateSecretKey());
  const hostile = [
    startHostileRelay({ binary: true }),
    startHostileRelay({ malformed: true }),
    startHostileRelay({ refuse: "blocked: \x1b[2J\x1b[31mred\x07" }),
    startHostileRelay({ closeAfter: "open" }),
    startHostileRelay({ closeAfter: "req" }),
    startHostileRelay({ closeAfter: "event" }),
    startHostileRelay({ closeAfter: "auth" }),
    startHostileRelay({ endless: flood }),
    startDroppingRelay(),
  ];
  try {
    const result = await runCli(["--once", "--json", "--no-commit", "--no-push"], {
      cwd: repo.path,
      env: {
        NOSTR_NSEC: TEST_NSEC,
        NOSTR_RELAY: [relay, ...hostile].map((server) => server.url).join(","),
        AGENT_NAME: "Keeper",
        ...LAUNCH_ENV,
      },
    });
    assertEquals(result.code, 0, result.stderr.slice(-3000));
    const report = onlyTheReport(result.stdout);
    assertEquals(report.status, "ok", report.error);
    assertEquals(report.launching.decision, "wait", "never launched on a partial answer");
    assert(report.broadcasting.events.length > 0, JSON.stringify(report.broadcasting));
    for (const event of report.broadcasting.events) {
      assert(await holds(relay, event.id), `the real relay has ${event.id}`);
      for (const { message } of event.results) assert(!CONTROL.test(message) && message.length < 260, message);
    }
    const refusal = report.broadcasting.events[0].results.find((result: { relay: string }) =>
      result.relay === hostile[2]!.url
    );
    assertEquals(refusal.message, "blocked: \\u{1b}[2J\\u{1b}[31mred\\u{7}");
    assert(!CONTROL.test(result.stderr.replaceAll("\n", "")), "no control character on stderr but line ends");
    const problems = new Set((await logLines(repo.path)).map((line) => line.properties.problem));
    for (const problem of ["a binary frame (6 bytes)", "not JSON", "an unknown message type"]) {
      assert(problems.has(problem), `logged: ${problem}`);
    }
  } finally {
    for (const server of hostile) await server[Symbol.asyncDispose]();
  }
});
