import { ShapeError } from '../errors.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { knownUserRating } from './predictRating.ts';
import type { RatingModel } from './types.ts';

/**
 * Root-mean-square error of the model's clamped predictions over every rated row of `data`, whose
 * user and item indices must be the model's (e.g. a test split built with the training index).
 * Returns NaN when `data` holds no ratings.
 */
export function ratingRmse(model: RatingModel, data: TrainingData): number {
  if (data.userIds.length > model.userCount || data.itemIds.length > model.itemCount) {
    throw new ShapeError(
      `data has ${data.userIds.length} users and ${data.itemIds.length} items; ` +
        `the model has ${model.userCount} and ${model.itemCount}`,
    );
  }
  const { userOffsets, userItems, userRatings } = data;
  let sum = 0;
  let count = 0;
  for (let u = 0; u < data.userIds.length; u++) {
    for (let r = userOffsets[u]; r < userOffsets[u + 1]; r++) {
      const rating = userRatings[r];
      if (Number.isNaN(rating)) continue;
      const e = rating - knownUserRating(model, u, userItems[r]);
      sum += e * e;
      count++;
    }
  }
  return count === 0 ? Number.NaN : Math.sqrt(sum / count);
}
