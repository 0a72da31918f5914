import { ShapeError } from '../errors.ts';
import type { ScoringModel } from '../types/scoringModel.ts';

/**
 * The item vector of a title the model does not hold (added to the catalog after training), from
 * its content features alone — the vector the trainer gives a title it saw no interaction of:
 *
 *   out = mean_{f ∈ featureIds} featureItemVectors[f]      (zeros when there are no features)
 *
 * and returns its bias, `newItemBias`, so that the title scores `u · out + bias` for a user
 * vector u (`userVector`, or the graph's `user_vector` output). `featureIds` are the model's
 * feature indices of the title's known features (names outside the vocabulary are left out by the
 * caller), each listed once. Throws ShapeError when the model predates these fields or an index is
 * out of range.
 */
export function newItemVector(model: ScoringModel, featureIds: Readonly<Int32Array>, out: Float32Array): number {
  const { dim, featureCount, featureItemVectors } = model;
  if (!featureItemVectors || model.newItemBias === undefined) {
    throw new ShapeError('newItemVector: the model has no featureItemVectors / newItemBias (exported before they existed)');
  }
  if (featureItemVectors.length !== featureCount * dim) {
    throw new ShapeError(`newItemVector: featureItemVectors must hold ${featureCount * dim} values, got ${featureItemVectors.length}`);
  }
  if (out.length !== dim) throw new ShapeError(`newItemVector: out must hold dim = ${dim} values, got ${out.length}`);
  for (let p = 0; p < featureIds.length; p++) {
    const f = featureIds[p];
    if (!(f >= 0 && f < featureCount))
      throw new ShapeError(`newItemVector: feature index ${f} at position ${p} is outside [0, ${featureCount})`);
  }
  out.fill(0);
  if (featureIds.length === 0) return model.newItemBias;
  // Accumulated exactly as RecommenderParameters.composeItemVectors does (float32, share per row),
  // so a trained cold title and a new title with the same features get the same vector.
  const share = 1 / featureIds.length;
  for (let p = 0; p < featureIds.length; p++) {
    const offset = featureIds[p] * dim;
    for (let c = 0; c < dim; c++) out[c] += share * featureItemVectors[offset + c];
  }
  return model.newItemBias;
}
