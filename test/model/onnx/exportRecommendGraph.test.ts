import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { ExportError } from '../../../model/errors.ts';
import { exportedScoringModel, exportRecommendGraph } from '../../../model/onnx/exportRecommendGraph.ts';
import { Random } from '../../../model/random.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { newItemVector } from '../../../model/recommender/newItemVector.ts';
import { contributions, predictRatings, scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import { topK } from '../../../model/recommender/topK.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';
import { checkOnnxModel } from '../../helpers/onnxChecker.ts';

/**
 * Agreement of onnxruntime with the TypeScript reference: every number must satisfy
 * |onnx − ts| ≤ 1e-5 · max(1, |ts|), i.e. absolute 1e-5 for values up to 1 in magnitude and
 * relative 1e-5 above. (The graph sums in float32, the reference in float64.)
 */
const TOLERANCE = 1e-5;

function error(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

interface Request {
  readonly historyItems: Int32Array;
  readonly historyWeights: Float32Array;
  readonly preferences: Int32Array;
  readonly exclude: Int32Array;
  readonly k: number;
}

interface Comparison {
  /** Largest error of scores, contributions and ratings, in the sense of `error`. */
  readonly maxError: number;
  /** Positions where onnx and the reference rank two items with equal (within tolerance) scores differently. */
  readonly tieSwaps: number;
  /** Ranked positions compared. */
  readonly positions: number;
}

const int64 = (values: ArrayLike<number>): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(Array.from(values), (v) => BigInt(v)),
    [values.length],
  );

function feeds(request: Request): Record<string, ort.Tensor> {
  return {
    history_items: int64(request.historyItems),
    history_weights: new ort.Tensor('float32', request.historyWeights, [request.historyWeights.length]),
    preferences: int64(request.preferences),
    exclude: int64(request.exclude),
    k: int64([request.k]),
  };
}

/**
 * Runs one request through onnxruntime and through the reference scorer (userVector → scoreItems
 * → excluded set to -Infinity → topK, then contributions and predictRatings of the items onnx
 * returned), asserts the structural properties, and returns the numeric agreement.
 */
async function compare(session: ort.InferenceSession, model: ScoringModel, request: Request): Promise<Comparison> {
  const user = new Float32Array(model.dim);
  const divisor = userVector(model, request.historyItems, request.historyWeights, request.preferences, user);
  const all = new Float32Array(model.itemCount);
  scoreItems(model, user, all);
  for (const e of request.exclude) all[e] = Number.NEGATIVE_INFINITY;
  const k = Math.max(0, Math.min(request.k, model.itemCount));
  const refItems = new Int32Array(k);
  const refScores = new Float32Array(k);
  const count = topK(all, k, refItems, refScores);

  const out = await session.run(feeds(request));
  const items = Int32Array.from(out.items.data as BigInt64Array, (v) => Number(v));
  const scores = out.scores.data as Float32Array;
  const h = request.historyItems.length;
  expect(items.length).toBe(count);
  expect(out.scores.dims).toEqual([count]);
  expect(out.contributions.dims).toEqual([h, count]);

  // Never an excluded item, never twice the same item.
  const excluded = new Set(request.exclude);
  expect(items.some((i) => excluded.has(i))).toBe(false);
  expect(new Set(items).size).toBe(items.length);

  let maxError = 0;
  let tieSwaps = 0;
  for (let r = 0; r < count; r++) {
    if (items[r] !== refItems[r]) {
      // Only items whose reference scores are equal within tolerance may trade places.
      expect(error(all[items[r]], all[refItems[r]]), `rank ${r}: onnx ${items[r]}, reference ${refItems[r]}`).toBeLessThanOrEqual(
        TOLERANCE,
      );
      tieSwaps++;
    }
    maxError = Math.max(maxError, error(scores[r], all[items[r]]));
  }

  const refContributions = new Float32Array(h * count);
  contributions(model, request.historyItems, request.historyWeights, divisor, items, refContributions);
  const onnxContributions = out.contributions.data as Float32Array;
  for (let i = 0; i < refContributions.length; i++) maxError = Math.max(maxError, error(onnxContributions[i], refContributions[i]));

  if (model.rating) {
    expect(out.ratings.dims).toEqual([count]);
    const refRatings = new Float32Array(count);
    predictRatings(model, request.historyItems, request.historyWeights, items, refRatings);
    const ratings = out.ratings.data as Float32Array;
    for (let r = 0; r < count; r++) maxError = Math.max(maxError, error(ratings[r], refRatings[r]));
  } else {
    expect(out.ratings).toBeUndefined();
  }

  // user_vector is u itself; with the model's new-title rows, u · v_new + newItemBias scores a title
  // added after training as the reference does.
  expect(out.user_vector.dims).toEqual([model.dim]);
  const onnxUser = out.user_vector.data as Float32Array;
  for (let d = 0; d < model.dim; d++) maxError = Math.max(maxError, error(onnxUser[d], user[d]));
  if (model.featureItemVectors && model.featureCount > 0) {
    const features = Int32Array.from(new Set(Array.from(request.preferences)));
    const vector = new Float32Array(model.dim);
    const bias = newItemVector(model, features, vector);
    let onnxScore = bias;
    let refScore = bias;
    for (let d = 0; d < model.dim; d++) {
      onnxScore += onnxUser[d] * vector[d];
      refScore += user[d] * vector[d];
    }
    maxError = Math.max(maxError, error(onnxScore, refScore));
  }
  if (model.newItemBias !== undefined) {
    expect(out.new_item_bias.dims).toEqual([]);
    maxError = Math.max(maxError, error((out.new_item_bias.data as Float32Array)[0], model.newItemBias));
  } else {
    expect(out.new_item_bias).toBeUndefined();
  }
  return { maxError, tieSwaps, positions: count };
}

/** A random request: empty history / preferences / exclusions often, k from 1 up to beyond what remains. */
function randomRequest(random: Random, model: ScoringModel): Request {
  const n = model.itemCount;
  const h = random.next() < 0.2 ? 0 : 1 + random.nextInt(30);
  const historyItems = Int32Array.from({ length: h }, () => random.nextInt(n));
  const heavy = random.next() < 0.3;
  const historyWeights = Float32Array.from({ length: h }, () => {
    const u = random.next();
    if (u < 0.1) return 0;
    return heavy ? 1 + 4 * random.next() : 0.05 + 0.5 * random.next();
  });
  const p = model.featureCount === 0 || random.next() < 0.3 ? 0 : 1 + random.nextInt(5);
  const preferences = Int32Array.from({ length: p }, () => random.nextInt(model.featureCount));
  const e = random.next() < 0.3 ? 0 : 1 + random.nextInt(25);
  // Exclusions overlap the history often (what a user saw) and may repeat.
  const exclude = Int32Array.from({ length: e }, (_, i) => (i < h && random.next() < 0.5 ? historyItems[i] : random.nextInt(n)));
  const remaining = n - new Set(exclude).size;
  const choice = random.nextInt(5);
  const k = [1, 10, remaining, n + 5, 1 + random.nextInt(n)][choice];
  return { historyItems, historyWeights, preferences, exclude, k };
}

const MODELS = [
  { name: '300 items, 40 features, dim 16, rating head', items: 300, features: 40, dim: 16, seed: 11, withRating: true, newItems: true },
  {
    name: '300 items, 40 features, dim 64, rating head of dim 8',
    items: 300,
    features: 40,
    dim: 64,
    seed: 12,
    withRating: true,
    ratingDim: 8,
    newItems: true,
  },
  { name: '50 items, no features, dim 8, no rating head', items: 50, features: 0, dim: 8, seed: 13, withRating: false, newItems: true },
  {
    name: '60 items, 10 features, dim 8, no new-title fields',
    items: 60,
    features: 10,
    dim: 8,
    seed: 14,
    withRating: false,
    newItems: false,
  },
];

/** A random model with the new-title fields (featureItemVectors, newItemBias) when asked. */
function modelOf(spec: (typeof MODELS)[number]): ScoringModel {
  const model = randomScoringModel(spec);
  if (!spec.newItems) return model;
  const random = new Random(spec.seed + 500);
  const scale = 1 / Math.sqrt(spec.dim);
  const featureItemVectors = Float32Array.from({ length: spec.features * spec.dim }, () => scale * random.nextGaussian());
  return { ...model, featureItemVectors, newItemBias: 0.1 * random.nextGaussian() };
}

for (const spec of MODELS) {
  describe(`exportRecommendGraph: onnxruntime vs the reference (${spec.name})`, () => {
    // What the graph scores: the model with its item matrices rounded to float16.
    const model = exportedScoringModel(modelOf(spec));
    const bytes = exportRecommendGraph(model);
    let session: ort.InferenceSession;
    beforeAll(async () => {
      session = await ort.InferenceSession.create(bytes);
    });
    afterAll(async () => {
      await session.release();
    });

    it('declares the documented inputs and outputs', () => {
      expect(session.inputNames).toEqual(['history_items', 'history_weights', 'preferences', 'exclude', 'k']);
      expect(session.outputNames).toEqual([
        'items',
        'scores',
        'contributions',
        ...(spec.withRating ? ['ratings'] : []),
        'user_vector',
        ...(spec.newItems ? ['new_item_bias'] : []),
      ]);
    });

    it('passes onnx.checker.check_model (full check)', () => {
      expect(() => checkOnnxModel(bytes)).not.toThrow();
    });

    it('agrees on random histories, weights, preferences, exclusions and k', async () => {
      const random = new Random(spec.seed * 1000);
      let maxError = 0;
      let tieSwaps = 0;
      let positions = 0;
      for (let c = 0; c < 200; c++) {
        const result = await compare(session, model, randomRequest(random, model));
        maxError = Math.max(maxError, result.maxError);
        tieSwaps += result.tieSwaps;
        positions += result.positions;
      }
      expect(maxError).toBeLessThanOrEqual(TOLERANCE);
      // Each swap was checked to be a near-tie; they must stay rare (seen: 2 in ~30 000 positions).
      expect(tieSwaps).toBeLessThanOrEqual(positions / 1000);
    });

    const n = spec.items;
    const someHistory = { historyItems: Int32Array.of(3, 7, 7, 20), historyWeights: Float32Array.of(1, 0.5, 0.25, 2) };
    const somePreferences = spec.features > 0 ? Int32Array.of(0, spec.features - 1) : new Int32Array(0);
    const cases: Record<string, Request> = {
      'everything empty (no history, no preferences, no exclusions)': {
        historyItems: new Int32Array(0),
        historyWeights: new Float32Array(0),
        preferences: new Int32Array(0),
        exclude: new Int32Array(0),
        k: 10,
      },
      'an anonymous visitor with preferences only': {
        historyItems: new Int32Array(0),
        historyWeights: new Float32Array(0),
        preferences: somePreferences,
        exclude: Int32Array.of(1, 2),
        k: 10,
      },
      'a history without preferences': { ...someHistory, preferences: new Int32Array(0), exclude: Int32Array.of(3, 7), k: 10 },
      'no exclusions': { ...someHistory, preferences: somePreferences, exclude: new Int32Array(0), k: 10 },
      'k = 1': { ...someHistory, preferences: somePreferences, exclude: Int32Array.of(3), k: 1 },
      'k = itemCount − |exclude|': { ...someHistory, preferences: somePreferences, exclude: Int32Array.of(3, 7, 20), k: n - 3 },
      'total weight below 1 (divisor 1)': {
        historyItems: Int32Array.of(5),
        historyWeights: Float32Array.of(0.25),
        preferences: new Int32Array(0),
        exclude: new Int32Array(0),
        k: 5,
      },
    };
    for (const [name, request] of Object.entries(cases)) {
      it(`agrees with ${name}`, async () => {
        const result = await compare(session, model, request);
        expect(result.maxError).toBeLessThanOrEqual(TOLERANCE);
      });
    }

    it('returns every non-excluded item, and only those, when k exceeds what remains', async () => {
      const exclude = Int32Array.of(0, 1, 1, n - 1);
      const out = await session.run(feeds({ ...someHistory, preferences: somePreferences, exclude, k: n + 10 }));
      const items = Array.from(out.items.data as BigInt64Array, (v) => Number(v));
      expect(items).toHaveLength(n - 3);
      expect(new Set(items)).toEqual(new Set(Array.from({ length: n }, (_, i) => i).filter((i) => i !== 0 && i !== 1 && i !== n - 1)));
      const scores = Array.from(out.scores.data as Float32Array);
      expect(scores.every((s) => Number.isFinite(s))).toBe(true);
      expect(scores.every((s, i) => i === 0 || scores[i - 1] >= s)).toBe(true);
    });

    it('returns nothing for k = 0 or a negative k', async () => {
      for (const k of [0, -3]) {
        const out = await session.run(feeds({ ...someHistory, preferences: somePreferences, exclude: new Int32Array(0), k }));
        expect(out.items.dims).toEqual([0]);
        expect(out.contributions.dims).toEqual([4, 0]);
      }
    });

    it('fails the run, rather than answering, for a history item past the catalog or weights that do not match the items', async () => {
      // A session of its own that does not log the expected kernel failure to stderr.
      const quiet = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
      try {
        const request = {
          historyItems: Int32Array.of(n),
          historyWeights: Float32Array.of(1),
          preferences: new Int32Array(0),
          exclude: new Int32Array(0),
          k: 3,
        };
        await expect(quiet.run(feeds(request))).rejects.toThrow(/out of data bounds/);
        const mismatched = { ...request, historyItems: Int32Array.of(1, 2, 3) };
        await expect(quiet.run(feeds(mismatched))).rejects.toThrow(/Reshape/);
        const weightsWithoutItems = { ...request, historyItems: new Int32Array(0), historyWeights: Float32Array.of(1, 2) };
        await expect(quiet.run(feeds(weightsWithoutItems))).rejects.toThrow(/Reshape/);
      } finally {
        await quiet.release();
      }
    });
  });
}

describe('exportRecommendGraph', () => {
  it('refuses a model whose arrays do not match its counts', () => {
    const model = randomScoringModel({ items: 10, features: 2, dim: 4, seed: 1 });
    expect(() => exportRecommendGraph({ ...model, itemBias: new Float32Array(9) })).toThrow(ExportError);
  });

  it('stores the two item matrices as float16 (the rounded values) and the rest as float32', () => {
    const model = randomScoringModel({ items: 50, features: 5, dim: 8, seed: 2, withRating: true, ratingDim: 4 });
    const bytes = exportRecommendGraph(model);
    const { DataType } = onnxProto.onnx.TensorProto;
    const initializers = new Map((onnxProto.onnx.ModelProto.decode(bytes).graph?.initializer ?? []).map((t) => [t.name, t]));
    expect(initializers.get('history_vectors')?.dataType).toBe(DataType.FLOAT16);
    expect(initializers.get('item_vectors')?.dataType).toBe(DataType.FLOAT16);
    expect(initializers.get('history_vectors')?.rawData).toHaveLength(50 * 8 * 2);
    for (const name of ['preference_vectors', 'item_bias', 'rating_item_factors', 'rating_history_factors', 'rating_item_bias']) {
      expect(initializers.get(name)?.dataType).toBe(DataType.FLOAT);
    }
    // The rounded model is what the graph holds: exporting it gives the same bytes.
    const rounded = exportedScoringModel(model);
    expect(rounded.itemVectors).not.toEqual(model.itemVectors);
    expect(rounded.preferenceVectors).toBe(model.preferenceVectors);
    expect(exportRecommendGraph(rounded)).toEqual(bytes);
  });

  it('refuses an item matrix value beyond float16 range', () => {
    const model = randomScoringModel({ items: 10, features: 2, dim: 4, seed: 1 });
    const itemVectors = Float32Array.from(model.itemVectors);
    itemVectors[7] = 70_000;
    expect(() => exportRecommendGraph({ ...model, itemVectors })).toThrow(/item_vectors\[7\] = 70000 is beyond float16/);
    const historyVectors = Float32Array.from(model.historyVectors);
    historyVectors[3] = -65_520;
    expect(() => exportRecommendGraph({ ...model, historyVectors })).toThrow(ExportError);
    historyVectors[3] = 65_504;
    expect(() => exportRecommendGraph({ ...model, historyVectors })).not.toThrow();
  });
});
