/**
 * The secret guard: the one place that knows what a secret looks like, and
 * the check everything that leaves the machine passes (commits, pushes, Nostr
 * events, API answers, logs; ClawHub uploads later).
 *
 * Two kinds of secret are told apart:
 *
 * - **The configured secrets** (`Config.secrets`: the agent's key in each form
 *   it may be written in, and the tokens): text holding one is refused, or
 *   scrubbed where it is only printed. Keys are matched whatever their case:
 *   hex and bech32 both decode the same in upper case. Where text is refused,
 *   a secret is also looked for as people store it by accident: base64 (a
 *   Kubernetes secret, `base64`'s wrapped output) and UTF-16 (PowerShell's
 *   `>`, Windows editors).
 * - **Anything shaped like a private key** (`nsec1…`, 64 hex digits): refused
 *   only where a person types a value that becomes public (configuration);
 *   elsewhere it is counted, since skills that teach Nostr carry example keys
 *   and hashes look the same.
 *
 * @module
 */

import { REDACTED, type Secret } from "./secret.ts";

/** Anything shaped like a bech32 Nostr private key (`nsec1…`), in either case (bech32 is all-lower or all-upper). */
export const NSEC_SHAPE: RegExp = /nsec1[02-9ac-hj-np-z]{20,}/gi;

/** 64 hex digits: what a raw private key looks like (and a SHA-256 hash too). */
export const HEX_KEY_SHAPE: RegExp = /[0-9a-f]{64}/gi;

/**
 * Whether a text holds something shaped like a private key: an `nsec1…` or 64 hex digits.
 *
 * @param text Any text.
 * @returns `true` when it does.
 *
 * @example
 * ```ts
 * import { looksLikePrivateKey } from "./secret_guard.ts";
 * console.assert(looksLikePrivateKey(`name ${"ab".repeat(32)}`));
 * console.assert(!looksLikePrivateKey("Skill Keeper"));
 * ```
 */
export function looksLikePrivateKey(text: string): boolean {
  return text.search(NSEC_SHAPE) >= 0 || text.search(HEX_KEY_SHAPE) >= 0;
}

/**
 * Replaces anything shaped like a private key with `[redacted]`: for messages that quote what a person typed, which
 * may be a key pasted into the wrong place.
 *
 * @param text Any text.
 * @returns The text without key-shaped parts.
 *
 * @example
 * ```ts
 * import { redactKeyShapes } from "./secret_guard.ts";
 * console.assert(redactKeyShapes(`"../${"ab".repeat(32)}"`) === '"../[redacted]"');
 * ```
 */
export function redactKeyShapes(text: string): string {
  return text.replace(NSEC_SHAPE, REDACTED).replace(HEX_KEY_SHAPE, REDACTED);
}

/**
 * Whether a text, or bytes read as UTF-8, hold one of the given secrets, in any case.
 *
 * @param content Any text or bytes.
 * @param secrets The secrets to look for.
 * @returns `true` when one of them appears.
 *
 * @example
 * ```ts
 * import { containsSecret } from "./secret_guard.ts";
 * import { Secret } from "./secret.ts";
 * console.assert(containsSecret("key=ABC1", [new Secret("abc1")]));
 * console.assert(!containsSecret(new TextEncoder().encode("nsec1 example"), [new Secret("abc1")]));
 * ```
 */
export function containsSecret(content: string | Uint8Array, secrets: readonly Secret[]): boolean {
  const scanner = new SecretScanner(secrets);
  scanner.write(content);
  return scanner.found;
}

/**
 * Replaces every configured secret (in any case), and anything shaped like an `nsec`, with `[redacted]`: for text
 * that is printed (logs, API answers, reports) rather than refused.
 *
 * @param text Any text about to leave the process.
 * @param secrets The secrets to remove.
 * @returns The text without them.
 *
 * @example
 * ```ts
 * import { scrubSecrets } from "./secret_guard.ts";
 * import { Secret } from "./secret.ts";
 * console.assert(scrubSecrets("key=ABC1", [new Secret("abc1")]) === "key=[redacted]");
 * ```
 */
export function scrubSecrets(text: string, secrets: readonly Secret[]): string {
  let scrubbed = text.replace(NSEC_SHAPE, REDACTED);
  for (const form of lowerForms(secrets)) {
    scrubbed = scrubbed.replace(new RegExp(RegExp.escape(form), "gi"), REDACTED);
  }
  return scrubbed;
}

/** Text or bytes about to leave the machine hold a configured secret: they were not sent. */
export class SecretLeakError extends Error {
  override name = "SecretLeakError";
  /** What holds the secret (a plural noun phrase: "the changes", "its content and tags"). */
  readonly where: string;

  /**
   * @param action What was refused ("commit", "push to origin/main", "sign skill todoist 1.3.0").
   * @param where What holds the secret, as a plural noun phrase.
   * @param fix What a person does about it.
   */
  constructor(action: string, where: string, fix: string) {
    super(
      `Refusing to ${action}: ${where} contain the agent's Nostr private key (NOSTR_NSEC) or another secret; ${fix}`,
    );
    this.where = where;
  }
}

/** What {@linkcode assertNoSecret} refuses, and what to do about it. */
export interface Refusal {
  /** What is refused ("upload skills/todoist to ClawHub"). */
  action: string;
  /** What a person does about it; says that nothing left. */
  fix: string;
}

