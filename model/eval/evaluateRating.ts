import { ShapeError } from '../errors.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { mae, rmse } from './ratingMetrics.ts';

/** Rated pairs as parallel columns (an `InteractionTable` fits). */
export interface RatingColumns {
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Stars, NaN for a row without an explicit rating. */
  readonly ratings: Float32Array;
}

export interface EvaluateRatingOptions {
  /** Held-out ratings; rows whose rating is NaN are skipped. */
  readonly test: TrainingData | RatingColumns;
  /**
   * Predicted stars of `item` for `user`. Clamping to the rating scale (e.g. [1, 5]) is the
   * predictor's job: the evaluator scores exactly what it is given, so a NaN prediction makes
   * the result NaN rather than being hidden.
   */
  readonly predict: (user: number, item: number) => number;
}

export interface RatingEvaluation {
  readonly rmse: number;
  readonly mae: number;
  /** Rated test rows evaluated. */
  readonly count: number;
}

/** RMSE and MAE of `predict` over every rated test row. */
export function evaluateRating(options: EvaluateRatingOptions): RatingEvaluation {
  const { test, predict } = options;
  const rows = 'userOffsets' in test ? rowsOfTrainingData(test) : rowsOfColumns(test);

  let count = 0;
  for (let r = 0; r < rows.ratings.length; r++) if (!Number.isNaN(rows.ratings[r])) count++;
  if (count === 0) throw new ShapeError('evaluateRating: the test set has no rated row');

  const predictions = new Float32Array(count);
  const truths = new Float32Array(count);
  let j = 0;
  for (let r = 0; r < rows.ratings.length; r++) {
    const rating = rows.ratings[r];
    if (Number.isNaN(rating)) continue;
    predictions[j] = predict(rows.users[r], rows.items[r]);
    truths[j] = rating;
    j++;
  }
  return { rmse: rmse(predictions, truths), mae: mae(predictions, truths), count };
}

function rowsOfColumns(test: RatingColumns): RatingColumns {
  if (test.items.length !== test.users.length || test.ratings.length !== test.users.length) {
    throw new ShapeError(
      `evaluateRating: columns differ in length (users ${test.users.length}, items ${test.items.length}, ratings ${test.ratings.length})`,
    );
  }
  return test;
}

/** Expands the CSR rows into a user column (the items and ratings columns are shared). */
function rowsOfTrainingData(test: TrainingData): RatingColumns {
  const rows = test.userItems.length;
  if (test.userRatings.length !== rows || test.userOffsets[test.userOffsets.length - 1] !== rows) {
    throw new ShapeError(`evaluateRating: test has ${rows} item rows, ${test.userRatings.length} ratings`);
  }
  const users = new Int32Array(rows);
  for (let u = 0; u + 1 < test.userOffsets.length; u++) {
    users.fill(u, test.userOffsets[u], test.userOffsets[u + 1]);
  }
  return { users, items: test.userItems, ratings: test.userRatings };
}
