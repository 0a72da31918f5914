import { describe, expect, it } from 'vitest';
import {
  evaluateRanking,
  exportRecommendGraph,
  exportSimilarGraph,
  Random,
  scoreItems,
  similarItems,
  splitPerUser,
  trainRecommender,
  TrainingError,
  userVector,
  type ScoringModel,
  type TrainingData,
} from '../../../model/index.ts';
import { DEFAULT_RECOMMENDER_HYPER_PARAMETERS } from '../../../model/recommender/hyperParameters.ts';
import { SAMPLED_MAX_BATCH_USERS, sampledBatch } from '../../../model/recommender/trainRecommender.ts';
import { demoTrainingData } from '../../helpers/demoTrainingData.ts';

const SMALL = { dim: 16, maxEpochs: 25, patience: 5, batchUsers: 16, learningRate: 0.01 };

function ndcgOf(train: TrainingData, test: TrainingData, score: (u: number, out: Float32Array) => void): number {
  return evaluateRanking({ train, test, score }).ndcgAt10;
}

function modelScorer(model: ScoringModel, train: TrainingData) {
  const user = new Float32Array(model.dim);
  const none = new Int32Array(0);
  return (u: number, out: Float32Array): void => {
    const from = train.userOffsets[u];
    const to = train.userOffsets[u + 1];
    userVector(model, train.userItems.subarray(from, to), train.userWeights.subarray(from, to), none, user);
    scoreItems(model, user, out);
  };
}

