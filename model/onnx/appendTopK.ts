import { ELEMENT_TYPES, type GraphBuilder } from './graphBuilder.ts';

/**
 * Appends "set the excluded entries of `scores` ([N] float) to -Infinity, then take the top k" to a
 * graph, and returns the names of the top-k indices (int64) and scores (float), best first, ties
 * to the lower index (ONNX TopK). k is clamped to the number of entries left after exclusion, so
 * an excluded entry is never returned, whatever k the caller asks for.
 */
export function appendTopK(g: GraphBuilder, scores: string, exclude: string, k: string): { items: string; scores: string } {
  const negativeInfinity = g.floats(`${scores}_excluded_value`, Float32Array.of(Number.NEGATIVE_INFINITY), [1]);
  const zero = g.int64s(`${scores}_zero`, [0], [1]);
  const excludedValues = g.op('Expand', [negativeInfinity, g.op('Shape', [exclude])], {}, 'excluded_values');
  const masked = g.op('ScatterElements', [scores, exclude, excludedValues], { axis: 0 }, 'masked_scores');
  const isExcluded = g.op('IsInf', [masked], { detect_positive: 0, detect_negative: 1 });
  const remaining = g.op('ReduceSum', [g.op('Cast', [g.op('Not', [isExcluded])], { to: ELEMENT_TYPES.int64 })], { keepdims: 1 }, 'remaining');
  const count = g.op('Max', [g.op('Min', [k, remaining]), zero], {}, 'top_count');
  const [topScores, topItems] = g.node('TopK', [masked, count], { axis: 0, largest: 1, sorted: 1 }, 2, 'top');
  return { items: topItems, scores: topScores };
}
