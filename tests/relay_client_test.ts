import { assertEquals, assertStringIncludes } from "./assert.ts";
import { nostrRelayClient } from "../src/broadcasting/relay_client.ts";
import { startRelay } from "./relay_harness.ts";

/** A WebSocket server on loopback that accepts connections and never answers a message. */
function mute() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}`, [Symbol.asyncDispose]: () => server.shutdown() };
}

const noAuth = () => {
  throw new Error("no AUTH expected");
};

Deno.test("a relay that connects but never answers a read is reported silent, beside one that answers", async () => {
  await using silent = mute();
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
