import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { assertEquals } from "./assert.ts";
import { readReplies } from "../src/launching/clawnch_reply.ts";
import type { LaunchRecord } from "../src/launching/launch_record.ts";
import { LAUNCH_ENV } from "./options.ts";

const agent = generateSecretKey();
const clawnch = generateSecretKey();
const CLAWNCH = getPublicKey(clawnch);
const WALLET = LAUNCH_ENV.TOKEN_WALLET!;
const TOKEN = "0x3333333333333333333333333333333333333333";
const MIXED_CASE = "0xAbCd333333333333333333333333333333333333";

const launch: LaunchRecord = {
  symbol: "KEEP",
  event: finalizeEvent({
    kind: 1111,
    created_at: 1_800_000_000,
    content: `!clawnch\nname: Skill Keeper\nsymbol: KEEP\nwallet: ${WALLET}`,
    tags: [],
  }, agent),
  state: "published",
  acceptedBy: ["wss://relay.example"],
  unverified: [],
};

function reply(content: string, secret = clawnch, at = 60, tags = [["e", launch.event.id]]) {
  return finalizeEvent({ kind: 1111, created_at: 1_800_000_000 + at, content, tags }, secret);
}

for (
  const [content, status, token] of [
    [`Token launched! Contract: ${TOKEN}\nFees go to ${WALLET}`, "launched", TOKEN],
    [
      `Launched KEEP: https://clawn.ch/${MIXED_CASE}`,
      "launched",
      MIXED_CASE,
    ],
    ["TICKER_TAKEN: KEEP already exists", "failed", undefined],
    ["Launch failed: the image could not be fetched", "failed", undefined],
    ["RATE_LIMITED", "failed", undefined],
    [`Only your wallet ${WALLET} was found in this post`, "unclear", undefined],
    ["gm", "unclear", undefined],
  ] as const
) {
  Deno.test(`Clawnch's reply "${content.slice(0, 40)}" reads as ${status}`, () => {
    const { outcome } = readReplies(launch, [reply(content)], CLAWNCH, [getPublicKey(agent)]);
    assertEquals([outcome?.status, outcome?.token], [status, token]);
  });
}

Deno.test("only a reply signed by the configured Clawnch key is an outcome: others, or any without the key, are unverified", () => {
  const imposter = reply(`Token launched! ${TOKEN}`, generateSecretKey());
  const read = readReplies(launch, [imposter], CLAWNCH, []);
  assertEquals([read.outcome, read.unverified.map((found) => found.id)], [undefined, [imposter.id]]);
  const genuine = reply(`Token launched! ${TOKEN}`);
  const unconfigured = readReplies(launch, [genuine], undefined, []);
  assertEquals([unconfigured.outcome, unconfigured.unverified.length], [undefined, 1]);
  // As it comes off the wire: no cached "verified" mark.
  const forged = { ...JSON.parse(JSON.stringify(genuine)), content: `Token launched! 0x${"4".repeat(40)}` };
  assertEquals(readReplies(launch, [forged], CLAWNCH, []).outcome, undefined, "a bad signature is no outcome");
});

Deno.test("the agent's own replies and events that do not name the launch post are ignored", () => {
  const own = reply("thanks!", agent);
  const elsewhere = reply(`Token launched! ${TOKEN}`, clawnch, 60, [["e", "f".repeat(64)]]);
  assertEquals(readReplies(launch, [own, elsewhere], CLAWNCH, [getPublicKey(agent)]), { unverified: [] });
});

Deno.test("a launch beats an earlier error, and a recorded outcome is kept when nothing clearer comes", () => {
  const error = reply("RATE_LIMITED: try later", clawnch, 60);
  const success = reply(`Token launched! ${TOKEN}`, clawnch, 3600);
  assertEquals(readReplies(launch, [success, error], CLAWNCH, []).outcome?.status, "launched");
  const recorded = readReplies(launch, [success], CLAWNCH, []).outcome!;
  assertEquals(readReplies({ ...launch, outcome: recorded }, [], CLAWNCH, []).outcome, recorded);
});

Deno.test("a transaction hash is no token address, and a token named beside words like 'error' is still a launch", () => {
  const hash = `0x${"1".repeat(64)}`;
  const read = (content: string) => readReplies(launch, [reply(content)], CLAWNCH, []).outcome;
  assertEquals(read(`Deployed in tx ${hash}. Token: ${TOKEN}`)?.token, TOKEN);
  assertEquals(read(`tx ${hash}`)?.status, "unclear");
  assertEquals(read(`No errors. Token address: ${TOKEN}`)?.status, "launched");
  assertEquals(read(`INVALID_TOKEN_DETAILS: image unreachable; wallet ${WALLET}`)?.status, "failed");
});
