/**
 * Text a relay sent (a NOTICE, an `OK` or `CLOSED` reason, a message it got
 * wrong), made safe to log and to put in a report: a relay is untrusted, and
 * its text must neither drive a terminal (ANSI escapes, carriage returns,
 * bells), nor forge lines (newlines), nor flood a log (megabytes).
 *
 * @module
 */

import { printable } from "../printable.ts";

/** How many characters of a relay's text are kept, escapes included. */
export const MAX_RELAY_TEXT = 200;

/**
 * Escapes every control and invisible character of a relay's text (as
 * {@linkcode printable} does: `\u{1b}` for ESC, so an ANSI sequence shows as
 * text and does nothing) and cuts it to `max` characters, saying how many more
 * there were.
 *
 * @param text The relay's text, of any length.
 * @param max The most characters kept, escapes included.
 * @returns The text, on one line, safe to log and report.
 *
 * @example
 * ```ts
 * import { sanitiseRelayText } from "./relay_text.ts";
 * console.assert(sanitiseRelayText("\x1b[31mred\n") === "\\u{1b}[31mred\\u{a}");
 * console.assert(sanitiseRelayText("x".repeat(500), 10) === "xxxxxxxxxx… (490 more characters)");
 * ```
 */
export function sanitiseRelayText(text: string, max: number = MAX_RELAY_TEXT): string {
  let safe = "";
  let used = 0;
  // Character by character, and only as far as needed: a 9 MB text costs no more than a short one.
  for (const char of text) {
    const shown = printable(char);
    if (safe.length + shown.length > max) break;
    safe += shown;
    used += char.length;
  }
  return used < text.length ? `${safe}… (${text.length - used} more characters)` : safe;
}
