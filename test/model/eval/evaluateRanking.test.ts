import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { evaluateRanking } from '../../../model/eval/evaluateRanking.ts';
import { trainingDataFromLists } from './helpers/trainingDataFromLists.ts';

/*
 * Toy case, 5 items, 4 users.
 *   train: u0 {0}   u1 {1, 2}   u2 {0, 3}   u3 —            → items seen in train {0, 1, 2, 3}
 *   test:  u0 {1, 3, 4}  u1 —   u2 {2}      u3 {3}          → item 4 is never in train; u1 is no test user
 *   scores (every user): item 0: 0.9, 1: 0.5, 2: 0.7, 3: 0.2, 4: 1.0
 * Item 4 scores highest and each user's train items score high, so any failure to exclude them
 * would change every figure below. Candidate lists, best first:
 *   u0: [2, 1, 3]      (0 is u0's train item, 4 unseen)
 *   u2: [2, 1]         (0, 3 are u2's train items)
 *   u3: [0, 2, 1, 3]   (u3 has no train row at all: train has only 3 users)
 */
const train = trainingDataFromLists([[0], [1, 2], [0, 3]], { itemCount: 5 });
const test = trainingDataFromLists([[1, 3, 4], [], [2], [3]], { itemCount: 5 });
const globalScores = new Float32Array([0.9, 0.5, 0.7, 0.2, 1.0]);
const score = (_user: number, out: Float32Array): void => out.set(globalScores);
const log2 = Math.log2;

