import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { contributions, predictRatings, scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';

/**
 * A model small enough to score by hand: dim 2, three items, two features.
 *   history vectors  item0 (1, 0)   item1 (0, 1)   item2 (1, 1)
 *   item vectors     item0 (1, 1)   item1 (2, 0)   item2 (0, −1)   bias 0.5, 0, −0.25
 *   preferences      f0 (1, 2)      f1 (0, −1)
 *   β = 0.5, λ = 0.5; rating head of dim 1.
 */
const tiny: ScoringModel = {
  dim: 2,
  itemCount: 3,
  featureCount: 2,
  historyVectors: Float32Array.of(1, 0, 0, 1, 1, 1),
  preferenceVectors: Float32Array.of(1, 2, 0, -1),
  itemVectors: Float32Array.of(1, 1, 2, 0, 0, -1),
  itemBias: Float32Array.of(0.5, 0, -0.25),
  historyExponent: 0.5,
  preferenceWeight: 0.5,
  rating: {
    dim: 1,
    globalMean: 3,
    itemBias: Float32Array.of(0.125, 0.25, 0.375),
    itemFactors: Float32Array.of(1, 2, -1),
    historyFactors: Float32Array.of(0.5, 1, 2),
  },
};
const none = new Int32Array(0);
const noWeights = new Float32Array(0);
/** History: item0 with weight 2, item2 with weight 1; preference f0. */
const history = Int32Array.of(0, 2);
const weights = Float32Array.of(2, 1);

describe('userVector', () => {
  it('sums weighted history and λ-weighted preference vectors, divided by max(s, 1)^β', () => {
    const out = new Float32Array(2);
    const divisor = userVector(tiny, history, weights, Int32Array.of(0), out);
    // s = 2 + 1 + 0.5·1 = 3.5; numerator = 2·(1,0) + 1·(1,1) + 0.5·(1,2) = (3.5, 2)
    expect(divisor).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(out[0]).toBeCloseTo(3.5 / Math.sqrt(3.5), 6);
    expect(out[1]).toBeCloseTo(2 / Math.sqrt(3.5), 6);
  });

  it('divides by 1 when the total weight is below 1', () => {
    const out = new Float32Array(2);
    expect(userVector(tiny, Int32Array.of(2), Float32Array.of(0.25), none, out)).toBe(1);
    expect(Array.from(out)).toEqual([0.25, 0.25]);
  });

  it('is the zero vector for an empty history without preferences, so scores are the item biases', () => {
    const user = Float32Array.of(9, 9);
    userVector(tiny, none, noWeights, none, user);
    expect(Array.from(user)).toEqual([0, 0]);
    const scores = new Float32Array(3);
    scoreItems(tiny, user, scores);
    expect(Array.from(scores)).toEqual(Array.from(tiny.itemBias));
  });

  it('serves an anonymous visitor from preferences alone', () => {
    const out = new Float32Array(2);
    // s = 0.5·2 = 1; numerator = 0.5·((1,2) + (0,−1)) = (0.5, 0.5)
    expect(userVector(tiny, none, noWeights, Int32Array.of(0, 1), out)).toBe(1);
    expect(Array.from(out)).toEqual([0.5, 0.5]);
  });

  it('rejects shapes and ranges it cannot score', () => {
    const out = new Float32Array(2);
    expect(() => userVector(tiny, history, Float32Array.of(1), none, out)).toThrow(ShapeError);
    expect(() => userVector(tiny, Int32Array.of(3), Float32Array.of(1), none, out)).toThrow(/outside \[0, 3\)/);
    expect(() => userVector(tiny, Int32Array.of(-1), Float32Array.of(1), none, out)).toThrow(ShapeError);
    expect(() => userVector(tiny, history, Float32Array.of(1, Number.NaN), none, out)).toThrow(/finite/);
    expect(() => userVector(tiny, history, weights, Int32Array.of(2), out)).toThrow(/preferences/);
    expect(() => userVector(tiny, history, weights, none, new Float32Array(3))).toThrow(ShapeError);
    expect(() => userVector({ ...tiny, itemVectors: new Float32Array(5) }, history, weights, none, out)).toThrow(/itemVectors/);
  });
});

describe('scoreItems', () => {
  it('is user · item vector + item bias', () => {
    const user = new Float32Array(2);
    userVector(tiny, history, weights, Int32Array.of(0), user);
    const scores = new Float32Array(3);
    scoreItems(tiny, user, scores);
    const r = Math.sqrt(3.5);
    expect(scores[0]).toBeCloseTo((3.5 + 2) / r + 0.5, 6);
    expect(scores[1]).toBeCloseTo(7 / r, 6);
    expect(scores[2]).toBeCloseTo(-2 / r - 0.25, 6);
  });

  it('rejects a user vector or out array of the wrong length', () => {
    expect(() => scoreItems(tiny, new Float32Array(3), new Float32Array(3))).toThrow(ShapeError);
    expect(() => scoreItems(tiny, new Float32Array(2), new Float32Array(2))).toThrow(ShapeError);
  });
});

describe('contributions', () => {
  it('is w_j · (history vector · item vector) / divisor, history × items row-major', () => {
    const out = new Float32Array(4);
    const r = Math.sqrt(3.5);
    contributions(tiny, history, weights, r, Int32Array.of(1, 0), out);
    // row 0: item0 (1,0) with weight 2; row 1: item2 (1,1) with weight 1
    const expected = [(2 * 2) / r, (2 * 1) / r, 2 / r, 2 / r];
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(expected[i], 6);
  });

  it('adds up, with the item bias, to the score of a history without preferences', () => {
    const model = randomScoringModel({ items: 60, features: 5, dim: 16, seed: 4 });
    const items = Int32Array.of(5, 17, 33, 7, 21, 5, 59);
    const itemWeights = Float32Array.of(1, 0.5, 2, 0.25, 1, 1, 3);
    const user = new Float32Array(16);
    const divisor = userVector(model, items, itemWeights, none, user);
    const scores = new Float32Array(60);
    scoreItems(model, user, scores);
    const targets = Int32Array.from({ length: 60 }, (_, i) => i);
    const parts = new Float32Array(items.length * 60);
    contributions(model, items, itemWeights, divisor, targets, parts);
    for (let c = 0; c < 60; c++) {
      let sum = model.itemBias[c];
      for (let j = 0; j < items.length; j++) sum += parts[j * 60 + c];
      expect(sum).toBeCloseTo(scores[c], 5);
    }
  });

  it('is empty for an empty history, and rejects a bad divisor or out length', () => {
    expect(() => contributions(tiny, none, noWeights, 1, Int32Array.of(0, 1), new Float32Array(0))).not.toThrow();
    expect(() => contributions(tiny, history, weights, 0, Int32Array.of(0), new Float32Array(2))).toThrow(/divisor/);
    expect(() => contributions(tiny, history, weights, 1, Int32Array.of(0), new Float32Array(3))).toThrow(ShapeError);
    expect(() => contributions(tiny, history, weights, 1, Int32Array.of(3), new Float32Array(2))).toThrow(ShapeError);
  });
});

describe('predictRatings', () => {
  it('is globalMean + bias + factors · (Σ w_j historyFactors) / max(Σ w_j, 1)^0.5', () => {
    const out = new Float32Array(2);
    predictRatings(tiny, history, weights, Int32Array.of(1, 2), out);
    // Σw = 3; rating user = (2·0.5 + 1·2) / √3 = √3
    expect(out[0]).toBeCloseTo(3 + 0.25 + 2 * Math.sqrt(3), 6);
    expect(out[1]).toBeCloseTo(3 + 0.375 - Math.sqrt(3), 6);
  });

  it('predicts mean + bias for an empty history', () => {
    const out = new Float32Array(3);
    predictRatings(tiny, none, noWeights, Int32Array.of(0, 1, 2), out);
    expect(Array.from(out)).toEqual([3.125, 3.25, 3.375]);
  });

  it('needs a rating head and matching shapes', () => {
    const { rating: _, ...withoutHead } = tiny;
    expect(() => predictRatings(withoutHead, history, weights, Int32Array.of(0), new Float32Array(1))).toThrow(/no rating head/);
    expect(() => predictRatings(tiny, history, weights, Int32Array.of(0), new Float32Array(2))).toThrow(ShapeError);
    const badHead = { ...tiny, rating: { ...tiny.rating!, historyFactors: new Float32Array(2) } };
    expect(() => predictRatings(badHead, history, weights, Int32Array.of(0), new Float32Array(1))).toThrow(/historyFactors/);
  });
});
