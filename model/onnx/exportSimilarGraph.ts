import { ExportError } from '../errors.ts';
import { checkScoringModel } from '../recommender/scoreHistory.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import { appendTopK } from './appendTopK.ts';
import { SIMILAR_GRAPH } from './constants.ts';
import { GraphBuilder, type ModelMetadata } from './graphBuilder.ts';

/**
 * Encodes the item-to-item similarity of `model` as an ONNX graph (opset 17):
 *
 *   inputs   item int64 [1], exclude int64 [E], k int64 [1]
 *   outputs  items int64 [k'], scores float [k']   (cosine similarity of itemVectors rows)
 *
 * with k' = min(k, itemCount − |distinct {item} ∪ exclude|): the query item and the excluded items
 * are never returned. The item vectors are normalised here (in float64, then stored as float32),
 * so the graph is one matrix–vector product; a zero row stays zero and has cosine 0 with everything.
 */
export function exportSimilarGraph(model: ScoringModel, meta: ModelMetadata = {}): Uint8Array {
  try {
    checkScoringModel(model);
  } catch (error) {
    throw new ExportError(`cannot export the similar graph: ${(error as Error).message}`, { cause: error });
  }
  const { dim, itemCount } = model;
  const { inputs, outputs, initializers } = SIMILAR_GRAPH;
  const g = new GraphBuilder(SIMILAR_GRAPH.name);

  const item = g.input(inputs.item, 'int64', [1]);
  const exclude = g.input(inputs.exclude, 'int64', ['E']);
  const k = g.input(inputs.k, 'int64', [1]);

  const normalized = g.floats(initializers.normalizedItemVectors, normalizeRows(model.itemVectors, itemCount, dim), [itemCount, dim]);
  const axis0 = g.int64s('axis_0', [0], [1]);
  const query = g.op('Gather', [normalized, item], { axis: 0 }, 'query');
  const similarities = g.op('Squeeze', [g.op('Gemm', [query, normalized], { transB: 1 }), axis0], {}, 'similarities');
  const excluded = g.op('Concat', [item, exclude], { axis: 0 }, 'excluded');
  const top = appendTopK(g, similarities, excluded, k);
  g.op('Identity', [top.items], {}, outputs.items);
  g.op('Identity', [top.scores], {}, outputs.scores);
  g.output(outputs.items, 'int64', ['k']);
  g.output(outputs.scores, 'float', ['k']);
  return g.build(meta);
}

function normalizeRows(vectors: Readonly<Float32Array>, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const offset = r * dim;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors[offset + d] * vectors[offset + d];
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[offset + d] = vectors[offset + d] * scale;
  }
  return out;
}
