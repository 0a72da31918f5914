import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { averageRatingModels, predictRating, predictRatingFromHistory, type RatingModel } from '../../../model/rating/index.ts';

// Small random models whose predictions stay well inside 1…5, so clamping never acts.
function randomModel(seed: number, userCount = 3, itemCount = 5, dim = 2): RatingModel {
  const random = new Random(seed);
  const values = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => scale * random.nextGaussian());
  return {
    userCount,
    itemCount,
    head: {
      dim,
      globalMean: 3,
      itemBias: values(itemCount, 0.2),
      itemFactors: values(itemCount * dim, 0.3),
      historyFactors: values(itemCount * dim, 0.3),
    },
    userBias: values(userCount, 0.2),
    userFactors: values(userCount * dim, 0.3),
    userHistoryVectors: values(userCount * dim, 0.3),
  };
}

describe('averageRatingModels', () => {
  const members = [randomModel(1), randomModel(2), randomModel(3)];
  const average = averageRatingModels(members);
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

  it('is one model of members × dim columns', () => {
    expect(average.head.dim).toBe(6);
    expect(average.head.itemFactors.length).toBe(5 * 6);
    expect(average.userHistoryVectors.length).toBe(3 * 6);
  });

  it('predicts the mean of the members for known users', () => {
    for (let u = 0; u < 3; u++) {
      for (let i = 0; i < 5; i++) {
        expect(predictRating(average, u, i)).toBeCloseTo(mean(members.map((m) => predictRating(m, u, i))), 5);
      }
    }
  });

  it('predicts the mean of the members from a history', () => {
    const items = [0, 3, 4];
    const weights = [1, 0.5, 2];
    for (let i = 0; i < 5; i++) {
      const expected = mean(members.map((m) => predictRatingFromHistory(m.head, items, weights, i)));
      expect(predictRatingFromHistory(average.head, items, weights, i)).toBeCloseTo(expected, 5);
    }
  });

  it('rejects an empty list and models of different shapes', () => {
    expect(() => averageRatingModels([])).toThrow(ShapeError);
    expect(() => averageRatingModels([randomModel(1), randomModel(2, 3, 6)])).toThrow(ShapeError);
  });
});
