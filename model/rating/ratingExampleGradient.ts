import type { FloatArray, RatingExampleGradient, RatingParameters } from './types.ts';

/**
 * Gradient of the squared loss ℓ = ½ (rating − r̂(user, item))² of one example, where the user's
 * history term z_u (see `userHistoryVector`) is given as `historyVector`. Writes the gradient into
 * `out` and returns the residual rating − r̂ (unclamped). Regularisation is not part of ℓ: the
 * trainer applies it as weight decay. Generic over the float type so tests can check it in float64.
 */
export function ratingExampleGradient<A extends FloatArray>(
  params: Readonly<RatingParameters<A>>,
  user: number,
  item: number,
  rating: number,
  historyVector: Readonly<A>,
  out: RatingExampleGradient<A>,
): number {
  const dim = params.dim;
  const p = params.userFactors;
  const q = params.itemFactors;
  const pOffset = user * dim;
  const qOffset = item * dim;
  let dot = 0;
  for (let f = 0; f < dim; f++) dot += q[qOffset + f] * (p[pOffset + f] + historyVector[f]);
  const residual = rating - (params.globalMean + params.userBias[user] + params.itemBias[item] + dot);
  out.userBias = -residual;
  out.itemBias = -residual;
  const userVector = out.userVector;
  const itemFactors = out.itemFactors;
  for (let f = 0; f < dim; f++) {
    userVector[f] = -residual * q[qOffset + f];
    itemFactors[f] = -residual * (p[pOffset + f] + historyVector[f]);
  }
  return residual;
}
