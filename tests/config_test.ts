import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import type { CommonOptions } from "../src/common_options.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { DEFAULT_RELAYS } from "../src/broadcasting/broadcasting_settings.ts";
import { EnvFileError, parseEnvFile } from "../src/env_file.ts";
import { REDACTED } from "../src/secret.ts";
import { npubEncode } from "nostr-tools/nip19";
import { TEST_KEY_HEX, TEST_NSEC, TEST_PUBKEY } from "./keys.ts";
import { commandLine, LAUNCH_ENV as LAUNCH } from "./options.ts";

const OPTIONS: CommonOptions = commandLine({ ruleSets: ["agentskills"] });

function load(env: Record<string, string>, envFile?: Map<string, string>, options: Partial<CommonOptions> = {}) {
  return loadConfig({ ...OPTIONS, ...options }, { env, envFile, cwd: "/home/agent" });
}

Deno.test("loadConfig() resolves paths against the repository and uses Clawstr's relays by default", () => {
  const config = load({});
  assertEquals(config.repo, "/srv/skills");
  assertEquals(config.skillsDir, "/srv/skills/skills");
  assertEquals(config.stateDir, "/srv/skills/.heartbeat");
  assertEquals(config.archiveDir, "/srv/skills/.archive");
  assertEquals(config.relays, DEFAULT_RELAYS);
  assertEquals(config.relaysAreDefault, true);
  assertEquals(config.nostr, undefined);
  assertEquals(config.secrets, []);
});

Deno.test("loadConfig() resolves a relative repository against the working directory", () => {
  assertEquals(load({}, undefined, { repo: "lib" }).repo, "/home/agent/lib");
});

Deno.test("loadConfig() reads the key in nsec or hex form and derives the public key", () => {
  const fromNsec = load({ NOSTR_NSEC: TEST_NSEC });
  const fromHex = load({ NOSTR_NSEC: TEST_KEY_HEX.toUpperCase() });
  assertEquals(fromNsec.nostr?.secretKey.reveal(), TEST_KEY_HEX);
  assertEquals(fromHex.nostr?.secretKey.reveal(), TEST_KEY_HEX);
  assertEquals(fromNsec.nostr?.publicKey, fromHex.nostr?.publicKey);
  assertEquals(fromNsec.nostr?.publicKey.length, 64);
  const forms = fromNsec.secrets.map((secret) => secret.reveal());
  for (const form of [TEST_NSEC, TEST_KEY_HEX, TEST_KEY_HEX.toUpperCase()]) assert(forms.includes(form), form);
});

Deno.test("a printed configuration shows the key as [redacted] in every form", () => {
  const config = load({ NOSTR_NSEC: TEST_NSEC });
  const printed = [
    Deno.inspect(config, { depth: 10 }),
    JSON.stringify(config),
    String(config.nostr?.secretKey),
    `${config.nostr?.secretKey}`,
  ];
  for (const text of printed) {
    assert(!text.includes(TEST_NSEC) && !text.includes(TEST_KEY_HEX), text);
  }
  assertStringIncludes(printed[0]!, REDACTED);
  assertStringIncludes(printed[1]!, `"secretKey":"${REDACTED}"`);
});

Deno.test("flags and the environment win over .env, which wins over defaults", () => {
  const envFile = new Map([["AGENT_NAME", "From file"], ["NOSTR_RELAY", "wss://file.example"]]);
  const config = load({ AGENT_NAME: "From env" }, envFile);
  assertEquals(config.agentName, "From env");
  assertEquals(config.relays, ["wss://file.example"]);
});

Deno.test("NOSTR_RELAY takes a comma-separated list of wss:// URLs, and ws:// only on loopback", () => {
  const config = load({
    NOSTR_RELAY: " wss://relay.example.com/ ,ws://127.0.0.1:7777, ws://localhost:1,wss://relay.example.com",
  });
  assertEquals(config.relays, ["wss://relay.example.com", "ws://127.0.0.1:7777", "ws://localhost:1"]);
  assertEquals(config.relaysAreDefault, false);
});

const INVALID: Array<[Record<string, string>, string]> = [
  [{ NOSTR_NSEC: "nsec1notakey" }, "NOSTR_NSEC is not a valid private key"],
  [
    { NOSTR_NSEC: "npub1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5ss8jy" },
    "NOSTR_NSEC is not a valid private key",
  ],
  [{ NOSTR_NSEC: "abc123" }, "NOSTR_NSEC is not a valid private key"],
  [{ NOSTR_NSEC: "0".repeat(64) }, "NOSTR_NSEC is not a valid private key"],
  [{ NOSTR_RELAY: "ws://relay.example.com" }, "allowed only for loopback"],
  [{ NOSTR_RELAY: "https://relay.example.com" }, 'NOSTR_RELAY entry "https://relay.example.com" is not a relay URL'],
  [{ NOSTR_RELAY: "not a url" }, 'NOSTR_RELAY entry "not a url" is not a URL'],
  [{ NOSTR_RELAY: ",," }, "NOSTR_RELAY names no relay"],
  [{ NOSTR_RELAY: `wss://a.example,${TEST_NSEC}` }, "NOSTR_RELAY entry 2 looks like a private key; it is not shown"],
  [{ NOSTR_RELAY: `https://relay.example/${TEST_KEY_HEX}` }, "NOSTR_RELAY entry 1 looks like a private key"],
  [{ ...LAUNCH, TOKEN_TICKER: "TOO$" }, "TOKEN_TICKER must be letters and digits only"],
  [{ ...LAUNCH, TOKEN_TICKER: "A".repeat(33) }, "TOKEN_TICKER is longer than 32 characters"],
  [{ ...LAUNCH, TOKEN_WALLET: "0x12" }, "TOKEN_WALLET must be 0x and 40 hex digits"],
  [{ ...LAUNCH, TOKEN_IMAGE: "" }, "TOKEN_IMAGE is required"],
  [{ NOSTR_PREVIOUS_KEYS: `npub1x,${TEST_NSEC}` }, "NOSTR_PREVIOUS_KEYS entry 2 is a private key"],
  [{ NOSTR_PREVIOUS_KEYS: TEST_NSEC.toUpperCase() }, "NOSTR_PREVIOUS_KEYS entry 1 is a private key"],
  [{ NOSTR_NSEC: TEST_NSEC, CLAWNCH_PUBKEY: TEST_KEY_HEX.toUpperCase() }, "CLAWNCH_PUBKEY is a private key"],
  [{ CLAWNCH_PUBKEY: "clawnch" }, "CLAWNCH_PUBKEY is not a public key"],
  [{ AGENT_NAME: "x".repeat(101) }, "AGENT_NAME is 101 characters long"],
];