describe('trainRecommender', () => {
  const { data } = demoTrainingData();

  it('is deterministic for a seed and differs across seeds', () => {
    const options = { ...SMALL, maxEpochs: 3, validationFraction: 0 };
    const a = trainRecommender(data, { hyperParameters: { ...options, seed: 5 } });
    const b = trainRecommender(data, { hyperParameters: { ...options, seed: 5 } });
    const c = trainRecommender(data, { hyperParameters: { ...options, seed: 6 } });
    expect(Buffer.from(a.parameters.values.buffer).equals(Buffer.from(b.parameters.values.buffer))).toBe(true);
    expect(Buffer.from(a.parameters.values.buffer).equals(Buffer.from(c.parameters.values.buffer))).toBe(false);
    // …and so are the exported graphs, byte for byte.
    expect(Buffer.from(exportRecommendGraph(a.model)).equals(Buffer.from(exportRecommendGraph(b.model)))).toBe(true);
    expect(Buffer.from(exportSimilarGraph(a.model)).equals(Buffer.from(exportSimilarGraph(b.model)))).toBe(true);
  });

  it('learns the viewers’ tastes: beats popularity clearly on held-out interactions', () => {
    const { train, validation: test } = splitPerUser(data, 0.25, new Random(11));
    const trained = trainRecommender(train, { hyperParameters: { ...SMALL, validationFraction: 0.1, seed: 1 } });
    const popularity = new Float32Array(train.itemIds.length);
    for (const i of train.userItems) popularity[i]++;
    const popularityNdcg = ndcgOf(train, test, (_u, out) => out.set(popularity));
    const modelNdcg = ndcgOf(train, test, modelScorer(trained.model, train));
    expect(modelNdcg).toBeGreaterThan(popularityNdcg * 1.2);
  });

  it('chooses the epoch count on validation, then refits on all data for that many epochs', () => {
    const trained = trainRecommender(data, { hyperParameters: { ...SMALL, maxEpochs: 8, patience: 3, seed: 2 } });
    const select = trained.log.filter((entry) => entry.phase === 'select');
    const refit = trained.log.filter((entry) => entry.phase === 'refit');
    expect(select.length).toBeGreaterThan(0);
    for (const entry of select) expect(entry.validationNdcgAt10).toBeGreaterThan(0);
    const best = Math.max(...select.map((entry) => entry.validationNdcgAt10 ?? 0));
    expect(trained.validationNdcgAt10).toBe(best);
    expect(trained.epochs).toBe(select.find((entry) => entry.validationNdcgAt10 === best)?.epoch);
    expect(refit.length).toBe(trained.epochs);
    for (const entry of trained.log) expect(Number.isFinite(entry.loss)).toBe(true);
  });

  it('stops when asked to, keeping a usable model', () => {
    let epochs = 0;
    const trained = trainRecommender(data, {
      hyperParameters: { ...SMALL, validationFraction: 0 },
      onEpoch: () => epochs++,
      shouldStop: () => epochs >= 2,
    });
    expect(trained.epochs).toBe(2);
    expect(trained.model.itemVectors.every(Number.isFinite)).toBe(true);
  });

  it('places a title with metadata but no interactions among titles that share its content', () => {
    const base = demoTrainingData().items;
    const template = base.find((item) => item.genres.length >= 2) ?? base[0];
    const fresh = { ...template, itemId: 'fresh-title', title: 'A Fresh Title' };
    const { data: withFresh, items } = demoTrainingData({ extraItems: [fresh] });
    const index = withFresh.itemIds.indexOf('fresh-title');
    expect(withFresh.userItems.includes(index)).toBe(false);
    const trained = trainRecommender(withFresh, { hyperParameters: { ...SMALL, maxEpochs: 10, validationFraction: 0 } });

    const k = 10;
    const found = new Int32Array(k);
    expect(similarItems(trained.model, index, k, found, new Float32Array(k))).toBe(k);
    const byId = new Map(items.map((item) => [item.itemId, item]));
    const sharesGenre = (itemId: string): boolean => byId.get(itemId)!.genres.some((g) => fresh.genres.includes(g));
    const shareAmongSimilar = Array.from(found).filter((i) => sharesGenre(withFresh.itemIds[i])).length / k;
    const shareInCatalog = base.filter((item) => sharesGenre(item.itemId)).length / base.length;
    expect(shareAmongSimilar).toBeGreaterThan(shareInCatalog);
    expect(shareAmongSimilar).toBeGreaterThanOrEqual(0.7);
  });

  it('trains the sampled objective deterministically, recording the objective it used', () => {
    const options = { ...SMALL, maxEpochs: 3, validationFraction: 0, objective: 'sampled' as const, negatives: 40, batchNegatives: 20 };
    const a = trainRecommender(data, { hyperParameters: { ...options, seed: 5 } });
    const b = trainRecommender(data, { hyperParameters: { ...options, seed: 5 } });
    expect(a.hyperParameters.objective).toBe('sampled');
    expect(Buffer.from(a.parameters.values.buffer).equals(Buffer.from(b.parameters.values.buffer))).toBe(true);
    // auto resolves by catalog size: this small catalog keeps the full softmax.
    expect(trainRecommender(data, { hyperParameters: { ...SMALL, maxEpochs: 1, validationFraction: 0 } }).hyperParameters.objective).toBe(
      'full',
    );
  });

  it('learns the viewers’ tastes with the sampled objective too', () => {
    const { train, validation: test } = splitPerUser(data, 0.25, new Random(11));
    const trained = trainRecommender(train, {
      hyperParameters: { ...SMALL, validationFraction: 0.1, seed: 1, objective: 'sampled', negatives: 40, batchNegatives: 20 },
    });
    const popularity = new Float32Array(train.itemIds.length);
    for (const i of train.userItems) popularity[i]++;
    const popularityNdcg = ndcgOf(train, test, (_u, out) => out.set(popularity));
    expect(ndcgOf(train, test, modelScorer(trained.model, train))).toBeGreaterThan(popularityNdcg * 1.2);
  });

  it('sums the feature rows over sampledFeatureSteps steps: still deterministic, and a different model than every step', () => {
    // 120 viewers, 2 a batch: 60 steps an epoch, so up to 3 steps (a sixteenth) may be summed.
    const options = {
      ...SMALL,
      maxEpochs: 2,
      validationFraction: 0,
      objective: 'sampled' as const,
      negatives: 40,
      batchNegatives: 20,
      sampledBatchUsers: 2,
      sampledStepsPerEpoch: 1000,
      seed: 5,
    };
    const every = trainRecommender(data, { hyperParameters: { ...options, sampledFeatureSteps: 1 } });
    const a = trainRecommender(data, { hyperParameters: { ...options, sampledFeatureSteps: 3 } });
    const b = trainRecommender(data, { hyperParameters: { ...options, sampledFeatureSteps: 3 } });
    expect(Buffer.from(a.parameters.values.buffer).equals(Buffer.from(b.parameters.values.buffer))).toBe(true);
    expect(Buffer.from(a.parameters.values.buffer).equals(Buffer.from(every.parameters.values.buffer))).toBe(false);
    for (const value of a.parameters.values) expect(Number.isFinite(value)).toBe(true);
  });

  it('updates the feature rows every step when an epoch has fewer than 32 steps, whatever sampledFeatureSteps says', () => {
    // 120 viewers, 16 a batch: 8 steps an epoch, as ml-100k.
    const options = {
      ...SMALL,
      maxEpochs: 2,
      validationFraction: 0,
      objective: 'sampled' as const,
      negatives: 40,
      batchNegatives: 20,
      sampledBatchUsers: 16,
      sampledStepsPerEpoch: 1000,
      seed: 5,
    };
    const every = trainRecommender(data, { hyperParameters: { ...options, sampledFeatureSteps: 1 } });
    const summed = trainRecommender(data, { hyperParameters: { ...options, sampledFeatureSteps: 16 } });
    expect(Buffer.from(summed.parameters.values.buffer).equals(Buffer.from(every.parameters.values.buffer))).toBe(true);
  });

  it('grows the sampled batch with the viewers beyond sampledStepsPerEpoch steps, and the step size by its square root', () => {
    const hp = { ...DEFAULT_RECOMMENDER_HYPER_PARAMETERS, sampledBatchUsers: 128, sampledLearningRate: 0.04, sampledStepsPerEpoch: 40 };
    // ml-100k's 943 viewers: 8 steps of 128, as before.
    expect(sampledBatch(hp, 943)).toEqual({ users: 128, learningRate: 0.04 });
    const large = sampledBatch(hp, 20_480);
    expect(large.users).toBe(512);
    expect(large.learningRate).toBeCloseTo(0.08, 12);
    expect(sampledBatch(hp, 10_000_000).users).toBe(SAMPLED_MAX_BATCH_USERS);
  });

  it('trains the same bytes with a grown sampled batch as with that batch asked for', () => {
    const options = {
      ...SMALL,
      maxEpochs: 2,
      validationFraction: 0,
      objective: 'sampled' as const,
      negatives: 40,
      batchNegatives: 20,
      seed: 5,
    };
    // 120 viewers, 10 steps an epoch: batches of 12 at 0.04 × √(12/4).
    const grown = trainRecommender(data, {
      hyperParameters: { ...options, sampledBatchUsers: 4, sampledLearningRate: 0.04, sampledStepsPerEpoch: 10 },
    });
    const asked = trainRecommender(data, {
      hyperParameters: { ...options, sampledBatchUsers: 12, sampledLearningRate: 0.04 * Math.sqrt(3), sampledStepsPerEpoch: 1000 },
    });
    expect(Buffer.from(grown.parameters.values.buffer).equals(Buffer.from(asked.parameters.values.buffer))).toBe(true);
  });

  it('refuses data without interactions', () => {
    const empty: TrainingData = {
      ...data,
      userIds: [],
      userOffsets: new Int32Array(1),
      userItems: new Int32Array(0),
      userWeights: new Float32Array(0),
      userRatings: new Float32Array(0),
    };
    expect(() => trainRecommender(empty)).toThrow(TrainingError);
  });
});
