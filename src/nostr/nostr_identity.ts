/**
 * The agent's Nostr identity: the program's only reader of Nostr keys (the
 * private key and the public keys configuration names), and the one place the
 * private key signs, whoever asks (broadcasting, launching, a relay's AUTH
 * challenge): so the one place that refuses to sign an event holding the key.
 *
 * @module
 */

import { decode, nsecEncode } from "nostr-tools/nip19";
import { finalizeEvent, getPublicKey } from "nostr-tools/pure";
import { bytesToHex, hexToBytes } from "nostr-tools/utils";
import { Secret } from "../secret.ts";
import { assertNoSecret } from "../secret_guard.ts";
import type { EventTemplate, NostrEvent } from "./event.ts";

/** The agent's Nostr identity. */
export interface NostrIdentity {
  /** The private key, 64 hex digits. */
  readonly secretKey: Secret;
  /** The public key, 64 hex digits. */
  readonly publicKey: string;
  /**
   * Every secret no event it signs may hold: the key in each form it may be written in, and the tokens configuration
   * adds (a token is as private as the key, and whatever is signed is public).
   */
  readonly secrets: readonly Secret[];
}

/**
 * Signs event templates with the agent's key; a template whose content or tags hold the key or another of the
 * identity's secrets is refused, whoever built it (a skill, the profile, the launch post, a relay's AUTH challenge).
 *
 * @param identity The agent's identity.
 * @returns The signing function: the template with its id, public key and signature.
 * @throws {import("../secret_guard.ts").SecretLeakError} From the signing function, when the template holds the key.
 */
export function signer(identity: NostrIdentity): (template: EventTemplate) => NostrEvent {
  return (template) => {
    assertEventHoldsNoKey(identity, template, `sign an event of kind ${template.kind}`);
    return finalizeEvent(template, hexToBytes(identity.secretKey.reveal()));
  };
}

/**
 * Refuses an event whose content or tags hold the agent's private key, in any of its forms and cases, or another of
 * the identity's secrets (the tokens): whatever is signed is public. Checked before signing, and again before an
 * event signed earlier (by an older version) is sent.
 *
 * @param identity The agent's identity.
 * @param event The event's content and tags.
 * @param action What is refused, for the message ("sign skill todoist 1.3.0").
 * @throws {import("../secret_guard.ts").SecretLeakError} When they hold a secret; the message never quotes it.
 *
 * @example
 * ```ts
 * import { assertEventHoldsNoKey, parseSecretKey } from "./nostr_identity.ts";
 * const identity = parseSecretKey("7f".repeat(32), [])!;
 * assertEventHoldsNoKey(identity, { content: "hello", tags: [["t", "skills"]] }, "sign a note");
 * ```
 */
export function assertEventHoldsNoKey(
  identity: NostrIdentity,
  event: Pick<EventTemplate, "content" | "tags">,
  action: string,
): void {
  assertNoSecret(
    "its content and tags",
    JSON.stringify([event.content, event.tags]),
    identity.secrets,
    { action, fix: "nothing was signed or sent: take the key out of what the event is made from" },
  );
}

/**
 * A public key, npub1… or 64 hex digits, as hex. A private key given by
 * mistake (an nsec, or the agent's own key in hex) is refused: public keys go
 * into relay queries. No message echoes the value.
 *
 * @param where The setting, for messages.
 * @param text The key as given.
 * @param own The agent's identity, whose private key is refused here.
 * @param problems Where a problem is reported.
 * @returns The key as hex, or nothing when it is not a public key.
 */
export function parsePublicKey(
  where: string,
  text: string,
  own: NostrIdentity | undefined,
  problems: string[],
): string | undefined {
  const privateKey = `${where} is a private key: give public keys only (npub1… or hex)`;
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    if (own !== undefined && text.toLowerCase() === own.secretKey.reveal()) problems.push(privateKey);
    else return text.toLowerCase();
    return undefined;
  }
  if (/^nsec1/i.test(text)) {
    problems.push(privateKey);
    return undefined;
  }
  try {
    const decoded = decode(text);
    if (decoded.type === "npub") return decoded.data;
  } catch {
    // Reported below.
  }
  problems.push(`${where} is not a public key: expected npub1… or 64 hex digits`);
  return undefined;
}

/**
 * The agent's identity from `NOSTR_NSEC`, nsec1… or 64 hex digits, its secrets the key's forms. No message echoes the
 * value.
 *
 * @param text The key as given.
 * @param problems Where a problem is reported.
 * @returns The identity, or nothing when the key is invalid.
 */
export function parseSecretKey(text: string, problems: string[]): NostrIdentity | undefined {
  const invalid = "NOSTR_NSEC is not a valid private key: expected nsec1… (bech32) or 64 hex digits";
  try {
    let bytes: Uint8Array;
    if (/^[0-9a-fA-F]{64}$/.test(text)) {
      bytes = hexToBytes(text.toLowerCase());
    } else if (text.startsWith("nsec1")) {
      const decoded = decode(text);
      if (decoded.type !== "nsec") throw new Error("not an nsec");
      bytes = decoded.data;
    } else {
      problems.push(invalid);
      return undefined;
    }
    const secretKey = new Secret(bytesToHex(bytes));
    return { secretKey, publicKey: getPublicKey(bytes), secrets: secretForms(text, secretKey) };
  } catch {
    // The decoder's message may quote the key: say only that it is invalid.
    problems.push(invalid);
    return undefined;
  }
}

/**
 * Every form the private key may be written in, to scrub from whatever leaves the program.
 *
 * @param given The key as given.
 * @param hex The key as hex.
 * @returns The forms, as secrets.
 */
export function secretForms(given: string, hex: Secret): Secret[] {
  const forms = new Set([given, hex.reveal(), hex.reveal().toUpperCase(), nsecEncode(hexToBytes(hex.reveal()))]);
  return [...forms].map((form) => new Secret(form));
}
