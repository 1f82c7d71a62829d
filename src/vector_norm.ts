/**
 * The Euclidean norm of a vector, computed as V8's `Math.hypot` computes it
 * (scaled by the largest magnitude, Kahan-summed), so results are the same to
 * the bit, but over a vector rather than spread arguments: `Math.hypot(...v)`
 * puts every element on the stack, and a long enough vector overflows it.
 *
 * @module
 */

/**
 * The vector's Euclidean norm, as `Math.hypot(...vector)` would give it.
 *
 * @param vector The components.
 * @returns `√(Σ vᵢ²)`: `Infinity` when a component is infinite, `NaN` when one is NaN (and none infinite), `0` for
 *   an empty or zero vector.
 *
 * @example
 * ```ts
 * import { euclideanNorm } from "./vector_norm.ts";
 * console.assert(euclideanNorm(new Float32Array([3, 4])) === 5);
 * console.assert(euclideanNorm([]) === 0);
 * ```
 */
export function euclideanNorm(vector: ArrayLike<number>): number {
  let max = 0;
  let nan = false;
  for (let i = 0; i < vector.length; i++) {
    const magnitude = Math.abs(vector[i]!);
    if (Number.isNaN(magnitude)) nan = true;
    else if (magnitude > max) max = magnitude;
  }
  if (max === Infinity) return Infinity;
  if (nan) return NaN;
  if (max === 0) return 0;
  // Scaled by the largest component so squares cannot overflow; compensated so rounding does not pile up.
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < vector.length; i++) {
    const scaled = Math.abs(vector[i]!) / max;
    const summand = scaled * scaled - compensation;
    const preliminary = sum + summand;
    compensation = (preliminary - sum) - summand;
    sum = preliminary;
  }
  return Math.sqrt(sum) * max;
}
