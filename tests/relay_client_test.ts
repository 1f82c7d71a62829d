import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";
import { startMuteRelay, startRelay } from "./relay_harness.ts";

const noAuth = () => {
  throw new Error("no AUTH expected");
};

Deno.test("a relay that connects but never answers a read is reported silent, beside one that answers", async () => {
  await using silent = startMuteRelay();
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 300 });
  const result = await client.query([{ kinds: [1] }], [silent.url, relay.url]);
  client.close();
  assertEquals(result.answered, [relay.url]);
  assertEquals(result.silent.map((answer) => answer.relay), [silent.url]);
  assertStringIncludes(result.silent[0]!.message, "no answer within 300 ms");
});

Deno.test("a relay that cannot be reached is reported silent with the reason", async () => {
  const gone = await startRelay();
  await gone.stop();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 500 });
  const result = await client.query([{ kinds: [1] }], [gone.url]);
  client.close();
  assertEquals([result.answered, result.silent.map((answer) => answer.relay)], [[], [gone.url]]);
});

Deno.test("an event sent to a relay that never answers fails after the client's timeout, as unanswered", async () => {
  await using silent = startMuteRelay();
  await using relay = await startRelay();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 300 });
  const event = finalizeEvent({ kind: 1, created_at: 1, content: "hello", tags: [] }, generateSecretKey());
  const results = await client.publish(event, [silent.url, relay.url]);
  client.close();
  assertEquals(results.map((result) => [result.relay, result.accepted, result.answered, result.timedOut]), [
    [silent.url, false, false, true],
    [relay.url, true, true, false],
  ]);
  assertStringIncludes(results[0]!.message, "timed out");
});

Deno.test("a relay that refuses an event has answered; one that refuses the connection has not, and took no time", async () => {
  await using refusing = await startRelay({ refuse: "blocked: not here, the database timed out" });
  const gone = await startRelay();
  await gone.stop();
  const client = nostrRelayClient({ sign: noAuth, timeoutMs: 500 });
  const event = finalizeEvent({ kind: 1, created_at: 1, content: "hello", tags: [] }, generateSecretKey());
  const [refused, unreachable] = await client.publish(event, [refusing.url, gone.url]);
  client.close();
  assertEquals([refused!.accepted, refused!.answered, refused!.timedOut, refused!.message], [
    false,
    true,
    false,
    "blocked: not here, the database timed out",
  ]);
  assertEquals([unreachable!.accepted, unreachable!.answered, unreachable!.timedOut], [false, false, false]);
  assertStringIncludes(unreachable!.message, "connection failure");
});
