/**
 * Ranking metrics and the labelled pairs, for the evaluation scripts.
 *
 * @module
 */

/** A labelled pair from `shared/bench/*.tsv`. */
export interface LabelledPair {
  /** 1: must end up merged; 0: must stay apart. */
  label: 0 | 1;
  /** Paths relative to the corpus root. */
  a: string;
  b: string;
  /** `exact`, `near`, `same-name`, `family` or `random`. */
  kind: string;
}

/**
 * Reads a pairs file: `label<TAB>path_a<TAB>path_b<TAB>kind` per line.
 *
 * @param path The TSV file.
 * @returns The pairs, duplicates removed.
 */
export function readPairs(path: string): LabelledPair[] {
  const seen = new Set<string>();
  const pairs: LabelledPair[] = [];
  for (const line of Deno.readTextFileSync(path).split("\n")) {
    const [label, a, b, kind] = line.trim().split("\t");
    if (!a || !b || !kind || (label !== "0" && label !== "1")) continue;
    const key = [a, b].sort().join("\t");
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ label: label === "1" ? 1 : 0, a, b, kind });
  }
  return pairs;
}

/**
 * The area under the ROC curve: the chance a random positive scores above a
 * random negative (ties count half).
 *
 * @param positives Scores of positives.
 * @param negatives Scores of negatives.
 * @returns AUC in [0, 1].
 */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [
    ...positives.map((score) => ({ score, positive: true })),
    ...negatives.map((score) => ({ score, positive: false })),
  ]
    .sort((x, y) => x.score - y.score);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.score === all[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.positive) rankSum += averageRank;
    i = j;
  }
  const p = positives.length;
  const n = negatives.length;
  return p === 0 || n === 0 ? Number.NaN : (rankSum - (p * (p + 1)) / 2) / (p * n);
}

/**
 * The best recall at a threshold whose precision is at least `minPrecision`
 * (the threshold chosen on these very pairs: an upper bound).
 *
 * @param positives Scores of positives.
 * @param negatives Scores of negatives.
 * @param minPrecision E.g. 0.99.
 * @returns Recall and the threshold that gives it.
 */
export function recallAtPrecision(
  positives: readonly number[],
  negatives: readonly number[],
  minPrecision: number,
): { recall: number; threshold: number } {
  const thresholds = [...new Set([...positives, ...negatives])].sort((x, y) => y - x);
  let best = { recall: 0, threshold: Number.POSITIVE_INFINITY };
  for (const threshold of thresholds) {
    const tp = positives.filter((score) => score >= threshold).length;
    const fp = negatives.filter((score) => score >= threshold).length;
    if (tp + fp > 0 && tp / (tp + fp) >= minPrecision && tp / positives.length > best.recall) {
      best = { recall: tp / positives.length, threshold };
    }
  }
  return best;
}

/**
 * Cosine similarity of two L2-normalised vectors.
 *
 * @param a A vector.
 * @param b Another of the same width.
 * @returns The dot product.
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
