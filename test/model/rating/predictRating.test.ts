import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { predictRating, predictRatingFromHistory, type RatingModel } from '../../../model/rating/index.ts';

// dim 2, three items, two users; numbers chosen so each prediction is easy to work out by hand.
const model: RatingModel = {
  userCount: 2,
  itemCount: 3,
  head: {
    dim: 2,
    globalMean: 3,
    itemBias: new Float32Array([0.5, -0.25, 0]),
    itemFactors: new Float32Array([1, 0, 0, 1, 4, 4]),
    historyFactors: new Float32Array([0.5, 0, 0, 1, 1, 1]),
  },
  userBias: new Float32Array([0.25, -0.5]),
  userFactors: new Float32Array([0.5, 0.5, 0, 0]),
  userHistoryVectors: new Float32Array([0, 0.25, 0, 0]),
};

describe('predictRating', () => {
  it('is μ + b_u + b_i + q_i · (p_u + z_u)', () => {
    // 3 + 0.25 + 0.5 + (1, 0) · (0.5, 0.75)
    expect(predictRating(model, 0, 0)).toBeCloseTo(4.25, 6);
    // 3 + 0.25 − 0.25 + (0, 1) · (0.5, 0.75)
    expect(predictRating(model, 0, 1)).toBeCloseTo(3.75, 6);
    // 3 − 0.5 + 0.5 + 0
    expect(predictRating(model, 1, 0)).toBeCloseTo(3, 6);
  });

  it('clamps to the 1…5 scale', () => {
    // 3 + 0.25 + 0 + (4, 4) · (0.5, 0.75) = 8.25
    expect(predictRating(model, 0, 2)).toBe(5);
  });

  it('rejects indices outside the model', () => {
    expect(() => predictRating(model, 2, 0)).toThrow(ShapeError);
    expect(() => predictRating(model, 0, 3)).toThrow(ShapeError);
    expect(() => predictRating(model, 0.5, 0)).toThrow(ShapeError);
  });
});

describe('predictRatingFromHistory', () => {
  it('is μ + b_i + q_i · Σ_j w_j y_j / max(Σ_j w_j, 1)^0.5', () => {
    // History {0: weight 2, 1: weight 2}: Σw = 4, Σ w y = (1, 2), / 2 = (0.5, 1).
    // Item 1: 3 − 0.25 + (0, 1) · (0.5, 1) = 3.75.
    expect(predictRatingFromHistory(model.head, [0, 1], [2, 2], 1)).toBeCloseTo(3.75, 6);
    // Σw = 0.5 < 1, so no normalisation: Σ w y = (0, 0.5); item 0: 3 + 0.5 + 0 = 3.5.
    expect(predictRatingFromHistory(model.head, [1], [0.5], 0)).toBeCloseTo(3.5, 6);
  });

  it('falls back to μ + b_i for an empty history, and clamps', () => {
    expect(predictRatingFromHistory(model.head, [], [], 1)).toBeCloseTo(2.75, 6);
    // Item 2 with history {2}: 3 + 0 + (4, 4) · (1, 1) = 11 → 5.
    expect(predictRatingFromHistory(model.head, [2], [1], 2)).toBe(5);
    const negative = { ...model.head, historyFactors: new Float32Array([0, 0, 0, 0, -1, -1]) };
    expect(predictRatingFromHistory(negative, [2], [1], 2)).toBe(1);
  });

  it('rejects mismatched or out-of-range inputs', () => {
    expect(() => predictRatingFromHistory(model.head, [0, 1], [1], 0)).toThrow(ShapeError);
    expect(() => predictRatingFromHistory(model.head, [3], [1], 0)).toThrow(ShapeError);
    expect(() => predictRatingFromHistory(model.head, [0], [Number.NaN], 0)).toThrow(ShapeError);
    expect(() => predictRatingFromHistory(model.head, [0], [1], -1)).toThrow(ShapeError);
  });
});
