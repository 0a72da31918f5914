import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { checkScoringModel } from '../../../model/recommender/scoreHistory.ts';

describe('randomScoringModel', () => {
  it('builds a well-shaped model, with a rating head when asked', () => {
    const model = randomScoringModel({ items: 30, features: 7, dim: 5, seed: 1, withRating: true, ratingDim: 3 });
    expect(() => checkScoringModel(model)).not.toThrow();
    expect([model.itemCount, model.featureCount, model.dim, model.rating?.dim]).toEqual([30, 7, 5, 3]);
    expect(model.historyVectors.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    expect(randomScoringModel({ items: 30, features: 7, dim: 5, seed: 1 }).rating).toBeUndefined();
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = randomScoringModel({ items: 20, features: 3, dim: 4, seed: 9, withRating: true });
    expect(randomScoringModel({ items: 20, features: 3, dim: 4, seed: 9, withRating: true })).toEqual(a);
    expect(randomScoringModel({ items: 20, features: 3, dim: 4, seed: 10, withRating: true }).itemVectors).not.toEqual(a.itemVectors);
  });

  it('scales vector entries as N(0, 1/dim), so scores stay of order 1 for any dim', () => {
    const model = randomScoringModel({ items: 500, features: 0, dim: 64, seed: 2 });
    let sumSquares = 0;
    for (const v of model.itemVectors) sumSquares += v * v;
    expect(sumSquares / model.itemVectors.length).toBeCloseTo(1 / 64, 3);
  });

  it('rejects impossible sizes', () => {
    expect(() => randomScoringModel({ items: 0, features: 1, dim: 4, seed: 1 })).toThrow(ShapeError);
    expect(() => randomScoringModel({ items: 3, features: -1, dim: 4, seed: 1 })).toThrow(ShapeError);
    expect(() => randomScoringModel({ items: 3, features: 1, dim: 1.5, seed: 1 })).toThrow(ShapeError);
  });
});
