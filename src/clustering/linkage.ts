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
  const k = items.length;
  // Pairwise links, computed once (groups are components of candidate edges: small).
  const strength = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) strength[i * k + j] = strength[j * k + i] = link(items[i]!, items[j]!);
  }
  let groups = items.map((_, i) => [i]);
  for (;;) {
    let best = -1;
    let bestPair: [number, number] | undefined;
    for (let g = 0; g < groups.length; g++) {
      for (let h = g + 1; h < groups.length; h++) {
        let sum = 0;
        for (const i of groups[g]!) for (const j of groups[h]!) sum += strength[i * k + j]!;
        const average = sum / (groups[g]!.length * groups[h]!.length);
        if (average > best) {
          best = average;
          bestPair = [g, h];
        }
      }
    }
    if (!bestPair || best < threshold) break;
    const [g, h] = bestPair;
    const joined = [...groups[g]!, ...groups[h]!].sort((x, y) => x - y);
    groups = groups.filter((_, index) => index !== g && index !== h);
    groups.push(joined);
    groups.sort((x, y) => x[0]! - y[0]!);
  }
  return groups.filter((group) => group.length > 1).map((group) => group.map((i) => items[i]!));
}
