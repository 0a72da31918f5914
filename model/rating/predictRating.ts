import { ShapeError } from '../errors.ts';
import type { RatingHead } from '../types/scoringModel.ts';
import type { RatingModel } from './types.ts';

/** The star scale predictions are clamped to. */
export const RATING_SCALE = { min: 1, max: 5 } as const;

/** `value` clamped to [RATING_SCALE.min, RATING_SCALE.max]. */
export function clampRating(value: number): number {
  return value < RATING_SCALE.min ? RATING_SCALE.min : Math.min(value, RATING_SCALE.max);
}

/**
 * Predicted stars of a user seen in training: μ + b_u + b_i + q_i · (p_u + z_u), clamped, where
 * z_u is the history term of the user's training history.
 */
export function predictRating(model: RatingModel, user: number, item: number): number {
  if (!Number.isInteger(user) || user < 0 || user >= model.userCount) {
    throw new ShapeError(`user ${user} is not an index in [0, ${model.userCount})`);
  }
  if (!Number.isInteger(item) || item < 0 || item >= model.itemCount) {
    throw new ShapeError(`item ${item} is not an index in [0, ${model.itemCount})`);
  }
  return knownUserRating(model, user, item);
}

/** `predictRating` without the index checks, for loops whose bounds were checked once. */
export function knownUserRating(model: RatingModel, user: number, item: number): number {
  const { dim, globalMean, itemBias, itemFactors } = model.head;
  const p = model.userFactors;
  const z = model.userHistoryVectors;
  const uOffset = user * dim;
  const iOffset = item * dim;
  let dot = 0;
  for (let f = 0; f < dim; f++) dot += itemFactors[iOffset + f] * (p[uOffset + f] + z[uOffset + f]);
  return clampRating(globalMean + model.userBias[user] + itemBias[item] + dot);
}

/**
 * Predicted stars from a history alone (anonymous visitor, no per-user parameters), clamped:
 *   globalMean + itemBias[i] + itemFactors[i] · (Σ_j w_j historyFactors[h_j]) / max(Σ_j w_j, 1)^0.5
 */
export function predictRatingFromHistory(
  head: RatingHead,
  historyItems: ArrayLike<number>,
  historyWeights: ArrayLike<number>,
  item: number,
): number {
  const itemCount = head.itemBias.length;
  if (historyItems.length !== historyWeights.length) {
    throw new ShapeError(`historyItems has ${historyItems.length} entries but historyWeights has ${historyWeights.length}`);
  }
  if (!Number.isInteger(item) || item < 0 || item >= itemCount) {
    throw new ShapeError(`item ${item} is not an index in [0, ${itemCount})`);
  }
  for (let j = 0; j < historyItems.length; j++) {
    const h = historyItems[j];
    if (!Number.isInteger(h) || h < 0 || h >= itemCount) {
      throw new ShapeError(`historyItems[${j}] = ${h} is not an index in [0, ${itemCount})`);
    }
    const w = historyWeights[j];
    if (!Number.isFinite(w) || w < 0) {
      throw new ShapeError(`historyWeights[${j}] = ${w} is not a finite weight ≥ 0`);
    }
  }
  const { dim, globalMean, itemBias, itemFactors, historyFactors } = head;
  const iOffset = item * dim;
  // Σ_j w_j (q_i · y_j): each history row is read once, no user vector allocated.
  let weightSum = 0;
  let dot = 0;
  for (let j = 0; j < historyItems.length; j++) {
    const w = historyWeights[j];
    const hOffset = historyItems[j] * dim;
    weightSum += w;
    let rowDot = 0;
    for (let f = 0; f < dim; f++) rowDot += itemFactors[iOffset + f] * historyFactors[hOffset + f];
    dot += w * rowDot;
  }
  return clampRating(globalMean + itemBias[item] + dot / Math.sqrt(Math.max(weightSum, 1)));
}
