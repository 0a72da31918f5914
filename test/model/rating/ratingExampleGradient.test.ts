import { describe, expect, it } from 'vitest';
import { Random } from '../../../model/random.ts';
import { ratingExampleGradient } from '../../../model/rating/ratingExampleGradient.ts';
import type { RatingExampleGradient, RatingParameters } from '../../../model/rating/types.ts';
import { userHistoryVector } from '../../../model/rating/userHistoryVector.ts';

// A tiny model in float64, so central differences are accurate to ~1e-9.
const dim = 3;
const userCount = 2;
const itemCount = 4;
const random = new Random(7);
const gaussians = (n: number): Float64Array => Float64Array.from({ length: n }, () => 0.5 * random.nextGaussian());
const params: RatingParameters<Float64Array> = {
  dim,
  globalMean: 3.4,
  userBias: gaussians(userCount),
  itemBias: gaussians(itemCount),
  userFactors: gaussians(userCount * dim),
  itemFactors: gaussians(itemCount * dim),
  historyFactors: gaussians(itemCount * dim),
};
// User 1's history: items 0, 2, 3 with unequal weights (Σw = 2.5, so the normaliser is 2.5^-0.5).
const historyItems = new Int32Array([0, 2, 3]);
const historyWeights = new Float64Array([1, 0.5, 1]);
const user = 1;
const item = 2;
const rating = 4;

/** ½ (r − r̂)² computed from scratch, the history term included. */
function loss(): number {
  const z = new Float64Array(dim);
  userHistoryVector(params.historyFactors, dim, historyItems, historyWeights, 0, historyItems.length, z);
  let prediction = params.globalMean + params.userBias[user] + params.itemBias[item];
  for (let f = 0; f < dim; f++) {
    prediction += params.itemFactors[item * dim + f] * (params.userFactors[user * dim + f] + z[f]);
  }
  return 0.5 * (rating - prediction) ** 2;
}

function numerical(buffer: Float64Array, index: number): number {
  const h = 1e-6;
  const saved = buffer[index];
  buffer[index] = saved + h;
  const up = loss();
  buffer[index] = saved - h;
  const down = loss();
  buffer[index] = saved;
  return (up - down) / (2 * h);
}

describe('ratingExampleGradient', () => {
  const z = new Float64Array(dim);
  const norm = userHistoryVector(params.historyFactors, dim, historyItems, historyWeights, 0, historyItems.length, z);
  const out: RatingExampleGradient<Float64Array> = {
    userBias: 0,
    itemBias: 0,
    userVector: new Float64Array(dim),
    itemFactors: new Float64Array(dim),
  };
  const residual = ratingExampleGradient(params, user, item, rating, z, out);

  it('returns the residual r − r̂', () => {
    expect(0.5 * residual * residual).toBeCloseTo(loss(), 12);
    expect(norm).toBeCloseTo(1 / Math.sqrt(2.5), 12);
  });

  it('matches central differences for the biases', () => {
    expect(out.userBias).toBeCloseTo(numerical(params.userBias, user), 7);
    expect(out.itemBias).toBeCloseTo(numerical(params.itemBias, item), 7);
  });

  it('matches central differences for p_u and q_i', () => {
    for (let f = 0; f < dim; f++) {
      expect(out.userVector[f]).toBeCloseTo(numerical(params.userFactors, user * dim + f), 7);
      expect(out.itemFactors[f]).toBeCloseTo(numerical(params.itemFactors, item * dim + f), 7);
    }
  });

  it('gives ∂ℓ/∂y_j = w_j · norm · userVector through the history term', () => {
    for (let j = 0; j < historyItems.length; j++) {
      for (let f = 0; f < dim; f++) {
        const analytic = historyWeights[j] * norm * out.userVector[f];
        expect(analytic).toBeCloseTo(numerical(params.historyFactors, historyItems[j] * dim + f), 7);
      }
    }
  });

  it('gives no gradient to y of items outside the history', () => {
    for (let f = 0; f < dim; f++) expect(numerical(params.historyFactors, 1 * dim + f)).toBeCloseTo(0, 9);
  });
});
