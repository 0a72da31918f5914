import { describe, expect, it } from 'vitest';
import { ShapeError, TrainingError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import {
  predictRating,
  predictRatingFromHistory,
  ratingRmse,
  trainRatingModel,
  type RatingEpochLog,
  type RatingModel,
} from '../../../model/rating/index.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';
import { ratingTrainingData, readRatingsTsv, type RatingRows } from '../../helpers/ratingsTsv.ts';

/**
 * A synthetic rank-2 rating matrix: 3.5 + user bias + item bias + p_u · q_i, rounded and clamped
 * to 1…5; a seeded 60 % of the cells are observed, a disjoint 20 % is held out.
 */
function syntheticRatings(seed: number): { train: TrainingData; test: TrainingData } {
  const random = new Random(seed);
  const users = 80;
  const items = 50;
  const userVectors = Array.from({ length: users }, () => [random.nextGaussian(), random.nextGaussian()]);
  const itemVectors = Array.from({ length: items }, () => [random.nextGaussian(), random.nextGaussian()]);
  const userBias = Array.from({ length: users }, () => 0.4 * random.nextGaussian());
  const itemBias = Array.from({ length: items }, () => 0.4 * random.nextGaussian());
  const train: { users: string[]; items: string[]; ratings: number[] } = { users: [], items: [], ratings: [] };
  const test: { users: string[]; items: string[]; ratings: number[] } = { users: [], items: [], ratings: [] };
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      const draw = random.next();
      const target = draw < 0.6 ? train : draw < 0.8 ? test : undefined;
      if (target === undefined) continue;
      const dot = userVectors[u][0] * itemVectors[i][0] + userVectors[u][1] * itemVectors[i][1];
      target.users.push(`u${u}`);
      target.items.push(`i${i}`);
      target.ratings.push(Math.min(5, Math.max(1, Math.round(3.5 + userBias[u] + itemBias[i] + dot))));
    }
  }
  const [trainData, testData] = ratingTrainingData([train, test]);
  return { train: trainData, test: testData };
}

function globalMeanRmse(train: TrainingData, test: TrainingData): number {
  const mean = train.userRatings.reduce((a, b) => a + b, 0) / train.userRatings.length;
  return Math.sqrt(test.userRatings.reduce((a, r) => a + (r - mean) ** 2, 0) / test.userRatings.length);
}

const small = { dim: 4, epochs: 40, learningRate: 0.02, historyLearningRate: 0.02, biasLearningRate: 0.02, ensembleSize: 1 };

