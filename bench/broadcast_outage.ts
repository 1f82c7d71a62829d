// deno-lint-ignore-file no-console -- a command-line script prints its results
/**
 * Measures a broadcast of N master skills when one of two relays black-holes
 * what it is sent (accepts the connection, never answers) and the client's
 * timeout is the default 5 s: how long the run takes, and how many events the
 * live relay accepted. Needs `npm install --prefix tests/relay`.
 *
 *   deno run -A bench/broadcast_outage.ts [N]
 *
 * @module
 */

import { broadcast } from "../src/broadcasting/broadcast.ts";
import { nostrRelayClient } from "../src/nostr/relay_client.ts";
import { signer } from "../src/nostr/nostr_identity.ts";
import { loadConfig } from "../src/config.ts";
import { KvStateStore } from "../src/store/state_store.ts";
import { startMuteRelay, startRelay } from "../tests/relay_harness.ts";
import { commandLine } from "../tests/options.ts";
import { TEST_NSEC } from "../tests/keys.ts";

const count = Number(Deno.args[0] ?? 50);
const identity = loadConfig(commandLine(), { env: { NOSTR_NSEC: TEST_NSEC }, cwd: "/" }).nostr!;
await using silent = startMuteRelay();
await using relay = await startRelay();
using store = await KvStateStore.open(":memory:");
const client = nostrRelayClient({ sign: signer(identity) });
const masters = Array.from({ length: count }, (_, i) => ({
  id: `skill-${i}`,
  name: `skill-${i}`,
  members: 2,
  version: "1.0.0",
  description: "A skill.",
  tags: [],
  content: `# Skill ${i}\n`,
}));
const started = performance.now();
const report = await broadcast({
  identity,
  relays: [silent.url, relay.url],
  client,
  store,
  clock: { now: () => new Date() },
  runId: "bench",
  masters,
  dryRun: false,
});
const seconds = (performance.now() - started) / 1000;
client.close();
console.log(
  `${report.events.length} events (${count} masters and the run's post), one relay black-holed: ${
    seconds.toFixed(1)
  } s, ${report.events.filter((event) => event.accepted).length} accepted by the live relay`,
);
