/**
 * A TF-IDF baseline: sublinear term frequency times inverse document
 * frequency fitted on the whole library, L2-normalised, compared by cosine.
 *
 * @module
 */

const WORD = /[\p{L}\p{N}]+/gu;

/** Sparse TF-IDF vectors for a library of texts. */
export class TfIdf {
  #idf = new Map<string, number>();

  /**
   * @param library Every text of the library, to fit the IDF on.
   */
  constructor(library: readonly string[]) {
    const df = new Map<string, number>();
    for (const text of library) for (const term of new Set(terms(text))) df.set(term, (df.get(term) ?? 0) + 1);
    for (const [term, count] of df) this.#idf.set(term, Math.log((library.length + 1) / (count + 1)) + 1);
  }

  /**
   * @param text A text.
   * @returns Its normalised sparse vector.
   */
  vector(text: string): Map<string, number> {
    const tf = new Map<string, number>();
    for (const term of terms(text)) tf.set(term, (tf.get(term) ?? 0) + 1);
    const vector = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of tf) {
      const weight = (1 + Math.log(count)) * (this.#idf.get(term) ?? Math.log(this.#idf.size + 1) + 1);
      vector.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, weight] of vector) vector.set(term, weight / norm);
    return vector;
  }
}

/**
 * Cosine of two normalised sparse vectors.
 *
 * @param a A vector.
 * @param b Another.
 * @returns Their dot product.
 */
export function sparseCosine(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, weight] of small) sum += weight * (large.get(term) ?? 0);
  return sum;
}

function terms(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
