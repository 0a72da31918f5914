import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ExportError } from '../../../model/errors.ts';
import { exportedScoringModel, exportRecommendGraph } from '../../../model/onnx/exportRecommendGraph.ts';
import { exportSimilarGraph } from '../../../model/onnx/exportSimilarGraph.ts';
import { readScoringModel } from '../../../model/onnx/readScoringModel.ts';
import { Random } from '../../../model/random.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { predictRatings, scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';

const int64 = (values: ArrayLike<number>): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(Array.from(values), (v) => BigInt(v)),
    [values.length],
  );

/** Scores and predicted ratings of every item for a few random histories with preferences. */
function referenceOutputs(model: ScoringModel, seed: number): Float32Array[] {
  const random = new Random(seed);
  const outputs: Float32Array[] = [];
  const everyItem = Int32Array.from({ length: model.itemCount }, (_, i) => i);
  for (let c = 0; c < 5; c++) {
    const history = Int32Array.from({ length: 1 + random.nextInt(10) }, () => random.nextInt(model.itemCount));
    const weights = Float32Array.from(history, () => 0.1 + 2 * random.next());
    const preferences = Int32Array.from({ length: random.nextInt(3) }, () => random.nextInt(model.featureCount));
    const user = new Float32Array(model.dim);
    userVector(model, history, weights, preferences, user);
    const scores = new Float32Array(model.itemCount);
    scoreItems(model, user, scores);
    outputs.push(scores);
    if (model.rating) {
      const ratings = new Float32Array(model.itemCount);
      predictRatings(model, history, weights, everyItem, ratings);
      outputs.push(ratings);
    }
  }
  return outputs;
}

describe('readScoringModel', () => {
  for (const withRating of [true, false]) {
    it(`reads back exactly the model that was exported (${withRating ? 'with' : 'without'} a rating head)`, () => {
      const model = exportedScoringModel(randomScoringModel({ items: 120, features: 15, dim: 12, seed: 5, withRating, ratingDim: 6 }));
      const read = readScoringModel(exportRecommendGraph(model));
      // β and λ are float64 in the file, so even these non-float32 values survive exactly.
      expect(read).toEqual(model);
      expect(referenceOutputs(read, 9)).toEqual(referenceOutputs(model, 9));
    });
  }

  it('reads the export of an unrounded model back as that model with its item matrices rounded to float16', () => {
    const model = randomScoringModel({ items: 40, features: 5, dim: 6, seed: 12, withRating: true });
    const read = readScoringModel(exportRecommendGraph(model));
    expect(read).toEqual(exportedScoringModel(model));
    expect(read.historyVectors).not.toEqual(model.historyVectors);
    expect(read.preferenceVectors).toEqual(model.preferenceVectors);
  });

  it('re-exports a read model to the same bytes, so onnxruntime scores it identically', async () => {
    const model = exportedScoringModel(randomScoringModel({ items: 80, features: 10, dim: 8, seed: 6, withRating: true }));
    const bytes = exportRecommendGraph(model);
    const again = exportRecommendGraph(readScoringModel(bytes));
    expect(again).toEqual(bytes);

    const feeds = {
      history_items: int64([1, 2, 3]),
      history_weights: new ort.Tensor('float32', Float32Array.of(1, 0.5, 2), [3]),
      preferences: int64([4]),
      exclude: int64([2]),
      k: int64([10]),
    };
    const [first, second] = await Promise.all([ort.InferenceSession.create(bytes), ort.InferenceSession.create(again)]);
    const a = await first.run(feeds);
    const b = await second.run(feeds);
    for (const name of ['items', 'scores', 'contributions', 'ratings']) expect(b[name].data).toEqual(a[name].data);
    await Promise.all([first.release(), second.release()]);
  });

  it('reads back the new-title rows and bias (and leaves them out for a model without them)', () => {
    const base = exportedScoringModel(randomScoringModel({ items: 30, features: 6, dim: 4, seed: 10 }));
    const random = new Random(10);
    const model: ScoringModel = {
      ...base,
      featureItemVectors: Float32Array.from({ length: 6 * 4 }, () => random.nextGaussian()),
      // Not a float32 value: stored as float64, it survives exactly.
      newItemBias: 0.1 + 1e-12,
    };
    const read = readScoringModel(exportRecommendGraph(model));
    expect(read).toEqual(model);
    expect(read.newItemBias).toBe(model.newItemBias);
    expect(readScoringModel(exportRecommendGraph(base))).not.toHaveProperty('featureItemVectors');
    expect(readScoringModel(exportRecommendGraph(base))).not.toHaveProperty('newItemBias');
  });

  it('refuses new-title rows whose shape does not match the feature count', () => {
    const base = randomScoringModel({ items: 10, features: 3, dim: 4, seed: 11 });
    expect(() => exportRecommendGraph({ ...base, featureItemVectors: new Float32Array(8) })).toThrow(ExportError);
  });

  it('reads a model with no preference features', () => {
    const model = exportedScoringModel(randomScoringModel({ items: 10, features: 0, dim: 4, seed: 7 }));
    expect(readScoringModel(exportRecommendGraph(model))).toEqual(model);
  });

  it('throws ExportError on bytes that are not a Marquee recommend graph', () => {
    const bytes = exportRecommendGraph(randomScoringModel({ items: 10, features: 3, dim: 4, seed: 8 }));
    const garbage = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff);
    const similar = exportSimilarGraph(randomScoringModel({ items: 10, features: 3, dim: 4, seed: 8 }));
    for (const bad of [bytes.subarray(0, bytes.length - 10), bytes.subarray(0, 100), garbage, new Uint8Array(0), similar]) {
      expect(() => readScoringModel(bad)).toThrow(ExportError);
    }
  });
});
