/**
 * The messages a relay may send (NIP-01, NIP-42, NIP-45), checked before
 * nostr-tools sees them. nostr-tools trusts what it reads: it slices a frame
 * as a string (a binary frame throws out of the socket's event handler and
 * ends the process), takes any truthy second element of an `OK` for
 * acceptance (`"false"` included), and prints NOTICEs. So every frame is
 * parsed here first and only a message of a known type and the right shape
 * goes on, rebuilt from the fields nostr-tools reads.
 *
 * @module
 */

import type { NostrEvent } from "./event.ts";

/**
 * The largest frame read, in characters. Our own skill events carry at most
 * 48 KiB of content (under 100,000 characters as JSON, even with every line
 * break escaped); relays cap events at 64 KiB (strfry) to a few hundred KiB,
 * so 512 Ki characters leaves room for any event a relay may hold, while a
 * larger frame (a 9 MB NOTICE) is refused before it is parsed.
 */
export const MAX_RELAY_MESSAGE = 512 * 1024;

/** A message a relay may send, as checked. */
export type RelayMessage =
  | ["EVENT", string, NostrEvent]
  | ["OK", string, boolean, string]
  | ["EOSE", string]
  | ["CLOSED", string, string]
  | ["NOTICE", string]
  | ["AUTH", string]
  | ["COUNT", string, { count: number }];

/** A relay sent something that is not a message it may send. */
export class InvalidRelayMessageError extends Error {
  /**
   * @param problem What is wrong with it, in words that carry none of the relay's text.
   */
  constructor(problem: string) {
    super(problem);
    this.name = "InvalidRelayMessageError";
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
/**
 * A subscription id: 1 to 64 printable ASCII characters (NIP-01's limit), no
 * quote or backslash. nostr-tools reads an EVENT's subscription id out of the
 * raw text by position before parsing it, so an id that needs escaping could
 * be misread. Ours are `sub:N`.
 */
const SUBSCRIPTION_ID = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/**
 * Parses and checks one frame from a relay.
 *
 * @param data The frame's data: a string for a text frame, anything else for a binary one.
 * @param maxLength The longest frame read, in characters.
 * @returns The message, with an EVENT's event rebuilt from its seven NIP-01 fields.
 * @throws {InvalidRelayMessageError} When the frame is binary, too long, not JSON, or not a known message of the
 * right shape.
 *
 * @example
 * ```ts
 * import { parseRelayMessage } from "./relay_message.ts";
 * console.assert(parseRelayMessage('["EOSE","sub:1"]')[0] === "EOSE");
 * ```
 */
export function parseRelayMessage(data: unknown, maxLength: number = MAX_RELAY_MESSAGE): RelayMessage {
  if (typeof data !== "string") throw new InvalidRelayMessageError(`a binary frame (${byteLength(data)} bytes)`);
  if (data.length > maxLength) {
    throw new InvalidRelayMessageError(`a frame of ${data.length} characters (at most ${maxLength} are read)`);
  }
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    throw new InvalidRelayMessageError("not JSON");
  }
  if (!Array.isArray(message) || typeof message[0] !== "string") {
    throw new InvalidRelayMessageError("not an array with a message type first");
  }
  const [type, ...fields] = message as [string, ...unknown[]];
  const shaped = (expected: number) => {
    if (fields.length !== expected) {
      throw new InvalidRelayMessageError(`${type} with ${fields.length} fields (expected ${expected})`);
    }
  };
  switch (type) {
    case "EVENT":
      shaped(2);
      return ["EVENT", subscriptionId(type, fields[0]), checkEvent(fields[1])];
    case "OK":
      shaped(3);
      return [
        "OK",
        field(type, "event id", fields[0], isHex64),
        field(type, "status", fields[1], isBoolean),
        text(type, fields[2]),
      ];
    case "EOSE":
      shaped(1);
      return ["EOSE", subscriptionId(type, fields[0])];
    case "CLOSED":
      shaped(2);
      return ["CLOSED", subscriptionId(type, fields[0]), text(type, fields[1])];
    case "NOTICE":
      shaped(1);
      return ["NOTICE", text(type, fields[0])];
    case "AUTH":
      shaped(1);
      return ["AUTH", field(type, "challenge", fields[0], isString)];
    case "COUNT": {
      shaped(2);
      const { count } = field(type, "result", fields[1], isObject);
      return ["COUNT", subscriptionId(type, fields[0]), { count: field(type, "count", count, isCount) }];
    }
    default:
      throw new InvalidRelayMessageError("an unknown message type");
  }
}

/** An event's seven NIP-01 fields, each of the right type; nothing else is kept. */
function checkEvent(value: unknown): NostrEvent {
  const event = field("EVENT", "event", value, isObject);
  return {
    id: field("EVENT", "id", event.id, isHex64),
    pubkey: field("EVENT", "pubkey", event.pubkey, isHex64),
    sig: field("EVENT", "sig", event.sig, isHex128),
    kind: field("EVENT", "kind", event.kind, isCount),
    created_at: field("EVENT", "created_at", event.created_at, isCount),
    tags: field("EVENT", "tags", event.tags, isTags),
    content: field("EVENT", "content", event.content, isString),
  };
}

/** A field checked by a type guard; its name, never its value, goes into the error. */
function field<T>(type: string, name: string, value: unknown, check: (value: unknown) => value is T): T {
  if (!check(value)) throw new InvalidRelayMessageError(`${type} with a malformed ${name}`);
  return value;
}

function subscriptionId(type: string, value: unknown): string {
  return field(type, "subscription id", value, isSubscriptionId);
}

function text(type: string, value: unknown): string {
  return field(type, "message", value, isString);
}

function isSubscriptionId(value: unknown): value is string {
  return typeof value === "string" && SUBSCRIPTION_ID.test(value);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

function isHex64(value: unknown): value is string {
  return typeof value === "string" && HEX64.test(value);
}

function isHex128(value: unknown): value is string {
  return typeof value === "string" && HEX128.test(value);
}

/** A whole number from 0: a kind, a timestamp, a count. */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTags(value: unknown): value is string[][] {
  return Array.isArray(value) && value.every((tag) => Array.isArray(tag) && tag.every(isString));
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (data instanceof Blob) return data.size;
  return ArrayBuffer.isView(data) ? data.byteLength : 0;
}
