import type { FloatArray } from './types.ts';

/**
 * Writes the history term z = (Σ_j w_j · historyFactors[items[j]]) / max(Σ_j w_j, 1)^0.5 of the
 * history entries start .. end-1 into `out` (length ≥ dim) and returns the normaliser
 * max(Σ_j w_j, 1)^-0.5, which the chain rule ∂z/∂y_j = w_j · norm needs.
 */
export function userHistoryVector(
  historyFactors: Readonly<FloatArray>,
  dim: number,
  items: Readonly<Int32Array>,
  weights: Readonly<Float32Array> | Readonly<Float64Array>,
  start: number,
  end: number,
  out: FloatArray,
): number {
  out.fill(0, 0, dim);
  let weightSum = 0;
  // Row by row: each history row of y is read once, contiguously.
  for (let r = start; r < end; r++) {
    const w = weights[r];
    const offset = items[r] * dim;
    weightSum += w;
    for (let f = 0; f < dim; f++) out[f] += w * historyFactors[offset + f];
  }
  const norm = 1 / Math.sqrt(Math.max(weightSum, 1));
  for (let f = 0; f < dim; f++) out[f] *= norm;
  return norm;
}
