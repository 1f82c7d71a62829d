/**
 * How likely an owner is to approve a proposal: how much the two skills agree on what they are about (their heads),
 * what they say (their texts) and what they mean (their embeddings), each 0–1, averaged.
 *
 * Not fitted to any library: a logistic model fitted on one library's judged proposals ranked the other library's
 * worse than chance (area under the curve 0.41 and 0.48, `bench/lolo.ts`), while this plain mean ranks both alike
 * (0.73 on the dev corpus, 0.72 on registry-a: the share of SAME/other pairs it orders rightly).
 *
 * @module
 */

/**
 * Below this likelihood a pair is not proposed, only reported as related. Chosen on the dev corpus's judged proposals
 * and checked on registry-a's (`bench/lolo.ts --defaults`): at 0.55 the judged proposals are 61% SAME on the dev corpus
 * and 68% on registry-a (54% and 54% without a floor), and registry-a's queue holds 118 decisions instead of 206.
 */
export const MIN_LIKELIHOOD = 0.55;

/** What the decision measured of a pair it proposes, each 0–1. */
export interface PairAgreement {
  /** How much their names, titles and descriptions agree. */
  head: number;
  /** How much their texts agree, rarity-weighted. */
  text: number;
  /** How close their meanings are (embedding cosine), 0 when unknown. */
  meaning: number;
}

/**
 * The likelihood an owner approves a proposed pair, 0–1.
 *
 * @example
 * ```ts
 * import { approvalLikelihood } from "./approval.ts";
 * approvalLikelihood({ head: 0.9, text: 0.3, meaning: 0.9 }); // 0.7
 * ```
 *
 * @param agreement What was measured of the pair.
 * @returns The mean of its head, text and meaning agreement, clamped to 0–1.
 */
export function approvalLikelihood(agreement: PairAgreement): number {
  const mean = (agreement.head + agreement.text + Math.max(0, agreement.meaning)) / 3;
  return Math.min(1, Math.max(0, mean));
}
