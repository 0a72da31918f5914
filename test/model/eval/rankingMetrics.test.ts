import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { averagePrecisionAtK, hitRateAtK, ndcgAtK, precisionAtK, recallAtK } from '../../../model/eval/rankingMetrics.ts';

const list = (...items: number[]): Int32Array => Int32Array.from(items);

describe('ranking metrics at k', () => {
  // Ranked [10, 11, 12, 13, 14], relevant {10, 12, 20, 21}: hits at ranks 1 and 3, 4 relevant, k = 5.
  const ranked = list(10, 11, 12, 13, 14);
  const relevant = new Set([10, 12, 20, 21]);

  it('precision = hits / k', () => {
    // 2 hits / 5
    expect(precisionAtK(ranked, relevant, 5)).toBeCloseTo(0.4, 12);
  });

  it('recall = hits / |relevant|', () => {
    // 2 hits / 4 relevant
    expect(recallAtK(ranked, relevant, 5)).toBeCloseTo(0.5, 12);
  });

  it('nDCG uses a log2 discount and an ideal DCG over min(k, |relevant|) positions', () => {
    // DCG = 1/log2(2) + 1/log2(4) = 1.5
    // IDCG over min(5, 4) = 4 positions = 1 + 1/log2(3) + 1/log2(4) + 1/log2(5)
    const ideal = 1 + 1 / Math.log2(3) + 0.5 + 1 / Math.log2(5);
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(1.5 / ideal, 12);
    // With k = 3 the list is the first 3 items; IDCG over min(3, 4) = 3 positions.
    expect(ndcgAtK(ranked.subarray(0, 3), relevant, 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3) + 0.5), 12);
  });

  it('average precision sums precision@i at hit ranks and divides by min(k, |relevant|)', () => {
    // precision@1 = 1/1, precision@3 = 2/3; (1 + 2/3) / min(5, 4) = (5/3) / 4 = 5/12
    expect(averagePrecisionAtK(ranked, relevant, 5)).toBeCloseTo(5 / 12, 12);
    // k = 3: same hits, divided by min(3, 4) = 3 → (5/3) / 3 = 5/9
    expect(averagePrecisionAtK(ranked.subarray(0, 3), relevant, 3)).toBeCloseTo(5 / 9, 12);
  });

  it('hit rate is 1 when any item is relevant', () => {
    expect(hitRateAtK(ranked, relevant, 5)).toBe(1);
  });

  it('a perfect list scores 1 on recall, nDCG and AP when |relevant| <= k', () => {
    // relevant {4, 7} at ranks 1 and 2, k = 3: precision = 2/3.
    const rel = new Set([4, 7]);
    const perfect = list(7, 4, 9);
    expect(precisionAtK(perfect, rel, 3)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(perfect, rel, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(perfect, rel, 3)).toBeCloseTo(1, 12);
    expect(averagePrecisionAtK(perfect, rel, 3)).toBeCloseTo(1, 12);
  });

  it('scores 0 everywhere when nothing is hit', () => {
    const rel = new Set([1, 2]);
    const miss = list(5, 6, 7);
    expect(precisionAtK(miss, rel, 3)).toBe(0);
    expect(recallAtK(miss, rel, 3)).toBe(0);
    expect(ndcgAtK(miss, rel, 3)).toBe(0);
    expect(averagePrecisionAtK(miss, rel, 3)).toBe(0);
    expect(hitRateAtK(miss, rel, 3)).toBe(0);
  });

  it('divides precision by k, not by the list length, when fewer than k items were ranked', () => {
    // ranked [3, 8], relevant {8, 9}, k = 10: 1 hit at rank 2.
    const short = list(3, 8);
    const rel = new Set([8, 9]);
    expect(precisionAtK(short, rel, 10)).toBeCloseTo(1 / 10, 12);
    expect(recallAtK(short, rel, 10)).toBeCloseTo(1 / 2, 12);
    // DCG = 1/log2(3); IDCG over min(10, 2) = 2 positions = 1 + 1/log2(3)
    expect(ndcgAtK(short, rel, 10)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    // precision@2 = 1/2; / min(10, 2) = 1/4
    expect(averagePrecisionAtK(short, rel, 10)).toBeCloseTo(1 / 4, 12);
    expect(hitRateAtK(short, rel, 10)).toBe(1);
  });

  it('handles an empty ranked list', () => {
    const rel = new Set([1]);
    expect(precisionAtK(list(), rel, 10)).toBe(0);
    expect(recallAtK(list(), rel, 10)).toBe(0);
    expect(ndcgAtK(list(), rel, 10)).toBe(0);
    expect(averagePrecisionAtK(list(), rel, 10)).toBe(0);
    expect(hitRateAtK(list(), rel, 10)).toBe(0);
  });

  it('is undefined (NaN) for an empty relevant set where |relevant| is a denominator', () => {
    const none = new Set<number>();
    expect(recallAtK(list(1, 2), none, 2)).toBeNaN();
    expect(ndcgAtK(list(1, 2), none, 2)).toBeNaN();
    expect(averagePrecisionAtK(list(1, 2), none, 2)).toBeNaN();
    expect(precisionAtK(list(1, 2), none, 2)).toBe(0);
    expect(hitRateAtK(list(1, 2), none, 2)).toBe(0);
  });

  it('rejects a list longer than k and a k below 1', () => {
    const rel = new Set([1]);
    for (const metric of [precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK]) {
      expect(() => metric(list(1, 2, 3), rel, 2)).toThrow(ShapeError);
      expect(() => metric(list(), rel, 0)).toThrow(ShapeError);
    }
  });
});
