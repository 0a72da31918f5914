import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { similarItems } from '../../../model/recommender/similarItems.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';

/** Item 0 = (1, 0); 1 points the same way, 2 is orthogonal, 3 opposite, 4 at 45°, 5 all zeros. */
const model: ScoringModel = {
  ...randomScoringModel({ items: 6, features: 0, dim: 2, seed: 1 }),
  itemVectors: Float32Array.of(1, 0, 3, 0, 0, 2, -1, 0, 1, 1, 0, 0),
};

function similar(item: number, k: number, exclude?: Int32Array): { items: number[]; scores: number[] } {
  const items = new Int32Array(k);
  const scores = new Float32Array(k);
  const count = similarItems(model, item, k, items, scores, exclude);
  return { items: Array.from(items.subarray(0, count)), scores: Array.from(scores.subarray(0, count)) };
}

describe('similarItems', () => {
  it('ranks by cosine of item vectors, without the query item', () => {
    const { items, scores } = similar(0, 10);
    // cosines: 1 → 1, 4 → √½, 2 → 0, 5 → 0 (zero row), 3 → −1; ties to the lower index
    expect(items).toEqual([1, 4, 2, 5, 3]);
    const expected = [1, Math.SQRT1_2, 0, 0, -1];
    expected.forEach((e, i) => expect(scores[i]).toBeCloseTo(e, 6));
  });

  it('ignores vector length (cosine, not dot product)', () => {
    expect(similar(1, 1).items).toEqual([0]);
    expect(similar(1, 1).scores[0]).toBeCloseTo(1, 6);
  });

  it('leaves out excluded items and returns fewer than k when fewer remain', () => {
    expect(similar(0, 10, Int32Array.of(1, 3, 3)).items).toEqual([4, 2, 5]);
    expect(similar(0, 2, Int32Array.of(1)).items).toEqual([4, 2]);
  });

  it('gives a zero vector cosine 0 with everything', () => {
    const { items, scores } = similar(5, 10);
    expect(items).toEqual([0, 1, 2, 3, 4]);
    expect(scores).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects an item or exclusion outside the catalog, and out arrays shorter than k', () => {
    expect(() => similar(6, 2)).toThrow(ShapeError);
    expect(() => similar(-1, 2)).toThrow(ShapeError);
    expect(() => similar(0, 2, Int32Array.of(6))).toThrow(ShapeError);
    expect(() => similarItems(model, 0, 3, new Int32Array(2), new Float32Array(2))).toThrow(ShapeError);
  });
});
