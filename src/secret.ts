/**
 * A value that must never be printed: configuration holds private keys in it.
 *
 * Every way JavaScript and Deno turn a value into text (`String()`, template
 * literals, `JSON.stringify`, `console.log`, `Deno.inspect`) yields
 * `[redacted]`; only {@linkcode Secret.prototype.reveal} returns the value,
 * so each place that really needs it is easy to find.
 *
 * @module
 */

/** The text that stands in for a secret wherever it would be printed. */
export const REDACTED = "[redacted]";

/**
 * Holds a secret string so that printing it shows {@linkcode REDACTED}.
 *
 * @example Printing a secret shows nothing of it
 * ```ts
 * import { Secret } from "./secret.ts";
 * const key = new Secret("nsec1…");
 * console.assert(`${key}` === "[redacted]");
 * console.assert(JSON.stringify({ key }) === '{"key":"[redacted]"}');
 * ```
 */
export class Secret {
  #value: string;

  /**
   * @param value The secret text.
   */
  constructor(value: string) {
    this.#value = value;
  }

  /**
   * Returns the secret itself. Call it only where the value is used, never to
   * print it.
   *
   * @returns The secret text.
   */
  reveal(): string {
    return this.#value;
  }

  /** @returns {@linkcode REDACTED} */
  toString(): string {
    return REDACTED;
  }

  /** @returns {@linkcode REDACTED} */
  toJSON(): string {
    return REDACTED;
  }

  /** @returns {@linkcode REDACTED} */
  [Symbol.for("Deno.customInspect")](): string {
    return REDACTED;
  }

  /** @returns {@linkcode REDACTED} */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}