describe('evaluateRanking', () => {
  it('k = 2, unseen test items counted: averages computed by hand', () => {
    // u0 top 2 [2, 1], relevant {1, 3, 4}: hit at rank 2. P = 1/2, R = 1/3,
    //    nDCG = (1/log2 3) / (1 + 1/log2 3), AP = (1/2) / min(2, 3) = 1/4, HR = 1
    // u2 top 2 [2, 1], relevant {2}: hit at rank 1. P = 1/2, R = 1, nDCG = 1, AP = 1, HR = 1
    // u3 top 2 [0, 2], relevant {3}: no hit. all 0
    // coverage: {0, 1, 2} of 4 seen items = 3/4
    const result = evaluateRanking({ train, test, score, k: 2 });
    const ndcgU0 = 1 / log2(3) / (1 + 1 / log2(3));
    expect(result.users).toBe(3);
    expect(result.precisionAt2).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
    expect(result.recallAt2).toBeCloseTo((1 / 3 + 1 + 0) / 3, 12);
    expect(result.ndcgAt2).toBeCloseTo((ndcgU0 + 1 + 0) / 3, 12);
    expect(result.mapAt2).toBeCloseTo((1 / 4 + 1 + 0) / 3, 12);
    expect(result.hrAt2).toBeCloseTo(2 / 3, 12);
    expect(result.coverageAt2).toBeCloseTo(3 / 4, 12);
  });

  it('k = 2, unseen test items dropped: only u0 changes (relevant {1, 3})', () => {
    // u0: R = 1/2; IDCG still over min(2, 2) = 2 positions, AP still (1/2) / 2.
    const result = evaluateRanking({ train, test, score, k: 2, unseenTestItems: 'drop' });
    const ndcgU0 = 1 / log2(3) / (1 + 1 / log2(3));
    expect(result.users).toBe(3);
    expect(result.recallAt2).toBeCloseTo((1 / 2 + 1 + 0) / 3, 12);
    expect(result.ndcgAt2).toBeCloseTo((ndcgU0 + 1 + 0) / 3, 12);
    expect(result.mapAt2).toBeCloseTo((1 / 4 + 1 + 0) / 3, 12);
  });

  it('default k = 10 with lists shorter than k: precision still divides by 10', () => {
    // u0 [2, 1, 3], relevant {1, 3, 4}: hits at ranks 2, 3. P = 2/10, R = 2/3,
    //    nDCG = (1/log2 3 + 1/log2 4) / (1 + 1/log2 3 + 1/log2 4)   (IDCG over min(10, 3) = 3)
    //    AP = (1/2 + 2/3) / 3 = 7/18
    // u2 [2, 1], relevant {2}: hit at rank 1. P = 1/10, R = 1, nDCG = 1, AP = 1
    // u3 [0, 2, 1, 3], relevant {3}: hit at rank 4. P = 1/10, R = 1, nDCG = 1/log2 5, AP = 1/4
    // coverage: {0, 1, 2, 3} of 4 = 1 (item 4 never recommended, else it would exceed 1)
    const result = evaluateRanking({ train, test, score });
    const ndcgU0 = (1 / log2(3) + 1 / log2(4)) / (1 + 1 / log2(3) + 1 / log2(4));
    expect(result.users).toBe(3);
    expect(result.precisionAt10).toBeCloseTo((0.2 + 0.1 + 0.1) / 3, 12);
    expect(result.recallAt10).toBeCloseTo((2 / 3 + 1 + 1) / 3, 12);
    expect(result.ndcgAt10).toBeCloseTo((ndcgU0 + 1 + 1 / log2(5)) / 3, 12);
    expect(result.mapAt10).toBeCloseTo((7 / 18 + 1 + 1 / 4) / 3, 12);
    expect(result.hrAt10).toBeCloseTo(1, 12);
    expect(result.coverageAt10).toBeCloseTo(1, 12);
  });

  it('default k = 10, unseen dropped: u0 has relevant {1, 3} and a perfect ideal match', () => {
    // u0: R = 2/2, nDCG = (1/log2 3 + 1/log2 4) / (1 + 1/log2 3) , AP = (1/2 + 2/3) / 2 = 7/12
    const result = evaluateRanking({ train, test, score, unseenTestItems: 'drop' });
    const ndcgU0 = (1 / log2(3) + 1 / log2(4)) / (1 + 1 / log2(3));
    expect(result.recallAt10).toBeCloseTo(1, 12);
    expect(result.ndcgAt10).toBeCloseTo((ndcgU0 + 1 + 1 / log2(5)) / 3, 12);
    expect(result.mapAt10).toBeCloseTo((7 / 12 + 1 + 1 / 4) / 3, 12);
  });

  it('leaves out a user whose test items are all unseen when they are dropped', () => {
    // u0 test {4} only; u2 test {2} as before (hit at rank 1 of [2, 1], k = 2).
    const onlyUnseen = trainingDataFromLists([[4], [], [2]], { itemCount: 5 });
    const counted = evaluateRanking({ train, test: onlyUnseen, score, k: 2 });
    expect(counted.users).toBe(2);
    // u0 can never hit item 4: all its metrics are 0; u2 scores 1 on nDCG.
    expect(counted.ndcgAt2).toBeCloseTo(0.5, 12);
    const dropped = evaluateRanking({ train, test: onlyUnseen, score, k: 2, unseenTestItems: 'drop' });
    expect(dropped.users).toBe(1);
    expect(dropped.ndcgAt2).toBeCloseTo(1, 12);
  });

  it("never ranks a user's own train items, even when they are also test items", () => {
    // u0 test {0}, and 0 is u0's train item with the best seen score: it can never be hit.
    // u2 test {1}: top 1 is [2] (0 and 3 excluded), a miss.
    const overlap = trainingDataFromLists([[0], [], [1]], { itemCount: 5 });
    const result = evaluateRanking({ train, test: overlap, score, k: 1 });
    expect(result.hrAt1).toBe(0);
    // top 1 lists: u0 [2], u2 [2] → coverage 1/4
    expect(result.coverageAt1).toBeCloseTo(1 / 4, 12);
  });

  it('calls score once per test user with one reused buffer of itemCount entries; unwritten entries are never ranked', () => {
    const calls: number[] = [];
    const buffers = new Set<Float32Array>();
    // Writes only items 1 and 3: everything else stays NaN and is not ranked.
    const partial = (user: number, out: Float32Array): void => {
      calls.push(user);
      buffers.add(out);
      expect(out.length).toBe(5);
      out[1] = 0.1;
      out[3] = 0.3;
    };
    const result = evaluateRanking({ train, test, score: partial });
    expect(calls).toEqual([0, 2, 3]);
    expect(buffers.size).toBe(1);
    // u0 [3, 1] hits at 1, 2; u2 [1] misses (3 is its train item); u3 [3, 1] hit at 1.
    // coverage {1, 3} of 4 = 1/2
    expect(result.coverageAt10).toBeCloseTo(1 / 2, 12);
    expect(result.precisionAt10).toBeCloseTo((2 / 10 + 0 + 1 / 10) / 3, 12);
  });

  it('returns the metrics named with k and nothing else', () => {
    const at10 = evaluateRanking({ train, test, score });
    expect(Object.keys(at10).sort()).toEqual(
      ['coverageAt10', 'hrAt10', 'mapAt10', 'ndcgAt10', 'precisionAt10', 'recallAt10', 'users'].sort(),
    );
    const at2 = evaluateRanking({ train, test, score, k: 2 });
    expect(Object.keys(at2).sort()).toEqual(['coverageAt2', 'hrAt2', 'mapAt2', 'ndcgAt2', 'precisionAt2', 'recallAt2', 'users'].sort());
  });

  it('rejects a bad k, out-of-range items and a test set with no relevant item', () => {
    expect(() => evaluateRanking({ train, test, score, k: 0 })).toThrow(ShapeError);
    const badTest = trainingDataFromLists([[7]], { itemCount: 5 });
    expect(() => evaluateRanking({ train, test: badTest, score })).toThrow(ShapeError);
    const empty = trainingDataFromLists([[], []], { itemCount: 5 });
    expect(() => evaluateRanking({ train, test: empty, score })).toThrow(ShapeError);
  });
});
