import { ShapeError } from '../errors.ts';
import type { RatingModel } from './types.ts';

/**
 * The average of M rating models (e.g. ensemble members from different seeds) as one model of
 * M × dim columns: biases averaged, factor blocks side by side, item factors scaled by 1/M so that
 * q · (p + z) over the wide rows is the mean of the members' dot products. Before clamping, its
 * predictions are exactly the mean of theirs, for known users and for histories alike.
 */
export function averageRatingModels(members: readonly RatingModel[]): RatingModel {
  if (members.length === 0) throw new ShapeError('averageRatingModels needs at least one model');
  const { userCount, itemCount } = members[0];
  const dim = members[0].head.dim;
  const globalMean = members[0].head.globalMean;
  for (const m of members) {
    if (m.userCount !== userCount || m.itemCount !== itemCount || m.head.dim !== dim || m.head.globalMean !== globalMean) {
      throw new ShapeError('averageRatingModels needs models of the same users, items, dim and global mean');
    }
  }
  const count = members.length;
  const wide = dim * count;
  const userBias = new Float32Array(userCount);
  const itemBias = new Float32Array(itemCount);
  const userFactors = new Float32Array(userCount * wide);
  const userHistoryVectors = new Float32Array(userCount * wide);
  const itemFactors = new Float32Array(itemCount * wide);
  const historyFactors = new Float32Array(itemCount * wide);
  const interleave = (from: Float32Array, to: Float32Array, rows: number, column: number, scale: number): void => {
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < dim; f++) to[r * wide + column + f] = scale * from[r * dim + f];
    }
  };
  members.forEach((m, k) => {
    for (let u = 0; u < userCount; u++) userBias[u] += m.userBias[u] / count;
    for (let i = 0; i < itemCount; i++) itemBias[i] += m.head.itemBias[i] / count;
    interleave(m.userFactors, userFactors, userCount, k * dim, 1);
    interleave(m.userHistoryVectors, userHistoryVectors, userCount, k * dim, 1);
    interleave(m.head.itemFactors, itemFactors, itemCount, k * dim, 1 / count);
    interleave(m.head.historyFactors, historyFactors, itemCount, k * dim, 1);
  });
  return {
    userCount,
    itemCount,
    head: { dim: wide, globalMean, itemBias, itemFactors, historyFactors },
    userBias,
    userFactors,
    userHistoryVectors,
  };
}
