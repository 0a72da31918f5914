import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { Adam } from '../../../model/recommender/adam.ts';
import { MiniBatch } from '../../../model/recommender/miniBatch.ts';
import { ParallelTrainer } from '../../../model/recommender/parallelTrainer.ts';
import { RecommenderParameters } from '../../../model/recommender/recommenderParameters.ts';
import { softmaxGradient, SoftmaxWorkspace } from '../../../model/recommender/softmaxGradient.ts';
import { trainRecommender } from '../../../model/recommender/trainRecommender.ts';
import { demoTrainingData } from '../../helpers/demoTrainingData.ts';

const HP = { historyExponent: 0.5, learningRate: 0.01, weightDecay: 0.5 };
const MAX_USERS = 13;

describe('ParallelTrainer', () => {
  // Demo titles carry genres, people, a year and tags, so every parameter block gets a gradient.
  const { data } = demoTrainingData({ seed: 4, items: 90, users: 70 });
  function initialParameters(dim = 12): RecommenderParameters {
    const params = new RecommenderParameters(dim, data.itemIds.length, data.vocabulary.length);
    params.initialise(new Random(9), 0.2);
    return params;
  }

  /** Fills `batch` with users first..first+count-1, half of each history kept as input. */
  function batchOf(batch: MiniBatch, first: number, count: number, rng: Random): MiniBatch {
    batch.clear();
    for (let u = first; u < first + count; u++) {
      const from = data.userOffsets[u];
      const to = data.userOffsets[u + 1];
      if (to > from) batch.addUser(data.userItems, data.userWeights, from, to, () => rng.next() < 0.5, true);
    }
    return batch;
  }

  function sameBytes(a: Float32Array, b: Float32Array): boolean {
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  function maxDifference(a: Float32Array, b: Float32Array): { difference: number; largest: number } {
    let difference = 0;
    let largest = 0;
    for (let p = 0; p < a.length; p++) {
      difference = Math.max(difference, Math.abs(a[p] - b[p]));
      largest = Math.max(largest, Math.abs(b[p]));
    }
    return { difference, largest };
  }

  // dim 12 runs the SIMD products, dim 10 the JavaScript ones.
  for (const [threads, dim] of [
    [2, 12],
    [3, 12],
    [2, 10],
  ]) {
    it(`with ${threads} threads computes exactly the single-thread gradient and Adam step (dim ${dim})`, () => {
      const single = initialParameters(dim);
      const parallel = initialParameters(dim);
      const grad = single.like();
      const workspace = new SoftmaxWorkspace(dim, single.itemCount, MAX_USERS);
      const adam = new Adam(single.values.length, HP.learningRate, HP.weightDecay);
      const trainer = new ParallelTrainer(parallel, data, { threads, maxUsers: MAX_USERS, ...HP });
      try {
        const rng = new Random(1);
        const batch = new MiniBatch(MAX_USERS);
        // Batches of 13, 5, 1 and 13 users: uneven splits, and a thread with no users at all.
        const sizes = [13, 5, 1, 13];
        let first = 0;
        for (const size of sizes) {
          batchOf(batch, first, size, rng);
          first += size;
          grad.values.fill(0);
          const expectedLoss = softmaxGradient(
            single,
            data.itemFeatureOffsets,
            data.itemFeatures,
            batch,
            HP.historyExponent,
            workspace,
            grad,
          );
          const loss = trainer.step(batch);
          trainer.read(parallel);
          // Only the loss is summed in another order (per thread, then across threads).
          expect(Math.abs(loss - expectedLoss)).toBeLessThanOrEqual(1e-9 * expectedLoss);
          // Every gradient row is computed by one thread exactly as the single thread computes it.
          expect(maxDifference(grad.values, new Float32Array(grad.values.length)).difference).toBeGreaterThan(1e-3);
          expect(sameBytes(trainer.gradient.values, grad.values)).toBe(true);
          adam.apply(single.values, grad.values);
          expect(sameBytes(parallel.values, single.values)).toBe(true);
        }
        // Every block moved: the parallel Adam updated id rows, feature rows and biases.
        const start = initialParameters(dim);
        for (const block of ['itemInput', 'featureInput', 'itemOutput', 'featureOutput', 'itemBias'] as const) {
          expect(maxDifference(parallel[block], start[block]).difference, block).toBeGreaterThan(0);
        }
      } finally {
        trainer.close();
      }
    });
  }

  it('gives the same bytes on every run and for every thread count (through trainRecommender)', () => {
    const hyperParameters = { dim: 12, maxEpochs: 3, batchUsers: 16, learningRate: 0.01, validationFraction: 0, seed: 5 };
    const a = trainRecommender(data, { hyperParameters, threads: 2 });
    const b = trainRecommender(data, { hyperParameters, threads: 2 });
    expect(sameBytes(a.parameters.values, b.parameters.values)).toBe(true);
    const one = trainRecommender(data, { hyperParameters, threads: 1 });
    expect(sameBytes(a.parameters.values, one.parameters.values)).toBe(true);
    const three = trainRecommender(data, { hyperParameters, threads: 3 });
    expect(sameBytes(three.parameters.values, one.parameters.values)).toBe(true);
  });

  it('rejects fewer than two threads and stepping after close', () => {
    const params = initialParameters();
    expect(() => new ParallelTrainer(params, data, { threads: 1, maxUsers: MAX_USERS, ...HP })).toThrow(ShapeError);
    const trainer = new ParallelTrainer(params, data, { threads: 2, maxUsers: MAX_USERS, ...HP });
    trainer.close();
    trainer.close();
    expect(() => trainer.step(batchOf(new MiniBatch(MAX_USERS), 0, 3, new Random(2)))).toThrow(/after close/);
  });
});
