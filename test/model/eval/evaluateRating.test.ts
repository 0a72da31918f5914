import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { evaluateRating } from '../../../model/eval/evaluateRating.ts';
import { trainingDataFromLists } from './helpers/trainingDataFromLists.ts';

describe('evaluateRating', () => {
  // Rows (user, item, stars): (0, 1, 4), (0, 2, NaN: no rating, skipped), (1, 0, 2), (2, 2, 5)
  const test = trainingDataFromLists([[1, 2], [0], [2]], {
    itemCount: 3,
    ratings: [[4, Number.NaN], [2], [5]],
  });
  // predict = user + item + 1: (0,1) → 2, (1,0) → 2, (2,2) → 5; errors -2, 0, 0
  const predict = (user: number, item: number): number => user + item + 1;

  it('scores every rated test row of a TrainingData, skipping rows without a rating', () => {
    const seen: string[] = [];
    const result = evaluateRating({
      test,
      predict: (user, item) => {
        seen.push(`${user}:${item}`);
        return predict(user, item);
      },
    });
    expect(seen).toEqual(['0:1', '1:0', '2:2']);
    expect(result.count).toBe(3);
    // rmse = sqrt((4 + 0 + 0) / 3), mae = (2 + 0 + 0) / 3
    expect(result.rmse).toBeCloseTo(Math.sqrt(4 / 3), 6);
    expect(result.mae).toBeCloseTo(2 / 3, 6);
  });

  it('accepts parallel columns and does not clamp predictions', () => {
    const columns = {
      users: Int32Array.from([0, 1]),
      items: Int32Array.from([0, 0]),
      ratings: Float32Array.from([5, 1]),
    };
    // predictions 7 and -1, outside [1, 5]: errors 2 and -2, taken as given.
    const result = evaluateRating({ test: columns, predict: (user) => (user === 0 ? 7 : -1) });
    expect(result.count).toBe(2);
    expect(result.rmse).toBeCloseTo(2, 6);
    expect(result.mae).toBeCloseTo(2, 6);
  });

  it('rejects columns of different lengths and a test set without ratings', () => {
    const ragged = { users: Int32Array.from([0, 1]), items: Int32Array.from([0]), ratings: Float32Array.from([5, 1]) };
    expect(() => evaluateRating({ test: ragged, predict })).toThrow(ShapeError);
    const unrated = trainingDataFromLists([[0, 1]], { itemCount: 2 });
    expect(() => evaluateRating({ test: unrated, predict })).toThrow(ShapeError);
  });
});
