import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { topK } from '../../../model/recommender/topK.ts';

/** Reference: every valid index, sorted by score descending then index ascending, cut at k. */
function referenceTopK(scores: Float32Array, k: number): number[] {
  const valid: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isNaN(scores[i]) && scores[i] !== Number.NEGATIVE_INFINITY) valid.push(i);
  }
  valid.sort((a, b) => scores[b] - scores[a] || a - b);
  return valid.slice(0, k);
}

/** Scores drawn from a few values (many ties), with -Infinity, NaN and +Infinity mixed in. */
function randomScores(random: Random, n: number): Float32Array {
  const scores = new Float32Array(n);
  const continuous = random.next() < 0.5;
  for (let i = 0; i < n; i++) {
    const r = random.next();
    if (r < 0.1) scores[i] = Number.NEGATIVE_INFINITY;
    else if (r < 0.15) scores[i] = Number.NaN;
    else if (r < 0.17) scores[i] = Number.POSITIVE_INFINITY;
    else scores[i] = continuous ? random.nextGaussian() : random.nextInt(4) - 1;
  }
  return scores;
}

function run(scores: Float32Array, k: number): { indices: number[]; scores: number[] } {
  const outIndices = new Int32Array(k);
  const outScores = new Float32Array(k);
  const count = topK(scores, k, outIndices, outScores);
  return { indices: Array.from(outIndices.subarray(0, count)), scores: Array.from(outScores.subarray(0, count)) };
}

describe('topK', () => {
  it('selects the highest scores best first, ties to the lower index, skipping -Infinity and NaN', () => {
    const scores = new Float32Array([3, 1, 3, Number.NEGATIVE_INFINITY, Number.NaN, 2]);
    expect(run(scores, 3)).toEqual({ indices: [0, 2, 5], scores: [3, 3, 2] });
    expect(run(scores, 1)).toEqual({ indices: [0], scores: [3] });
  });

  it('returns fewer than k when fewer scores are valid', () => {
    const scores = new Float32Array([Number.NaN, 0.5, Number.NEGATIVE_INFINITY, -2]);
    const outIndices = new Int32Array(10);
    const outScores = new Float32Array(10);
    expect(topK(scores, 10, outIndices, outScores)).toBe(2);
    expect(Array.from(outIndices.subarray(0, 2))).toEqual([1, 3]);
    expect(Array.from(outScores.subarray(0, 2))).toEqual([0.5, -2]);
    expect(topK(new Float32Array([Number.NaN, Number.NEGATIVE_INFINITY]), 3, outIndices, outScores)).toBe(0);
    expect(topK(new Float32Array(0), 3, outIndices, outScores)).toBe(0);
  });

  it('keeps +Infinity as the best score', () => {
    const scores = new Float32Array([1, Number.POSITIVE_INFINITY, 2]);
    expect(run(scores, 2)).toEqual({ indices: [1, 2], scores: [Number.POSITIVE_INFINITY, 2] });
  });

  it('writes nothing for k = 0 and accepts out arrays longer than k', () => {
    const outIndices = new Int32Array([7, 7, 7, 7]);
    const outScores = new Float32Array(4);
    expect(topK(new Float32Array([1, 2]), 0, outIndices, outScores)).toBe(0);
    expect(Array.from(outIndices)).toEqual([7, 7, 7, 7]);
    expect(topK(new Float32Array([1, 2, 3]), 2, outIndices, outScores)).toBe(2);
    expect(Array.from(outIndices.subarray(0, 2))).toEqual([2, 1]);
  });

  it('agrees with a full sort on random arrays with ties, -Infinity and NaN', () => {
    const random = new Random(20240611);
    for (let trial = 0; trial < 500; trial++) {
      const n = random.nextInt(120);
      const k = random.nextInt(n + 6);
      const scores = randomScores(random, n);
      const expected = referenceTopK(scores, k);
      const got = run(scores, k);
      expect(got.indices).toEqual(expected);
      expect(got.scores).toEqual(expected.map((i) => scores[i]));
    }
  });

  it('agrees with a full sort at catalog size (n = 50 000, k = 10 and 100)', () => {
    const random = new Random(7);
    const scores = randomScores(random, 50_000);
    for (const k of [10, 100]) expect(run(scores, k).indices).toEqual(referenceTopK(scores, k));
  });

  it('reuses the out arrays across calls without leftovers', () => {
    const outIndices = new Int32Array(3);
    const outScores = new Float32Array(3);
    topK(new Float32Array([9, 8, 7, 6]), 3, outIndices, outScores);
    expect(topK(new Float32Array([1, 5, 3]), 3, outIndices, outScores)).toBe(3);
    expect(Array.from(outIndices)).toEqual([1, 2, 0]);
    expect(Array.from(outScores)).toEqual([5, 3, 1]);
  });

  it('rejects a bad k or out arrays shorter than k', () => {
    const scores = new Float32Array([1, 2, 3]);
    expect(() => topK(scores, -1, new Int32Array(3), new Float32Array(3))).toThrow(ShapeError);
    expect(() => topK(scores, 1.5, new Int32Array(3), new Float32Array(3))).toThrow(ShapeError);
    expect(() => topK(scores, 3, new Int32Array(2), new Float32Array(3))).toThrow(ShapeError);
    expect(() => topK(scores, 3, new Int32Array(3), new Float32Array(2))).toThrow(ShapeError);
  });
});
