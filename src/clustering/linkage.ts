/**
 * Average-linkage agglomeration: the rule that keeps clusters from chaining.
 *
 * Two groups join only when the *average* link between their members reaches
 * the threshold, so a cluster is never held together by a path of pairwise
 * links alone (A~B~C…~Z): Z and A, linked to nothing in each other's group,
 * pull the average down. Ties are broken by the members' indices, so the
 * result does not depend on the input order beyond the sort the caller makes.
 *
 * @module
 */

import { runAtOnce } from "../time_slice.ts";

/**
 * Groups items by average linkage.
 *
 * @param items Item indices, sorted.
 * @param link The link strength of two items, 0–1 (symmetric); `-Infinity` keeps two items in separate groups.
 * @param threshold The least average link at which two groups join.
 * @returns The groups of two or more, each sorted, in order of their first member.
 */
export function averageLinkage(
  items: readonly number[],
  link: (a: number, b: number) => number,
  threshold: number,
): number[][] {
  return runAtOnce(averageLinkageSteps(items, link, threshold));
}

/**
 * {@linkcode averageLinkage} in steps (a row of the link matrix, or one join), so that a caller can give the event
 * loop turns between them: a component of 1,500 items is millions of links.
 *
 * @param items Item indices, sorted.
 * @param link The link strength of two items (see {@linkcode averageLinkage}).
 * @param threshold The least average link at which two groups join.
 * @returns The steps, then the groups of two or more.
 */
export function* averageLinkageSteps(
  items: readonly number[],
  link: (a: number, b: number) => number,
  threshold: number,
): Generator<void, number[][]> {
  const k = items.length;
  // A group is known by its first item's position. `sum` holds the total link between two groups: joining h into g
  // adds h's totals to g's, so no pair of items is summed again (scanning every pair of groups at every join made
  // this cubic in the component's size).
  const sum = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) sum[i * k + j] = sum[j * k + i] = link(items[i]!, items[j]!);
    yield;
  }
  const members = items.map((_, i) => [i]);
  const alive = new Uint8Array(k).fill(1);
  const average = (g: number, h: number) => sum[g * k + h]! / (members[g]!.length * members[h]!.length);
  // Each group's strongest partner among the groups after it: the first of the strongest, as a scan in order finds.
  const partner = new Int32Array(k).fill(-1);
  const strongest = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  const refresh = (g: number) => {
    partner[g] = -1;
    strongest[g] = Number.NEGATIVE_INFINITY;
    for (let h = g + 1; h < k; h++) {
      if (!alive[h]) continue;
      const value = average(g, h);
      if (partner[g] < 0 || value > strongest[g]!) {
        partner[g] = h;
        strongest[g] = value;
      }
    }
  };
  for (let g = 0; g < k; g++) refresh(g);
  for (;; yield) {
    let g = -1;
    for (let x = 0; x < k; x++) {
      if (alive[x] && partner[x]! >= 0 && (g < 0 || strongest[x]! > strongest[g]!)) g = x;
    }
    if (g < 0 || !(strongest[g]! >= threshold)) break;
    const h = partner[g]!;
    for (let x = 0; x < k; x++) {
      if (!alive[x] || x === g || x === h) continue;
      sum[g * k + x] = sum[x * k + g] = sum[g * k + x]! + sum[h * k + x]!;
    }
    alive[h] = 0;
    members[g] = [...members[g]!, ...members[h]!].sort((x, y) => x - y);
    refresh(g);
    // Only the groups before g see g among their partners; those whose partner was g or h look again.
    for (let x = 0; x < h; x++) {
      if (!alive[x] || x === g) continue;
      if (partner[x] === g || partner[x] === h) refresh(x);
      else if (x < g && (average(x, g) > strongest[x]! || (average(x, g) === strongest[x]! && g < partner[x]!))) {
        partner[x] = g;
        strongest[x] = average(x, g);
      }
    }
  }
  const groups: number[][] = [];
  for (let g = 0; g < k; g++) if (alive[g] && members[g]!.length > 1) groups.push(members[g]!.map((i) => items[i]!));
  return groups;
}
