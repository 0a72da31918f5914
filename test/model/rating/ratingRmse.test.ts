import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { predictRating, ratingRmse, type RatingModel } from '../../../model/rating/index.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';

// A model that predicts μ + b_i only: 3 for item 0, 4 for item 1.
const model: RatingModel = {
  userCount: 2,
  itemCount: 2,
  head: {
    dim: 1,
    globalMean: 3.5,
    itemBias: new Float32Array([-0.5, 0.5]),
    itemFactors: new Float32Array(2),
    historyFactors: new Float32Array(2),
  },
  userBias: new Float32Array(2),
  userFactors: new Float32Array(2),
  userHistoryVectors: new Float32Array(2),
};

function data(items: number[], ratings: number[], offsets: number[]): TrainingData {
  return {
    userIds: ['a', 'b'],
    itemIds: ['x', 'y'],
    vocabulary: [],
    userOffsets: Int32Array.from(offsets),
    userItems: Int32Array.from(items),
    userWeights: new Float32Array(items.length).fill(1),
    userRatings: Float32Array.from(ratings),
    itemFeatureOffsets: new Int32Array(3),
    itemFeatures: new Int32Array(0),
  };
}

describe('ratingRmse', () => {
  it('is the root mean squared error over rated rows, skipping unrated ones', () => {
    // Errors: user a: 5 − 3 = 2 and (unrated, skipped); user b: 4 − 4 = 0, 1 − 3 = −2.
    const test = data([0, 1, 1, 0], [5, Number.NaN, 4, 1], [0, 2, 4]);
    expect(predictRating(model, 1, 1)).toBeCloseTo(4, 6);
    expect(ratingRmse(model, test)).toBeCloseTo(Math.sqrt(8 / 3), 6);
  });

  it('is NaN without ratings and rejects data indexed beyond the model', () => {
    expect(ratingRmse(model, data([0], [Number.NaN], [0, 1, 1]))).toBeNaN();
    const wide = { ...data([0], [3], [0, 1, 1]), itemIds: ['x', 'y', 'z'] };
    expect(() => ratingRmse(model, wide)).toThrow(ShapeError);
  });
});