for (const [env, message] of INVALID) {
  Deno.test(`loadConfig() refuses ${Object.keys(env).join(", ")}=${JSON.stringify(Object.values(env)[0]).slice(0, 40)}`, () => {
    const error = assertThrows(() => load(env), ConfigError, message);
    for (const key of [TEST_NSEC, TEST_NSEC.toUpperCase(), TEST_KEY_HEX, TEST_KEY_HEX.toUpperCase(), "clawnch"]) {
      assert(!error.message.includes(key), "the message must not echo a key");
    }
    if (env.NOSTR_NSEC) assert(!error.message.includes(env.NOSTR_NSEC), "the message must not echo the key");
  });
}

Deno.test("a problem that would quote a value shaped like a private key shows [redacted] instead", () => {
  for (const key of [TEST_NSEC, TEST_KEY_HEX.toUpperCase()]) {
    const error = assertThrows(() => load({}, undefined, { skillsDir: `../${key}` }), ConfigError, "--skills-dir");
    assertStringIncludes(error.message, `"../${REDACTED}"`);
    assert(!error.message.includes(key) && !error.problems.some((problem) => problem.includes(key)));
  }
});

Deno.test("loadConfig() reports every problem at once", () => {
  const error = assertThrows(
    () => load({ NOSTR_NSEC: "bad", NOSTR_RELAY: "http://x", ...LAUNCH, TOKEN_TICKER: "$", TOKEN_NAME: "" }),
    ConfigError,
  );
  assertEquals(error.problems.length, 4);
});

Deno.test("the launch is off until both TOKEN_TICKER and TOKEN_WALLET are set, and says which is missing", () => {
  assertEquals(load({}).launch, { off: "the token launch is off: TOKEN_TICKER and TOKEN_WALLET not set" });
  assertEquals(load({ TOKEN_TICKER: "KEEP" }).launch, { off: "the token launch is off: TOKEN_WALLET not set" });
  const on = load({ ...LAUNCH, TOKEN_TICKER: "keep" }).launch;
  assert("request" in on);
  assertEquals(on.request.symbol, "KEEP");
});

Deno.test("previous keys and Clawnch's key are read as npub or hex public keys", () => {
  const npub = npubEncode(TEST_PUBKEY);
  const config = load({ NOSTR_PREVIOUS_KEYS: ` ${npub}, ${"AB".repeat(32)} `, CLAWNCH_PUBKEY: npub });
  assertEquals(config.previousKeys, [TEST_PUBKEY, "ab".repeat(32)]);
  assertEquals(config.clawnchPubkey, TEST_PUBKEY);
});

Deno.test("loadConfig() refuses a skills or archive directory outside the repository", () => {
  assertThrows(() => load({}, undefined, { skillsDir: "../elsewhere" }), ConfigError, "is outside the repository");
  assertThrows(() => load({}, undefined, { archiveDir: "/tmp/archive" }), ConfigError, "inside the repository");
  assertThrows(() => load({}, undefined, { archiveDir: "." }), ConfigError, "inside the repository");
});

Deno.test("parseEnvFile() reads comments, export, quotes and escapes", () => {
  const text = [
    "\uFEFF# the agent",
    "export AGENT_NAME='Skill Keeper' # inline comment",
    'NOSTR_RELAY="wss://a.example, wss://b.example"',
    "TOKEN_TICKER=keep # comment",
    'MULTI="line\\nbreak \\"quoted\\""',
    "EMPTY=",
    "",
    "AGENT_NAME=Later wins\r",
  ].join("\n");
  assertEquals(
    Object.fromEntries(parseEnvFile(text, ".env")),
    {
      AGENT_NAME: "Later wins",
      NOSTR_RELAY: "wss://a.example, wss://b.example",
      TOKEN_TICKER: "keep",
      MULTI: 'line\nbreak "quoted"',
      EMPTY: "",
    },
  );
});

Deno.test("parseEnvFile() names the line of a malformed entry without echoing it", () => {
  const error = assertThrows(() => parseEnvFile(`A=1\n${TEST_NSEC}\n`, "/app/.env"), EnvFileError, "line 2");
  assert(!error.message.includes(TEST_NSEC));
  assertThrows(() => parseEnvFile(`NOSTR_NSEC="${TEST_NSEC}`, ".env"), EnvFileError, 'unclosed " quote');
  assertThrows(() => parseEnvFile(`A="x" y`, ".env"), EnvFileError, "after the closing quote");
});
