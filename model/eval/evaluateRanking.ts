import { ShapeError } from '../errors.ts';
import { METRIC_K } from '../constants.ts';
import { topK } from '../recommender/topK.ts';
import type { TrainingData } from '../types/trainingData.ts';
import type { RelevantItems } from './rankingMetrics.ts';
import { averagePrecisionAtK, hitRateAtK, ndcgAtK, precisionAtK, recallAtK } from './rankingMetrics.ts';

export interface EvaluateRankingOptions<K extends number = typeof METRIC_K> {
  readonly train: TrainingData;
  /** Held-out positives on the same user and item indices as `train` (items unseen in train may follow). */
  readonly test: TrainingData;
  /**
   * Writes user `user`'s score of every item into `out` (length `train.itemIds.length`). Entries
   * left unwritten are NaN and never ranked. The evaluator then sets to -Infinity the items the
   * protocol excludes, so the callback need not.
   */
  readonly score: (user: number, out: Float32Array) => void;
  readonly k?: K;
  /**
   * What to do with a user's test items that never occur in train (no model can rank them):
   * `'count'` (the default, the README protocol's "min(10, |test items|)") keeps them in
   * |relevant| for recall, the ideal DCG and the MAP denominator; `'drop'` removes them, and
   * leaves out users whose test items are all unseen.
   */
  readonly unseenTestItems?: 'count' | 'drop';
}

/** The metrics `evaluateRanking` averages, named `<metric>At<k>` in its result. */
export type RankingMetricName = 'precision' | 'recall' | 'ndcg' | 'map' | 'hr' | 'coverage';

/**
 * `{ precisionAt10, recallAt10, ndcgAt10, mapAt10, hrAt10, coverageAt10, users }` for k = 10
 * (`precisionAt5`, … for k = 5): averages over `users` test users; coverage is over the items
 * seen in train. Ready to log or to store in a manifest as is.
 */
export type RankingEvaluation<K extends number = typeof METRIC_K> = {
  readonly [M in RankingMetricName as `${M}At${K}`]: number;
} & { readonly users: number };

/**
 * The ml-100k-ranking protocol (shared/datasets/README.md): for each user with test items, rank
 * every item with at least one train interaction except the user's own train items, take the top
 * k, and average precision, recall, nDCG, MAP and hit rate at k over those users. Coverage at k
 * is the number of distinct items in any user's top k over the number of items seen in train.
 * Buffers are allocated once and reused across users.
 */
export function evaluateRanking<K extends number = typeof METRIC_K>(options: EvaluateRankingOptions<K>): RankingEvaluation<K> {
  const { train, test, score } = options;
  const k = (options.k ?? METRIC_K) as K;
  const dropUnseen = (options.unseenTestItems ?? 'count') === 'drop';
  if (!Number.isInteger(k) || k < 1) throw new ShapeError(`evaluateRanking: k must be a positive integer, got ${k}`);

  const itemCount = train.itemIds.length;
  const trainUsers = train.userOffsets.length - 1;
  const testUsers = test.userOffsets.length - 1;
  checkRows('train', train, itemCount);
  // Test items past the train item range are allowed: they are simply never ranked.
  const testItemLimit = Math.max(itemCount, test.itemIds.length);
  checkRows('test', test, testItemLimit);

  const seenInTrain = new Uint8Array(itemCount);
  for (let r = 0; r < train.userItems.length; r++) seenInTrain[train.userItems[r]] = 1;
  let seenCount = 0;
  for (let i = 0; i < itemCount; i++) seenCount += seenInTrain[i];

  // relevant.has(item) ⇔ stamp[item] === current user + 1: no clearing between users.
  const stamp = new Int32Array(testItemLimit);
  let currentStamp = 0;
  const relevant: RelevantItems & { size: number } = {
    size: 0,
    has: (item: number) => stamp[item] === currentStamp,
  };

  const scores = new Float32Array(itemCount);
  const topIndices = new Int32Array(k);
  const topScores = new Float32Array(k);
  const recommended = new Uint8Array(itemCount);
  let sumPrecision = 0;
  let sumRecall = 0;
  let sumNdcg = 0;
  let sumMap = 0;
  let sumHr = 0;
  let users = 0;

  for (let u = 0; u < testUsers; u++) {
    currentStamp = u + 1;
    let size = 0;
    for (let r = test.userOffsets[u]; r < test.userOffsets[u + 1]; r++) {
      const item = test.userItems[r];
      if (stamp[item] === currentStamp) continue;
      if (dropUnseen && (item >= itemCount || seenInTrain[item] === 0)) continue;
      stamp[item] = currentStamp;
      size++;
    }
    if (size === 0) continue;
    relevant.size = size;

    scores.fill(Number.NaN);
    score(u, scores);
    for (let i = 0; i < itemCount; i++) if (seenInTrain[i] === 0) scores[i] = Number.NEGATIVE_INFINITY;
    if (u < trainUsers) {
      for (let r = train.userOffsets[u]; r < train.userOffsets[u + 1]; r++) {
        scores[train.userItems[r]] = Number.NEGATIVE_INFINITY;
      }
    }

    const count = topK(scores, k, topIndices, topScores);
    const ranked = topIndices.subarray(0, count);
    for (let j = 0; j < count; j++) recommended[ranked[j]] = 1;
    sumPrecision += precisionAtK(ranked, relevant, k);
    sumRecall += recallAtK(ranked, relevant, k);
    sumNdcg += ndcgAtK(ranked, relevant, k);
    sumMap += averagePrecisionAtK(ranked, relevant, k);
    sumHr += hitRateAtK(ranked, relevant, k);
    users++;
  }
  if (users === 0) throw new ShapeError('evaluateRanking: no test user has a relevant item to evaluate');

  let covered = 0;
  for (let i = 0; i < itemCount; i++) covered += recommended[i];
  return {
    [`precisionAt${k}`]: sumPrecision / users,
    [`recallAt${k}`]: sumRecall / users,
    [`ndcgAt${k}`]: sumNdcg / users,
    [`mapAt${k}`]: sumMap / users,
    [`hrAt${k}`]: sumHr / users,
    [`coverageAt${k}`]: seenCount === 0 ? 0 : covered / seenCount,
    users,
  } as RankingEvaluation<K>;
}

function checkRows(name: string, data: TrainingData, itemLimit: number): void {
  const offsets = data.userOffsets;
  const rows = data.userItems.length;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== rows) {
    throw new ShapeError(`evaluateRanking: ${name}.userOffsets must run from 0 to ${rows}`);
  }
  for (let u = 0; u + 1 < offsets.length; u++) {
    if (offsets[u + 1] < offsets[u]) throw new ShapeError(`evaluateRanking: ${name}.userOffsets decreases at user ${u}`);
  }
  for (let r = 0; r < rows; r++) {
    const item = data.userItems[r];
    if (item < 0 || item >= itemLimit) {
      throw new ShapeError(`evaluateRanking: ${name}.userItems[${r}] = ${item} is outside 0..${itemLimit - 1}`);
    }
  }
}