/**
 * Refuses text or bytes that hold a configured secret: the check anything about to leave the machine passes.
 *
 * @param where What the content is, as a plural noun phrase ("the files of skills/todoist"); never the content.
 * @param content The text or bytes.
 * @param secrets The configured secrets.
 * @param refusal What is refused, and the fix, for the message.
 * @throws {SecretLeakError} When the content holds one of the secrets; the message never quotes it.
 *
 * @example
 * ```ts
 * import { assertNoSecret, SecretLeakError } from "./secret_guard.ts";
 * import { Secret } from "./secret.ts";
 * const refusal = { action: "upload skills/todoist", fix: "remove the key from the skill; nothing was uploaded" };
 * assertNoSecret("the files of skills/todoist", "# Todoist", [new Secret("abc1")], refusal);
 * try {
 *   assertNoSecret("the files of skills/todoist", "key ABC1", [new Secret("abc1")], refusal);
 * } catch (error) {
 *   console.assert(error instanceof SecretLeakError && !error.message.includes("abc1"));
 * }
 * ```
 */
export function assertNoSecret(
  where: string,
  content: string | Uint8Array,
  secrets: readonly Secret[],
  refusal: Refusal,
): void {
  if (containsSecret(content, secrets)) throw new SecretLeakError(refusal.action, where, refusal.fix);
}

/**
 * Looks for the configured secrets in a stream read piece by piece (git's output for a whole history, say), holding
 * only the last few characters between pieces: a secret split across two pieces is found, and memory stays bounded
 * whatever the stream's length.
 *
 * @example
 * ```ts
 * import { SecretScanner } from "./secret_guard.ts";
 * import { Secret } from "./secret.ts";
 * const scanner = new SecretScanner([new Secret("abc123")]);
 * scanner.write("… ab");
 * scanner.write(new TextEncoder().encode("C123 …"));
 * console.assert(scanner.found);
 * ```
 */
export class SecretScanner {
  readonly #forms: readonly string[];
  /** How many characters of one piece a secret may continue into the next. */
  readonly #overlap: number;
  readonly #decoder = new TextDecoder();
  #tail = "";
  #found = false;

  /** @param secrets The secrets to look for, as they are and as {@linkcode encodedForms} stores them. */
  constructor(secrets: readonly Secret[]) {
    const encoded = secrets.flatMap((secret) => encodedForms(secret.reveal()));
    this.#forms = [...new Set([...lowerForms(secrets), ...encoded])];
    this.#overlap = this.#forms.reduce((most, form) => Math.max(most, form.length - 1), 0);
  }

  /** Whether a secret was found in what was written so far. */
  get found(): boolean {
    return this.#found;
  }

  /**
   * Reads the next piece of the stream. A line break ends any secret: writing one keeps pieces that are not
   * contiguous (lines left out) from joining into a false match.
   *
   * @param piece Text, or bytes read as UTF-8 (a character split between two pieces is joined).
   * @returns Whether a secret was found so far.
   */
  write(piece: string | Uint8Array): boolean {
    if (this.#found || this.#forms.length === 0) return this.#found;
    const text = typeof piece === "string" ? piece : this.#decoder.decode(piece, { stream: true });
    const window = this.#tail + text.toLowerCase();
    this.#found = this.#forms.some((form) => window.includes(form));
    this.#tail = window.slice(Math.max(0, window.length - this.#overlap));
    return this.#found;
  }
}

/** The non-empty secrets, lower-cased: the keys' encodings are case-insensitive, and a token matched so loses nothing. */
function lowerForms(secrets: readonly Secret[]): string[] {
  return [...new Set(secrets.map((secret) => secret.reveal().toLowerCase()).filter((form) => form !== ""))];
}

/** The shortest secret whose encodings are looked for: a shorter one's base64 is a few characters, found anywhere. */
const MIN_ENCODED_LENGTH = 16;

/**
 * How many characters of a secret's base64 are looked for: 30 of its bytes (half a key), so that an encoding wrapped
 * at 64 or 76 columns, as `base64` and PEM wrap, is found on its first line.
 */
const BASE64_PREFIX = 40;

/**
 * A secret as it is stored by accident, lower-cased as the scanner compares: in base64, standard and URL-safe, at each
 * of the three alignments it can start at in what was encoded (the characters that also depend on the bytes around it
 * left out), its first {@linkcode BASE64_PREFIX} characters; and in UTF-16, either byte order, read as UTF-8 (each
 * character beside a NUL). Only for a secret of {@linkcode MIN_ENCODED_LENGTH} characters or more; these forms are
 * looked for where text is refused, not scrubbed from what is printed (every log line would pay for them).
 *
 * The base64 is of the secret as given (the key's upper-case hex is a form of its own): base64 is case-sensitive, but
 * 40 of its characters lower-cased still match nothing else.
 */
function encodedForms(secret: string): string[] {
  if (secret.length < MIN_ENCODED_LENGTH) return [];
  const bytes = new TextEncoder().encode(secret);
  const forms = [[...secret.toLowerCase()].join("\0")];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = new Uint8Array(offset + bytes.length);
    shifted.set(bytes, offset);
    // Each base64 character holds 6 bits: those wholly inside the secret's bits.
    const start = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    for (const alphabet of ["base64", "base64url"] as const) {
      const encoded = shifted.toBase64({ alphabet }).slice(start, Math.min(end, start + BASE64_PREFIX));
      forms.push(encoded.toLowerCase());
    }
  }
  return forms;
}
