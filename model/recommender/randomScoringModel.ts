import { ShapeError } from '../errors.ts';
import { Random } from '../random.ts';
import type { ScoringModel } from '../types/scoringModel.ts';

export interface RandomScoringModelOptions {
  readonly items: number;
  readonly features: number;
  readonly dim: number;
  readonly seed: number;
  /** Add a rating head (of `ratingDim` factors, default `dim`). */
  readonly withRating?: boolean;
  readonly ratingDim?: number;
}

/**
 * A ScoringModel filled with seeded random values, for tests and benchmarks — not a trained model.
 * Vector entries are N(0, 1/dim), so dot products and scores are of order 1; biases are N(0, 0.1²);
 * β is drawn from [0.5, 1) and λ from [0.5, 1.5).
 */
export function randomScoringModel(options: RandomScoringModelOptions): ScoringModel {
  const { items, features, dim, seed } = options;
  if (!Number.isInteger(items) || items < 1) throw new ShapeError(`randomScoringModel: items must be a positive integer, got ${items}`);
  if (!Number.isInteger(features) || features < 0) {
    throw new ShapeError(`randomScoringModel: features must be a non-negative integer, got ${features}`);
  }
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`randomScoringModel: dim must be a positive integer, got ${dim}`);
  const ratingDim = options.ratingDim ?? dim;
  if (!Number.isInteger(ratingDim) || ratingDim < 1) {
    throw new ShapeError(`randomScoringModel: ratingDim must be a positive integer, got ${ratingDim}`);
  }

  const random = new Random(seed);
  const gaussian = (length: number, scale: number): Float32Array => {
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = scale * random.nextGaussian();
    return values;
  };
  const vectorScale = 1 / Math.sqrt(dim);
  const model: ScoringModel = {
    dim,
    itemCount: items,
    featureCount: features,
    historyVectors: gaussian(items * dim, vectorScale),
    preferenceVectors: gaussian(features * dim, vectorScale),
    itemVectors: gaussian(items * dim, vectorScale),
    itemBias: gaussian(items, 0.1),
    historyExponent: 0.5 + 0.5 * random.next(),
    preferenceWeight: 0.5 + random.next(),
  };
  if (!options.withRating) return model;
  const ratingScale = 1 / Math.sqrt(ratingDim);
  return {
    ...model,
    rating: {
      dim: ratingDim,
      globalMean: 3 + random.next(),
      itemBias: gaussian(items, 0.3),
      itemFactors: gaussian(items * ratingDim, ratingScale),
      historyFactors: gaussian(items * ratingDim, ratingScale),
    },
  };
}
