import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateRanking } from '../../../model/eval/evaluateRanking.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';
import { readRankingSplit } from './helpers/readRankingSplit.ts';

const datasets = process.env.MARQUEE_DATASETS;
if (!datasets) console.warn('popularity baseline on ml-100k-ranking skipped: set MARQUEE_DATASETS to the datasets folder');

describe.skipIf(!datasets)('popularity baseline on ml-100k-ranking (needs MARQUEE_DATASETS)', () => {
  let train: TrainingData;
  let test: TrainingData;
  let score: (user: number, out: Float32Array) => void;

  beforeAll(() => {
    const folder = join(datasets as string, 'ml-100k-ranking');
    const split = readRankingSplit(join(folder, 'train.tsv'), join(folder, 'test.tsv'));
    // Row counts published in shared/datasets/README.md.
    expect(split.trainRows).toBe(74_992);
    expect(split.testRows).toBe(25_008);
    train = split.train;
    test = split.test;
    // Popularity: an item's score is its number of train interactions, the same for every user.
    const counts = new Float32Array(train.itemIds.length);
    for (let r = 0; r < train.userItems.length; r++) counts[train.userItems[r]]++;
    score = (_user, out) => out.set(counts);
  });

  it('scores nDCG@10 = 0.250, the reference figure, counting unseen test items as relevant', () => {
    const counted = evaluateRanking({ train, test, score });
    console.log('popularity, unseen test items counted', counted);
    expect(counted.users).toBe(943);
    expect(Math.abs(counted.ndcgAt10 - 0.25)).toBeLessThanOrEqual(0.005);
  });

  it('drops unseen test items: recall can only rise, the user count stays 943', () => {
    const counted = evaluateRanking({ train, test, score });
    const dropped = evaluateRanking({ train, test, score, unseenTestItems: 'drop' });
    console.log('popularity, unseen test items dropped', dropped);
    expect(dropped.users).toBe(943);
    expect(dropped.recallAt10).toBeGreaterThanOrEqual(counted.recallAt10);
    expect(dropped.precisionAt10).toBeCloseTo(counted.precisionAt10, 12);
    expect(Math.abs(dropped.ndcgAt10 - 0.25)).toBeLessThanOrEqual(0.005);
  });
});
