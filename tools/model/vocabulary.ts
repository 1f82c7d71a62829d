/**
 * The WordPiece vocabulary and the Hugging Face tokenizer files of the
 * embedded model.
 *
 * The tokenizer lower-cases, splits at white space and punctuation (BERT's
 * pre-tokenizer), and splits each word greedily into the longest pieces in the
 * vocabulary. Besides frequent whole words the vocabulary holds every
 * frequent character and frequent word pieces (`kube`, `##ctl`), so a product
 * name never seen in training still becomes pieces with vectors rather than
 * `[UNK]`. Chinese and other unspaced scripts split into characters the same way.
 *
 * @module
 */

/** The special tokens, in id order. */
export const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

const PUNCTUATION = "\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E";
const WORDS = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, "gu");

/**
 * Splits text as the tokenizer's normalizer and pre-tokenizer do, for counting
 * words (the same expression transformers.js's `BertPreTokenizer` uses).
 *
 * @param text Any text.
 * @returns Lower-cased words and punctuation marks.
 */
export function preTokenize(text: string): string[] {
  return text.toLowerCase().match(WORDS) ?? [];
}

/** Limits of the vocabulary. */
export interface VocabularyOptions {
  /** Whole words kept, most frequent first. */
  maxWords: number;
  /** A word must occur this often to be kept whole. */
  minWordCount: number;
  /** Word pieces kept for words not kept whole. */
  maxPieces: number;
  /** A character must occur this often to be kept. */
  minCharCount: number;
}

const DEFAULTS: VocabularyOptions = { maxWords: 40_000, minWordCount: 3, maxPieces: 8_000, minCharCount: 10 };

/**
 * Builds the vocabulary from pre-tokenized documents. Deterministic: ties are
 * broken by the token's text.
 *
 * @param documents Each document's words.
 * @param options Sizes and thresholds.
 * @returns The tokens in id order.
 */
export function buildVocabulary(documents: string[][], options: Partial<VocabularyOptions> = {}): string[] {
  const { maxWords, minWordCount, maxPieces, minCharCount } = { ...DEFAULTS, ...options };
  const words = new Map<string, number>();
  for (const document of documents) for (const word of document) words.set(word, (words.get(word) ?? 0) + 1);
  const chars = new Map<string, number>();
  for (const [word, count] of words) for (const char of word) chars.set(char, (chars.get(char) ?? 0) + count);

  const vocabulary: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocabulary);
  const add = (token: string) => {
    if (seen.has(token)) return;
    seen.add(token);
    vocabulary.push(token);
  };
  for (const [char] of ranked(chars).filter(([, count]) => count >= minCharCount)) {
    add(char);
    add(`##${char}`);
  }
  const kept = ranked(words).filter(([word, count]) => count >= minWordCount && [...word].length <= 40).slice(
    0,
    maxWords,
  );
  for (const [word] of kept) add(word);

  const pieces = new Map<string, number>();
  for (const [word, count] of words) {
    if (seen.has(word) || count < 2) continue;
    const letters = [...word];
    for (let length = 2; length <= Math.min(6, letters.length - 1); length++) {
      const prefix = letters.slice(0, length).join("");
      pieces.set(prefix, (pieces.get(prefix) ?? 0) + count);
    }
    for (let start = 1; start < letters.length - 1; start++) {
      for (let length = 2; length <= 6 && start + length <= letters.length; length++) {
        const piece = `##${letters.slice(start, start + length).join("")}`;
        pieces.set(piece, (pieces.get(piece) ?? 0) + count);
      }
    }
  }
  for (const [piece] of ranked(pieces).filter(([piece]) => !seen.has(piece)).slice(0, maxPieces)) add(piece);
  return vocabulary;
}

function ranked(counts: Map<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The tokenizer and model files transformers.js reads.
 *
 * @param vocabulary The tokens in id order.
 * @param dims The embedding width.
 * @returns File name → JSON content.
 */
export function tokenizerFiles(vocabulary: readonly string[], dims: number): Record<string, unknown> {
  const vocab = Object.fromEntries(vocabulary.map((token, id) => [token, id]));
  const special = (token: string) => ({ id: token, ids: [vocab[token]], tokens: [token] });
  return {
    "config.json": {
      model_type: "bert",
      architectures: ["StaticEmbedding"],
      hidden_size: dims,
      vocab_size: vocabulary.length,
      max_position_embeddings: 512,
    },
    "tokenizer_config.json": {
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 256,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    },
    "tokenizer.json": {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: SPECIAL_TOKENS.map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: { type: "Lowercase" },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
          { Sequence: { id: "B", type_id: 1 } },
          { SpecialToken: { id: "[SEP]", type_id: 1 } },
        ],
        special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 200,
        vocab,
      },
    },
  };
}
