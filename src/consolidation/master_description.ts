/**
 * A master's description: what an agent picks the skill by, so it covers
 * every member's job and, above all, every member's triggers ("Use when …",
 * "Triggers: …"), within the AgentSkills limit of 1,024 characters.
 *
 * The base's description comes first, then each sentence of the others that
 * says something new. When all of it does not fit, what is dropped first is
 * what an agent does not pick a skill by: the others' sentences are cut to
 * their new phrases (the triggers before the rest), then the base's own
 * sentences after its first that are no triggers. Only when even that does
 * not fit is the text cut, at a word, with "…".
 *
 * @module
 */

/** The AgentSkills limit of a description. */
export const MAX_DESCRIPTION = 1024;

/** From this share of its words already said, a sentence of another member says nothing new. */
const KNOWN_SHARE = 0.95;

/**
 * A master's description from its members'.
 *
 * @param descriptions The members' descriptions, the base's first.
 * @returns One line of at most {@linkcode MAX_DESCRIPTION} characters; empty when no member has one.
 *
 * @example
 * ```ts
 * import { masterDescription } from "./master_description.ts";
 * const text = masterDescription(["Track tasks. Use when the user asks for a todo list.", "Use when planning a sprint."]);
 * console.assert(text === "Track tasks. Use when the user asks for a todo list. Use when planning a sprint.");
 * ```
 */
export function masterDescription(descriptions: readonly string[]): string {
  const [base = [], ...others] = descriptions.map((text) => sentencesOf(oneLine(text))).filter((s) => s.length > 0);
  // What each other member adds: its sentences that say something new, each with its phrases ranked by how new they
  // are: new words first, then new combinations of known words (a quoted trigger such as "create backend plugin"
  // beside "create frontend plugin" and "backend plugins").
  const said = wordsOf(base.join(" "));
  let sequence = ` ${[...wordSequence(base.join(" "))].join(" ")} `;
  const added: Added[] = [];
  for (const sentence of others.flat()) {
    const words = [...wordsOf(sentence)];
    if (words.length === 0 || words.filter((word) => said.has(word)).length >= KNOWN_SHARE * words.length) continue;
    const phrases = phrasesOf(sentence).map((text): Added["phrases"][number] => {
      const words = [...wordsOf(text)];
      const fresh = words.filter((word) => !said.has(word)).length >= NEW_PHRASE_SHARE * words.length;
      return { text, rank: fresh ? 1 : sequence.includes(` ${wordSequence(text).join(" ")} `) ? 0 : 2 };
    });
    for (const word of words) said.add(word);
    sequence += `${wordSequence(sentence).join(" ")} `;
    added.push({ sentence, phrases, trigger: TRIGGER.test(sentence) });
  }
  const whole = join([...base, ...added.map(({ sentence }) => sentence)]);
  if (whole.length <= MAX_DESCRIPTION) return whole;
  // Too long: of the others' sentences only their new phrases, triggers first, the newest phrases first, each while
  // it fits; the base's sentences that are no triggers go first, from its last, while its first (what the skill is)
  // stays.
  const ordered = [...added.filter((entry) => entry.trigger), ...added.filter((entry) => !entry.trigger)];
  const chosen = new Map(ordered.map((entry) => [entry, new Set<number>()]));
  const textOf = (kept: readonly string[]) =>
    join([
      ...kept,
      ...ordered.map((entry) => render(entry, chosen.get(entry)!))
        .filter((part) => part !== ""),
    ]);
  for (const entry of ordered) {
    if (entry.trigger) entry.phrases.forEach((phrase, index) => phrase.rank === 1 && chosen.get(entry)!.add(index));
  }
  const kept = [...base];
  for (let index = kept.length - 1; index > 0 && textOf(kept).length > MAX_DESCRIPTION; index--) {
    if (!TRIGGER.test(kept[index]!)) kept.splice(index, 1);
  }
  for (const set of chosen.values()) set.clear();
  for (const rank of [1, 2]) {
    for (const entry of ordered) {
      entry.phrases.forEach((phrase, index) => {
        if (phrase.rank !== rank) return;
        chosen.get(entry)!.add(index);
        if (textOf(kept).length > MAX_DESCRIPTION) chosen.get(entry)!.delete(index);
      });
    }
  }
  const text = textOf(kept);
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1).replace(/\s+\S*$/, "")}…`;
}

/** A sentence of another member, with its phrases ranked: 1 has new words, 2 only a new combination, 0 neither. */
interface Added {
  sentence: string;
  phrases: Array<{ text: string; rank: 0 | 1 | 2 }>;
  trigger: boolean;
}

/** The chosen phrases of a sentence, in its order; a trigger sentence cut before its "Use when" says so again. */
function render(entry: Added, chosen: ReadonlySet<number>): string {
  const text = entry.phrases.filter((_, index) => chosen.has(index)).map((phrase) => phrase.text).join(", ");
  return text === "" || !entry.trigger || TRIGGER.test(text) ? text : `Also use for: ${text}`;
}

/** From this share of its words new, a phrase of a sentence cut to fit says something the description does not. */
const NEW_PHRASE_SHARE = 0.5;

/** A sentence that says when to use a skill: what an agent matches a request against. */
const TRIGGER =
  /\b(use (it |this( skill)? )?(when|for|if|whenever)|used (when|for)|trigger|invoke|activate|when (the )?user|keywords?)\b/i;

/** A description on one line: YAML keeps it as written, and no line break or control character is in it. */
function oneLine(text: string): string {
  return text.replace(/\p{Cc}+/gu, " ").replace(/\s+/g, " ").trim();
}

function sentencesOf(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=[.!?])\s+/).filter((sentence) => sentence !== "");
}

/** A sentence's phrases: split at commas and semicolons outside brackets and quotes. */
function phrasesOf(sentence: string): string[] {
  const phrases: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const body = sentence.replace(/[.!?]$/, "");
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (char === '"' || char === "“" || char === "”") quoted = !quoted;
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth = Math.max(0, depth - 1);
    else if ((char === "," || char === ";") && depth === 0 && !quoted) {
      phrases.push(body.slice(start, index).trim());
      start = index + 1;
    }
  }
  phrases.push(body.slice(start).trim());
  return phrases.filter((phrase) => phrase !== "");
}

/** Sentences joined, each but the last ending as a sentence does (the last as its member wrote it). */
function join(sentences: readonly string[]): string {
  return sentences.map((sentence, index) =>
    index === sentences.length - 1 || /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`
  ).join(" ");
}

function wordsOf(text: string): Set<string> {
  return new Set(wordSequence(text));
}

function wordSequence(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
