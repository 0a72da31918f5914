import { describe, expect, it } from 'vitest';
import { parseRatingsTsv, ratingTrainingData, splitRatingRows } from './ratingsTsv.ts';

const text = '1\t10\t5\t881250949\n2\t10\t3\t891717742\n1\t20\t4\t878887116\n\n3\t30\t1\t880606923\n';

describe('ratingsTsv helper', () => {
  it('parses user, item and rating columns', () => {
    expect(parseRatingsTsv(text)).toEqual({ users: ['1', '2', '1', '3'], items: ['10', '10', '20', '30'], ratings: [5, 3, 4, 1] });
  });

  it('splits off a seeded fraction, disjoint and complete', () => {
    const rows = parseRatingsTsv(Array.from({ length: 50 }, (_, k) => `${k}\t${k}\t3\t0`).join('\n'));
    const [kept, held] = splitRatingRows(rows, 0.1, 1);
    expect(held.users.length).toBe(5);
    expect(kept.users.length).toBe(45);
    expect(new Set([...kept.users, ...held.users]).size).toBe(50);
    expect(splitRatingRows(rows, 0.1, 1)[1].users).toEqual(held.users);
  });

  it('indexes every set over one shared user and item index, grouped by user', () => {
    const [train, test] = ratingTrainingData([parseRatingsTsv(text), parseRatingsTsv('3\t40\t2\t0\n')]);
    expect(train.userIds).toEqual(['1', '2', '3']);
    expect(test.itemIds).toEqual(['10', '20', '30', '40']);
    expect(Array.from(train.userOffsets)).toEqual([0, 2, 3, 4]);
    expect(Array.from(train.userItems)).toEqual([0, 1, 0, 2]);
    expect(Array.from(train.userRatings)).toEqual([5, 4, 3, 1]);
    expect(Array.from(test.userOffsets)).toEqual([0, 0, 0, 1]);
    expect(Array.from(test.userItems)).toEqual([3]);
  });
});
