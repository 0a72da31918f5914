import { ShapeError } from '../errors.ts';
import type { RatingHead, ScoringModel } from '../types/scoringModel.ts';

/**
 * The reference scorer: exactly the function documented in model/types/scoringModel.ts, which the
 * exported ONNX graph computes too. Sums run in float64 (JS numbers) and are rounded to float32
 * once, when written to `out`, so this is the more accurate side of any TypeScript–ONNX comparison.
 */

/**
 * Writes the user vector of a history and stated preferences into `out` (length `model.dim`):
 *   u = (Σ_j w_j · historyVectors[h_j] + λ · Σ_f preferenceVectors[f]) / max(s, 1)^β,
 *   s = Σ_j w_j + λ · |preferences|.
 * Returns the divisor max(s, 1)^β (what `contributions` needs).
 */
export function userVector(
  model: ScoringModel,
  historyItems: Readonly<Int32Array>,
  historyWeights: Readonly<Float32Array>,
  preferences: Readonly<Int32Array>,
  out: Float32Array,
): number {
  checkScoringModel(model);
  checkHistory(model, historyItems, historyWeights);
  checkIndices('preferences', preferences, model.featureCount);
  const { dim, historyVectors, preferenceVectors } = model;
  if (out.length !== dim) throw new ShapeError(`userVector: out must hold dim = ${dim} values, got ${out.length}`);

  const lambda = model.preferenceWeight;
  let s = lambda * preferences.length;
  for (let j = 0; j < historyWeights.length; j++) s += historyWeights[j];
  const divisor = Math.max(s, 1) ** model.historyExponent;

  // One float64 accumulator per column, walking the history and preference rows in memory order.
  const sum = new Float64Array(dim);
  for (let j = 0; j < historyItems.length; j++) {
    const w = historyWeights[j];
    const offset = historyItems[j] * dim;
    for (let d = 0; d < dim; d++) sum[d] += w * historyVectors[offset + d];
  }
  for (let p = 0; p < preferences.length; p++) {
    const offset = preferences[p] * dim;
    for (let d = 0; d < dim; d++) sum[d] += lambda * preferenceVectors[offset + d];
  }
  for (let d = 0; d < dim; d++) out[d] = sum[d] / divisor;
  return divisor;
}

/** Writes score_i = user · itemVectors[i] + itemBias[i] for every item into `out` (length `model.itemCount`). */
export function scoreItems(model: ScoringModel, user: Readonly<Float32Array>, out: Float32Array): void {
  checkScoringModel(model);
  const { dim, itemCount, itemVectors, itemBias } = model;
  if (user.length !== dim) throw new ShapeError(`scoreItems: user vector must hold dim = ${dim} values, got ${user.length}`);
  if (out.length !== itemCount) throw new ShapeError(`scoreItems: out must hold itemCount = ${itemCount} values, got ${out.length}`);
  for (let i = 0; i < itemCount; i++) {
    const offset = i * dim;
    let score = 0;
    for (let d = 0; d < dim; d++) score += user[d] * itemVectors[offset + d];
    out[i] = score + itemBias[i];
  }
}

/**
 * The rating head's predicted stars of `items` for a history, into `out` (one per item):
 *   rating_i = globalMean + itemBias[i] + itemFactors[i] · (Σ_j w_j historyFactors[h_j]) / max(Σ_j w_j, 1)^0.5
 * Throws ShapeError when the model has no rating head.
 */
export function predictRatings(
  model: ScoringModel,
  historyItems: Readonly<Int32Array>,
  historyWeights: Readonly<Float32Array>,
  items: Readonly<Int32Array>,
  out: Float32Array,
): void {
  checkScoringModel(model);
  const head = model.rating;
  if (!head) throw new ShapeError('predictRatings: the model has no rating head');
  checkHistory(model, historyItems, historyWeights);
  checkIndices('items', items, model.itemCount);
  if (out.length !== items.length) throw new ShapeError(`predictRatings: out must hold ${items.length} values, got ${out.length}`);

  const { dim, historyFactors, itemFactors } = head;
  let s = 0;
  for (let j = 0; j < historyWeights.length; j++) s += historyWeights[j];
  const norm = Math.sqrt(Math.max(s, 1));
  const user = new Float64Array(dim);
  for (let j = 0; j < historyItems.length; j++) {
    const w = historyWeights[j];
    const offset = historyItems[j] * dim;
    for (let d = 0; d < dim; d++) user[d] += w * historyFactors[offset + d];
  }
  for (let d = 0; d < dim; d++) user[d] /= norm;
  for (let c = 0; c < items.length; c++) {
    const item = items[c];
    const offset = item * dim;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += itemFactors[offset + d] * user[d];
    out[c] = head.globalMean + head.itemBias[item] + dot;
  }
}