describe('trainRatingModel', () => {
  const { train, test } = syntheticRatings(11);

  it('learns a low-rank rating matrix far better than the global mean', () => {
    const model = trainRatingModel(train, { ...small, seed: 3 });
    const baseline = globalMeanRmse(train, test);
    const rmse = ratingRmse(model, test);
    expect(baseline).toBeGreaterThan(1);
    expect(rmse).toBeLessThan(0.6 * baseline);
  });

  it('is deterministic for a fixed seed, down to the bytes', () => {
    const a = trainRatingModel(train, { ...small, epochs: 5, seed: 9 });
    const b = trainRatingModel(train, { ...small, epochs: 5, seed: 9 });
    const c = trainRatingModel(train, { ...small, epochs: 5, seed: 10 });
    const bytes = (m: RatingModel): Buffer[] =>
      [m.userBias, m.userFactors, m.userHistoryVectors, m.head.itemBias, m.head.itemFactors, m.head.historyFactors].map((x) =>
        Buffer.from(x.buffer, x.byteOffset, x.byteLength),
      );
    bytes(a).forEach((x, k) => expect(x.equals(bytes(b)[k])).toBe(true));
    expect(bytes(a)[4].equals(bytes(c)[4])).toBe(false);
  });

  it('logs every epoch and, with a validation set, keeps the best epoch and stops on patience', () => {
    const logs: RatingEpochLog[] = [];
    // No regularisation and a large step: it overfits, so the validation RMSE turns up.
    const model = trainRatingModel(train, {
      dim: 16,
      ensembleSize: 1,
      epochs: 200,
      learningRate: 0.05,
      historyLearningRate: 0.05,
      learningRateDecay: 1,
      factorRegularization: 0,
      historyRegularization: 0,
      biasRegularization: 0,
      patience: 3,
      seed: 5,
      validation: test,
      onEpoch: (log) => logs.push(log),
    });
    expect(logs.length).toBeLessThan(200);
    expect(logs.map((l) => l.epoch)).toEqual(logs.map((_, k) => k + 1));
    const rmses = logs.map((l) => l.validationRmse ?? Number.NaN);
    const best = Math.min(...rmses);
    expect(rmses.indexOf(best)).toBe(logs.length - 1 - 3);
    expect(ratingRmse(model, test)).toBeCloseTo(best, 6);
    logs.forEach((l) => expect(Number.isFinite(l.loss)).toBe(true));
  });

  it('averages an ensemble into one wider model whose first block is the single model of that seed', () => {
    const single = trainRatingModel(train, { ...small, seed: 3 });
    const ensemble = trainRatingModel(train, { ...small, seed: 3, ensembleSize: 3 });
    const { dim } = small;
    const wide = 3 * dim;
    expect(ensemble.head.dim).toBe(wide);
    expect(ensemble.head.itemFactors.length).toBe(train.itemIds.length * wide);
    expect(ensemble.userFactors.length).toBe(train.userIds.length * wide);
    for (let i = 0; i < train.itemIds.length; i++) {
      for (let f = 0; f < dim; f++) {
        // Item factors carry the 1/3 of the average; history factors are side by side as trained.
        expect(3 * ensemble.head.itemFactors[i * wide + f]).toBeCloseTo(single.head.itemFactors[i * dim + f], 5);
        expect(ensemble.head.historyFactors[i * wide + f]).toBe(single.head.historyFactors[i * dim + f]);
      }
    }
    expect(ratingRmse(ensemble, test)).toBeLessThan(0.6 * globalMeanRmse(train, test));
  });

  it('stops at shouldStop: fewer epochs, then fewer members, never less than one epoch', () => {
    const log: RatingEpochLog[] = [];
    let asked = 0;
    // Answers "go on" twice (epochs 2 and 3 of the first member), then "stop".
    const stopped = trainRatingModel(train, {
      ...small,
      seed: 3,
      ensembleSize: 3,
      onEpoch: (entry) => log.push(entry),
      shouldStop: () => ++asked > 2,
    });
    expect(log.map((entry) => [entry.member, entry.epoch])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    expect(stopped.head.dim).toBe(small.dim);
    const never = trainRatingModel(train, { ...small, seed: 3, shouldStop: () => true });
    expect(Number.isFinite(ratingRmse(never, test))).toBe(true);
  });

  it('with userDropout 1 trains the history-only head alone, which then predicts known users', () => {
    const model = trainRatingModel(train, { ...small, userDropout: 1, seed: 4 });
    expect(model.userBias.every((b) => b === 0)).toBe(true);
    expect(model.userFactors.every((p) => p === 0)).toBe(true);
    for (const u of [0, 7, 33]) {
      const start = train.userOffsets[u];
      const end = train.userOffsets[u + 1];
      const items = train.userItems.subarray(start, end);
      const weights = train.userWeights.subarray(start, end);
      for (const i of [0, 5, 21]) {
        expect(predictRating(model, u, i)).toBeCloseTo(predictRatingFromHistory(model.head, items, weights, i), 5);
      }
    }
    // Here which cells are observed is random, so a history says nothing about its user: only the
    // item biases can be learned, and they still beat the global mean.
    expect(ratingRmse(model, test)).toBeLessThan(globalMeanRmse(train, test) - 0.05);
  });

  it('uses unrated rows as history only', () => {
    // User "a" rated item x; user "b" only watched items x and y (no ratings).
    const rows: RatingRows = { users: ['a', 'a', 'c'], items: ['x', 'y', 'y'], ratings: [4, 2, 5] };
    const [rated] = ratingTrainingData([rows]);
    const data: TrainingData = {
      ...rated,
      userIds: [...rated.userIds, 'b'],
      userOffsets: Int32Array.from([...rated.userOffsets, rated.userItems.length + 2]),
      userItems: Int32Array.from([...rated.userItems, 0, 1]),
      userWeights: Float32Array.from([...rated.userWeights, 1, 0.5]),
      userRatings: Float32Array.from([...rated.userRatings, Number.NaN, Number.NaN]),
    };
    const model = trainRatingModel(data, { dim: 2, epochs: 3, ensembleSize: 1, seed: 1 });
    const b = 2;
    expect(model.head.globalMean).toBeCloseTo(11 / 3, 6);
    expect(model.userBias[b]).toBe(0);
    expect(Array.from(model.userFactors.subarray(b * 2, b * 2 + 2))).toEqual([0, 0]);
    // Its history term is the weighted y rows: (y_x + 0.5 y_y) / 1.5^0.5.
    const y = model.head.historyFactors;
    for (let f = 0; f < 2; f++) {
      expect(model.userHistoryVectors[b * 2 + f]).toBeCloseTo((y[f] + 0.5 * y[2 + f]) / Math.sqrt(1.5), 6);
    }
    // So its known-user prediction is the history-only prediction.
    expect(predictRating(model, b, 1)).toBeCloseTo(predictRatingFromHistory(model.head, [0, 1], [1, 0.5], 1), 6);
  });

  it('throws TrainingError when the steps diverge', () => {
    expect(() => trainRatingModel(train, { ...small, learningRate: 50, historyLearningRate: 50, seed: 1 })).toThrow(TrainingError);
  });

  it('throws TrainingError without ratings and ShapeError on bad arguments', () => {
    const [none] = ratingTrainingData([{ users: [], items: [], ratings: [] }]);
    expect(() => trainRatingModel(none)).toThrow(TrainingError);
    expect(() => trainRatingModel(train, { dim: 0 })).toThrow(ShapeError);
    expect(() => trainRatingModel(train, { learningRate: Number.NaN })).toThrow(ShapeError);
    expect(() => trainRatingModel(train, { userDropout: 1.5 })).toThrow(ShapeError);
    const other = syntheticRatings(12).train;
    const shuffledIndex = { ...other, itemIds: [...other.itemIds].reverse() };
    expect(() => trainRatingModel(train, { validation: shuffledIndex })).toThrow(ShapeError);
    const unrated = { ...test, userRatings: new Float32Array(test.userRatings.length).fill(Number.NaN) };
    expect(() => trainRatingModel(train, { validation: unrated })).toThrow(ShapeError);
  });
});

const datasets = process.env.MARQUEE_DATASETS;
if (!datasets) console.warn('trainRatingModel MovieLens 100K test skipped: set MARQUEE_DATASETS to the datasets folder');

describe.skipIf(!datasets)('trainRatingModel on MovieLens 100K u1 (needs MARQUEE_DATASETS)', () => {
  it('beats the published SVD++ level on u1.test with the defaults', () => {
    const [train, test] = ratingTrainingData([
      readRatingsTsv(`${datasets}/ml-100k/u1.base`),
      readRatingsTsv(`${datasets}/ml-100k/u1.test`),
    ]);
    const model = trainRatingModel(train, { seed: 1 });
    // 0.93: the level of published SVD / SVD++ results on this benchmark, not this code's output.
    expect(ratingRmse(model, test)).toBeLessThan(0.93);
  }, 600_000);
});
