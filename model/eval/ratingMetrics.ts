import { ShapeError } from '../errors.ts';

/** Root mean squared error of `predictions` against `truths` (NaN when both are empty). */
export function rmse(predictions: Readonly<Float32Array>, truths: Readonly<Float32Array>): number {
  checkLengths(predictions, truths);
  let sum = 0;
  for (let i = 0; i < predictions.length; i++) {
    const d = predictions[i] - truths[i];
    sum += d * d;
  }
  return Math.sqrt(sum / predictions.length);
}

/** Mean absolute error of `predictions` against `truths` (NaN when both are empty). */
export function mae(predictions: Readonly<Float32Array>, truths: Readonly<Float32Array>): number {
  checkLengths(predictions, truths);
  let sum = 0;
  for (let i = 0; i < predictions.length; i++) sum += Math.abs(predictions[i] - truths[i]);
  return sum / predictions.length;
}

function checkLengths(predictions: Readonly<Float32Array>, truths: Readonly<Float32Array>): void {
  if (predictions.length !== truths.length) {
    throw new ShapeError(`rating metric: ${predictions.length} predictions for ${truths.length} truths`);
  }
}
