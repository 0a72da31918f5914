import { ShapeError } from '../errors.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import { checkScoringModel } from './scoreHistory.ts';
import { topK } from './topK.ts';

const NO_ITEMS = new Int32Array(0);

/**
 * "More like this": the `k` items whose itemVectors rows have the highest cosine similarity to the
 * row of `item`, best first, into `outIndices` / `outScores`; returns how many were written (fewer
 * than `k` when fewer items remain). The query item and `exclude` are never returned. A zero row
 * has cosine 0 with everything. Ties go to the lower index (see topK).
 */
export function similarItems(
  model: ScoringModel,
  item: number,
  k: number,
  outIndices: Int32Array,
  outScores: Float32Array,
  exclude: Readonly<Int32Array> = NO_ITEMS,
): number {
  checkScoringModel(model);
  const { dim, itemCount, itemVectors } = model;
  if (!Number.isInteger(item) || item < 0 || item >= itemCount) {
    throw new ShapeError(`similarItems: item ${item} is outside [0, ${itemCount})`);
  }
  for (let e = 0; e < exclude.length; e++) {
    if (exclude[e] < 0 || exclude[e] >= itemCount)
      throw new ShapeError(`similarItems: excluded item ${exclude[e]} is outside [0, ${itemCount})`);
  }

  const query = item * dim;
  let queryNorm = 0;
  for (let d = 0; d < dim; d++) queryNorm += itemVectors[query + d] * itemVectors[query + d];
  queryNorm = Math.sqrt(queryNorm);

  const scores = new Float32Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    const offset = i * dim;
    let dot = 0;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = itemVectors[offset + d];
      dot += itemVectors[query + d] * v;
      norm += v * v;
    }
    const denominator = queryNorm * Math.sqrt(norm);
    scores[i] = denominator > 0 ? dot / denominator : 0;
  }
  scores[item] = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < exclude.length; e++) scores[exclude[e]] = Number.NEGATIVE_INFINITY;
  return topK(scores, k, outIndices, outScores);
}
