/**
 * Text from outside (file names, skill names, relay messages) made safe to
 * show: characters that would change how the text around them reads are
 * written as escapes.
 *
 * @module
 */

/**
 * Control characters (C0, DEL, C1: line breaks, ANSI escapes), line and
 * paragraph separators, and invisible format characters (bidirectional
 * overrides and isolates such as U+202E, zero-width characters).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * Escapes every character that is invisible or that moves, recolours or
 * reorders the text around it, as `\u{…}`.
 *
 * @param text Any text.
 * @returns The text, on one line, showing exactly what it holds.
 *
 * @example
 * ```ts
 * import { printable } from "./printable.ts";
 * console.assert(printable("evil\u202Egpj.md") === "evil\\u{202e}gpj.md");
 * console.assert(printable("a\nb") === "a\\u{a}b");
 * ```
 */
export function printable(text: string): string {
  return text.replace(HIDDEN, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}
