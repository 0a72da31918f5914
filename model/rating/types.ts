import type { RatingHead } from '../types/scoringModel.ts';

/** Storage of the rating kernels: float32 in training, float64 where a test checks gradients. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Every parameter of the SVD++-style rating model, flat and row-major (`offset = index * dim`):
 *
 *   r̂(u, i) = globalMean + userBias[u] + itemBias[i] + q_i · (p_u + z_u)
 *   z_u     = (Σ_{j∈N(u)} w_j y_j) / max(Σ_j w_j, 1)^0.5
 *
 * with q = itemFactors, p = userFactors, y = historyFactors and N(u) the user's history.
 */
export interface RatingParameters<A extends FloatArray = Float32Array> {
  readonly dim: number;
  readonly globalMean: number;
  /** userCount */
  readonly userBias: A;
  /** itemCount */
  readonly itemBias: A;
  /** userCount × dim */
  readonly userFactors: A;
  /** itemCount × dim */
  readonly itemFactors: A;
  /** itemCount × dim */
  readonly historyFactors: A;
}

/**
 * Gradient of the squared loss ½ (r − r̂(u, i))² of one example with respect to the parameters it
 * touches. r̂ depends on p_u and z_u only through their sum, so one vector serves both:
 * ∂ℓ/∂p_u = ∂ℓ/∂z_u = `userVector`, and by the chain rule ∂ℓ/∂y_j = w_j · norm_u · `userVector`
 * with norm_u = max(Σ_j w_j, 1)^-0.5.
 */
export interface RatingExampleGradient<A extends FloatArray = Float32Array> {
  userBias: number;
  itemBias: number;
  /** dim: ∂ℓ/∂(p_u + z_u). */
  readonly userVector: A;
  /** dim: ∂ℓ/∂q_i. */
  readonly itemFactors: A;
}

/**
 * A trained rating model: the history-only head that serving exports, plus the per-user terms of
 * the users seen in training (for predicting known users, as offline evaluation does).
 */
export interface RatingModel {
  readonly userCount: number;
  readonly itemCount: number;
  /** Exported part: globalMean, itemBias, itemFactors (q), historyFactors (y). */
  readonly head: RatingHead;
  /** userCount: b_u. */
  readonly userBias: Float32Array;
  /** userCount × head.dim: p_u. */
  readonly userFactors: Float32Array;
  /** userCount × head.dim: z_u, the history term computed from each user's training history. */
  readonly userHistoryVectors: Float32Array;
}
