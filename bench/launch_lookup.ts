// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures the launch lookup against the real test relay (tests/relay, which
 * returns at most 100 events per read): how long finding an earlier launch
 * note takes behind N newer notes by the same key, and how many reads it
 * makes. Needs `npm install --prefix tests/relay` (the test task does it).
 *
 *   deno run -A bench/launch_lookup.ts [N ...]
 *
 * @module
 */

import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { nostrRelayClient, type RelayClient } from "../src/nostr/relay_client.ts";
import { lookUpLaunches } from "../src/launching/launch_lookup.ts";
import { startRelay } from "../tests/relay_harness.ts";

const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [0, 1000, 5000];
const noAuth = () => {
  throw new Error("no AUTH expected");
};

for (const notes of sizes) {
  await using relay = await startRelay();
  const key = generateSecretKey();
  const writer = nostrRelayClient({ sign: noAuth });
  const start = Math.floor(Date.now() / 1000) - 86400 * 30;
  await writer.publish(
    finalizeEvent({ kind: 1, created_at: start, content: "!clawnch\nsymbol: KEEP", tags: [] }, key),
    [relay.url],
  );
  for (let i = 1; i <= notes; i++) {
    await writer.publish(finalizeEvent({ kind: 1, created_at: start + i, content: `gm ${i}`, tags: [] }, key), [
      relay.url,
    ]);
  }
  writer.close();
  const client = nostrRelayClient({ sign: noAuth });
  let reads = 0;
  const counting: RelayClient = { ...client, query: (filters, relays) => (reads++, client.query(filters, relays)) };
  const started = performance.now();
  const found = await lookUpLaunches(counting, [getPublicKey(key)], [relay.url]);
  const ms = performance.now() - started;
  client.close();
  console.log(
    `${notes} newer notes: launch found ${found.posts.length === 1}, ${reads} reads, ${
      ms.toFixed(0)
    } ms, silent ${found.silent.length}`,
  );
}
