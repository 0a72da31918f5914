import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { AliasTable, proposalWeights } from '../../../model/recommender/aliasTable.ts';

describe('AliasTable', () => {
  it('draws each index with its share of the weights', () => {
    const weights = Float64Array.from([5, 0, 1, 2, 0.5, 1.5]);
    const table = new AliasTable(weights);
    const total = weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < weights.length; i++) expect(table.probability[i]).toBeCloseTo(weights[i] / total, 12);
    const rng = new Random(3);
    const draws = 200_000;
    const seen = new Float64Array(weights.length);
    for (let k = 0; k < draws; k++) seen[table.sample(rng)]++;
    for (let i = 0; i < weights.length; i++) {
      const p = weights[i] / total;
      // Within 5 standard deviations of a binomial count.
      expect(Math.abs(seen[i] - draws * p)).toBeLessThanOrEqual(5 * Math.sqrt(draws * p * (1 - p)) + 1e-9);
    }
    expect(seen[1]).toBe(0);
  });

  it('rejects empty, negative and all-zero weights', () => {
    expect(() => new AliasTable(new Float64Array(0))).toThrow(ShapeError);
    expect(() => new AliasTable(Float64Array.from([1, -1]))).toThrow(ShapeError);
    expect(() => new AliasTable(Float64Array.from([0, 0]))).toThrow(ShapeError);
  });
});

describe('proposalWeights', () => {
  it('mixes popularity^α with the uniform law, and is uniform without any counts', () => {
    const q = proposalWeights(Float64Array.from([9, 1, 0, 0]), 0.5, 0.2);
    // count^0.5: 3 and 1 of 4; mixed 0.8 · share + 0.2 / 4.
    expect(Array.from(q)).toEqual([0.8 * 0.75 + 0.05, 0.8 * 0.25 + 0.05, 0.05, 0.05].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(proposalWeights(new Float64Array(4), 0.75, 0.1))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