/**
 * Why each item was recommended: out[j · items.length + c] = w_j · (historyVectors[h_j] · itemVectors[items[c]]) / divisor,
 * a history × items row-major matrix; `divisor` is what `userVector` returned for the same history.
 */
export function contributions(
  model: ScoringModel,
  historyItems: Readonly<Int32Array>,
  historyWeights: Readonly<Float32Array>,
  divisor: number,
  items: Readonly<Int32Array>,
  out: Float32Array,
): void {
  checkScoringModel(model);
  checkHistory(model, historyItems, historyWeights);
  checkIndices('items', items, model.itemCount);
  if (!(divisor > 0) || !Number.isFinite(divisor))
    throw new ShapeError(`contributions: divisor must be positive and finite, got ${divisor}`);
  const count = historyItems.length * items.length;
  if (out.length !== count) throw new ShapeError(`contributions: out must hold history × items = ${count} values, got ${out.length}`);

  const { dim, historyVectors, itemVectors } = model;
  const k = items.length;
  for (let j = 0; j < historyItems.length; j++) {
    const hOffset = historyItems[j] * dim;
    const scale = historyWeights[j] / divisor;
    for (let c = 0; c < k; c++) {
      const iOffset = items[c] * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += historyVectors[hOffset + d] * itemVectors[iOffset + d];
      out[j * k + c] = scale * dot;
    }
  }
}

/** Throws ShapeError unless every array of `model` has the length its counts imply and its scalars are finite. */
export function checkScoringModel(model: ScoringModel): void {
  const { dim, itemCount, featureCount } = model;
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`scoring model: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(itemCount) || itemCount < 1)
    throw new ShapeError(`scoring model: itemCount must be a positive integer, got ${itemCount}`);
  if (!Number.isInteger(featureCount) || featureCount < 0) {
    throw new ShapeError(`scoring model: featureCount must be a non-negative integer, got ${featureCount}`);
  }
  expectLength('historyVectors', model.historyVectors, itemCount * dim);
  expectLength('preferenceVectors', model.preferenceVectors, featureCount * dim);
  expectLength('itemVectors', model.itemVectors, itemCount * dim);
  expectLength('itemBias', model.itemBias, itemCount);
  if (!Number.isFinite(model.historyExponent))
    throw new ShapeError(`scoring model: historyExponent must be finite, got ${model.historyExponent}`);
  if (!Number.isFinite(model.preferenceWeight))
    throw new ShapeError(`scoring model: preferenceWeight must be finite, got ${model.preferenceWeight}`);
  if (model.rating) checkRatingHead(model.rating, itemCount);
  if (model.featureItemVectors) expectLength('featureItemVectors', model.featureItemVectors, featureCount * dim);
  if (model.newItemBias !== undefined && !Number.isFinite(model.newItemBias)) {
    throw new ShapeError(`scoring model: newItemBias must be finite, got ${model.newItemBias}`);
  }
}

function checkRatingHead(head: RatingHead, itemCount: number): void {
  if (!Number.isInteger(head.dim) || head.dim < 1) throw new ShapeError(`rating head: dim must be a positive integer, got ${head.dim}`);
  if (!Number.isFinite(head.globalMean)) throw new ShapeError(`rating head: globalMean must be finite, got ${head.globalMean}`);
  expectLength('rating.itemBias', head.itemBias, itemCount);
  expectLength('rating.itemFactors', head.itemFactors, itemCount * head.dim);
  expectLength('rating.historyFactors', head.historyFactors, itemCount * head.dim);
}

function expectLength(name: string, values: ArrayLike<number>, length: number): void {
  if (values.length !== length) throw new ShapeError(`scoring model: ${name} must hold ${length} values, got ${values.length}`);
}

function checkHistory(model: ScoringModel, items: Readonly<Int32Array>, weights: Readonly<Float32Array>): void {
  if (items.length !== weights.length) {
    throw new ShapeError(`history: ${items.length} items but ${weights.length} weights`);
  }
  checkIndices('history items', items, model.itemCount);
  for (let j = 0; j < weights.length; j++) {
    if (!Number.isFinite(weights[j])) throw new ShapeError(`history: weight ${j} is ${weights[j]}, must be finite`);
  }
}

function checkIndices(name: string, indices: Readonly<Int32Array>, count: number): void {
  for (let j = 0; j < indices.length; j++) {
    const index = indices[j];
    if (index < 0 || index >= count) throw new ShapeError(`${name}: index ${index} at position ${j} is outside [0, ${count})`);
  }
}
