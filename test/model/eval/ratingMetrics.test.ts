import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { mae, rmse } from '../../../model/eval/ratingMetrics.ts';

describe('rating metrics', () => {
  // errors: 4-3 = 1, 2-4 = -2, 5-5 = 0, 1-3 = -2
  const predictions = new Float32Array([4, 2, 5, 1]);
  const truths = new Float32Array([3, 4, 5, 3]);

  it('rmse = sqrt(mean squared error)', () => {
    // (1 + 4 + 0 + 4) / 4 = 9/4 → sqrt = 1.5
    expect(rmse(predictions, truths)).toBeCloseTo(1.5, 6);
  });

  it('mae = mean absolute error', () => {
    // (1 + 2 + 0 + 2) / 4 = 1.25
    expect(mae(predictions, truths)).toBeCloseTo(1.25, 6);
  });

  it('is 0 for exact predictions and NaN for no predictions', () => {
    expect(rmse(truths, truths)).toBe(0);
    expect(mae(truths, truths)).toBe(0);
    expect(rmse(new Float32Array(0), new Float32Array(0))).toBeNaN();
    expect(mae(new Float32Array(0), new Float32Array(0))).toBeNaN();
  });

  it('rejects arrays of different lengths', () => {
    expect(() => rmse(predictions, truths.subarray(0, 3))).toThrow(ShapeError);
    expect(() => mae(predictions.subarray(0, 1), truths)).toThrow(ShapeError);
  });
});
