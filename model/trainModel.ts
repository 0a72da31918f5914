import type { TrainingData } from './types/trainingData.ts';
import type { ScoringModel } from './types/scoringModel.ts';
import { trainRecommender, type EpochLog, type TrainedRecommender } from './recommender/trainRecommender.ts';
import type { RecommenderHyperParameters } from './recommender/hyperParameters.ts';
import type { RecommenderParameters } from './recommender/recommenderParameters.ts';
import { trainRatingModel } from './rating/trainRatingModel.ts';
import type { RatingEpochLog } from './rating/trainRatingModel.ts';
import type { RatingHyperParameters } from './rating/ratingHyperParameters.ts';
import type { RatingModel } from './rating/types.ts';

export interface TrainModelOptions {
  readonly ranking?: Partial<RecommenderHyperParameters>;
  /** Rating-head hyper-parameters, or false to skip the head even when the data has ratings. */
  readonly rating?: Partial<RatingHyperParameters> | false;
  readonly seed?: number;
  readonly onRankingEpoch?: (log: EpochLog) => void;
  readonly onRatingEpoch?: (log: RatingEpochLog) => void;
  /** Asked between epochs; true ends training with the best model so far (time budgets). */
  readonly shouldStop?: () => boolean;
  /**
   * Threads of the ranking model's training (worker threads beside this one: from the sources
   * through tsx, or in a bundle from the gradientWorker.mjs bundled beside it). Default 1.
   */
  readonly threads?: number;
  /** Where the ranking model's training starts (a warm start); random embeddings when absent. */
  readonly initialParameters?: RecommenderParameters;
}

export interface TrainedModel {
  /** The ranking model with the rating head attached when one was trained. */
  readonly model: ScoringModel;
  readonly ranking: TrainedRecommender;
  readonly rating?: RatingModel;
  readonly trainSeconds: number;
}

/**
 * Trains everything a published model holds: the ranking model and, when the data carries
 * explicit ratings, the rating head. Pure computation; the caller exports and stores the result.
 */
export function trainModel(data: TrainingData, options: TrainModelOptions = {}): TrainedModel {
  const started = performance.now();
  const seed = options.seed ?? options.ranking?.seed;
  const ranking = trainRecommender(data, {
    hyperParameters: { ...options.ranking, ...(seed === undefined ? {} : { seed }) },
    onEpoch: options.onRankingEpoch,
    shouldStop: options.shouldStop,
    threads: options.threads,
    ...(options.initialParameters ? { initialParameters: options.initialParameters } : {}),
  });
  let rating: RatingModel | undefined;
  if (options.rating !== false && hasRatings(data)) {
    rating = trainRatingModel(data, { ...options.rating, seed: seed ?? 1, onEpoch: options.onRatingEpoch });
  }
  const model: ScoringModel = rating ? { ...ranking.model, rating: rating.head } : ranking.model;
  return { model, ranking, rating, trainSeconds: (performance.now() - started) / 1000 };
}

function hasRatings(data: TrainingData): boolean {
  for (let r = 0; r < data.userRatings.length; r++) if (!Number.isNaN(data.userRatings[r])) return true;
  return false;
}
