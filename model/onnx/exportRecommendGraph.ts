import { ExportError } from '../errors.ts';
import { checkScoringModel } from '../recommender/scoreHistory.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import { appendTopK } from './appendTopK.ts';
import { float32ToFloat16, roundToFloat16 } from './float16.ts';
import { RECOMMEND_GRAPH } from './constants.ts';
import { ELEMENT_TYPES, GraphBuilder, type ModelMetadata } from './graphBuilder.ts';

const TO_FLOAT = { to: ELEMENT_TYPES.float };

/**
 * Encodes `model` as the ONNX recommend graph (opset 17), the function of model/types/scoringModel.ts:
 *
 *   inputs   history_items int64 [H], history_weights float [H], preferences int64 [P],
 *            exclude int64 [E], k int64 [1]
 *   outputs  items int64 [k'], scores float [k'], contributions float [H, k'],
 *            ratings float [k'] (only when the model has a rating head),
 *            user_vector float [dim] (u, to score titles added after training: u · v_new + newItemBias),
 *            new_item_bias float [] (only when the model has one)
 *
 * where k' = min(k, itemCount − |distinct exclude|) (never negative): excluded items are never
 * returned, and a k larger than what remains yields fewer rows rather than an error. Any of H, P,
 * E may be 0. Indices must lie in [0, itemCount) / [0, featureCount); as in ONNX Gather, negative
 * ones count from the end and larger ones make the run fail — callers validate ids first.
 *
 * The model's arrays are the graph's initializers, so `readScoringModel` can read it back: the two
 * [itemCount, dim] matrices historyVectors and itemVectors as float16 (rounded to nearest even,
 * Cast to float inside the graph; onnxruntime folds the Cast when it creates the session), which
 * halves the file; everything else as float32 raw data, and the scalars β, λ and the rating mean as
 * float64, cast inside the graph. So the graph scores `exportedScoringModel(model)` — the model
 * with those two matrices rounded — and that is what `readScoringModel` returns and what any
 * TypeScript scoring that must agree with the graph has to use. Throws ExportError when a value of
 * those matrices lies beyond float16's range (|v| ≥ 65520 would become infinite).
 * The model's `featureItemVectors` and `newItemBias`, when present, are stored the same way
 * (feature_item_vectors float [F, dim], new_item_bias_f64 double scalar).
 */
export function exportRecommendGraph(model: ScoringModel, meta: ModelMetadata = {}): Uint8Array {
  try {
    checkScoringModel(model);
  } catch (error) {
    throw new ExportError(`cannot export the recommend graph: ${(error as Error).message}`, { cause: error });
  }
  const { dim, itemCount, featureCount } = model;
  const { inputs, outputs, initializers: names } = RECOMMEND_GRAPH;
  const g = new GraphBuilder(RECOMMEND_GRAPH.name);

  const historyItems = g.input(inputs.historyItems, 'int64', ['H']);
  const weightsInput = g.input(inputs.historyWeights, 'float', ['H']);
  const preferences = g.input(inputs.preferences, 'int64', ['P']);
  const exclude = g.input(inputs.exclude, 'int64', ['E']);
  const k = g.input(inputs.k, 'int64', [1]);

  const historyVectors = g.op(
    'Cast',
    [g.halves(names.historyVectors, halvesOf(names.historyVectors, model.historyVectors), [itemCount, dim])],
    TO_FLOAT,
    'history_vectors_f32',
  );
  const preferenceVectors = g.floats(names.preferenceVectors, model.preferenceVectors, [featureCount, dim]);
  const itemVectors = g.op(
    'Cast',
    [g.halves(names.itemVectors, halvesOf(names.itemVectors, model.itemVectors), [itemCount, dim])],
    TO_FLOAT,
    'item_vectors_f32',
  );
  const itemBias = g.floats(names.itemBias, model.itemBias, [itemCount]);
  const beta = g.op('Cast', [g.doubles(names.historyExponent, Float64Array.of(model.historyExponent), [])], TO_FLOAT, 'beta');
  const lambda = g.op('Cast', [g.doubles(names.preferenceWeight, Float64Array.of(model.preferenceWeight), [])], TO_FLOAT, 'lambda');
  const axis0 = g.int64s('axis_0', [0], [1]);
  const axis1 = g.int64s('axis_1', [1], [1]);
  const one = g.floats('one', Float32Array.of(1), []);
  // Reshaping the weights to the items' shape makes a length mismatch fail the run instead of
  // broadcasting one weight over the whole history (allowzero: an empty shape means length 0).
  const historyWeights = g.op('Reshape', [weightsInput, g.op('Shape', [historyItems])], { allowzero: 1 }, 'history_weights_checked');

  // s = Σ_j w_j + λ·|prefs|; divisor = max(s, 1)^β
  const weightSum = g.op('ReduceSum', [historyWeights], { keepdims: 0 }, 'weight_sum');
  const preferenceCount = g.op('Cast', [g.op('Shape', [preferences])], TO_FLOAT, 'preference_count');
  const s = g.op('Add', [weightSum, g.op('Mul', [lambda, preferenceCount])], {}, 's');
  const divisor = g.op('Pow', [g.op('Max', [s, one]), beta], {}, 'divisor');

  // u = (Σ_j w_j·historyVectors[h_j] + λ·Σ_f preferenceVectors[f]) / divisor, shape [1, dim]
  const weightColumn = g.op('Unsqueeze', [historyWeights, axis1], {}, 'weight_column');
  const weightedHistory = g.op('Mul', [g.op('Gather', [historyVectors, historyItems], { axis: 0 }), weightColumn], {}, 'weighted_history');
  const historySum = g.op('ReduceSum', [weightedHistory, axis0], { keepdims: 1 }, 'history_sum');
  const preferenceSum = g.op('ReduceSum', [g.op('Gather', [preferenceVectors, preferences], { axis: 0 }), axis0], { keepdims: 1 });
  const user = g.op('Div', [g.op('Add', [historySum, g.op('Mul', [preferenceSum, lambda])]), divisor], {}, 'user');

  // score_i = u · itemVectors[i] + itemBias[i], shape [itemCount]
  const scores = g.op('Squeeze', [g.op('Gemm', [user, itemVectors, itemBias], { transB: 1 }), axis0], {}, 'all_scores');
  const top = appendTopK(g, scores, exclude, k);
  g.op('Identity', [top.items], {}, outputs.items);
  g.op('Identity', [top.scores], {}, outputs.scores);

  // contributions[j, c] = w_j · (historyVectors[h_j] · itemVectors[top_c]) / divisor, shape [H, k']
  const topVectors = g.op('Gather', [itemVectors, top.items], { axis: 0 }, 'top_vectors');
  const rawContributions = g.op('MatMul', [weightedHistory, g.op('Transpose', [topVectors], { perm: [1, 0] })]);
  g.op('Div', [rawContributions, divisor], {}, outputs.contributions);

  g.output(outputs.items, 'int64', ['k']);
  g.output(outputs.scores, 'float', ['k']);
  g.output(outputs.contributions, 'float', ['H', 'k']);

  const head = model.rating;
  if (head) {
    // rating_c = globalMean + bias[top_c] + factors[top_c] · (Σ_j w_j historyFactors[h_j]) / max(Σ_j w_j, 1)^0.5
    const ratingItemBias = g.floats(names.ratingItemBias, head.itemBias, [itemCount]);
    const itemFactors = g.floats(names.ratingItemFactors, head.itemFactors, [itemCount, head.dim]);
    const historyFactors = g.floats(names.ratingHistoryFactors, head.historyFactors, [itemCount, head.dim]);
    const globalMean = g.op('Cast', [g.doubles(names.ratingGlobalMean, Float64Array.of(head.globalMean), [])], TO_FLOAT, 'global_mean');
    const weightedFactors = g.op('Mul', [g.op('Gather', [historyFactors, historyItems], { axis: 0 }), weightColumn]);
    const factorSum = g.op('ReduceSum', [weightedFactors, axis0], { keepdims: 1 });
    const ratingUser = g.op('Div', [factorSum, g.op('Sqrt', [g.op('Max', [weightSum, one])])], {}, 'rating_user');
    const topFactors = g.op('Gather', [itemFactors, top.items], { axis: 0 });
    const dots = g.op('Squeeze', [g.op('MatMul', [topFactors, g.op('Transpose', [ratingUser], { perm: [1, 0] })]), axis1]);
    const topBias = g.op('Gather', [ratingItemBias, top.items], { axis: 0 });
    g.op('Add', [g.op('Add', [dots, topBias]), globalMean], {}, outputs.ratings);
    g.output(outputs.ratings, 'float', ['k']);
  }

  // u as [dim]. With feature_item_vectors, u takes its shape from their rows (the vectors it is
  // dotted with); the Shape node is folded at load time, so onnxruntime keeps no unused initializer.
  if (model.featureItemVectors) {
    const featureItemVectors = g.floats(names.featureItemVectors, model.featureItemVectors, [featureCount, dim]);
    g.op('Reshape', [user, g.op('Shape', [featureItemVectors], { start: 1 }, 'feature_row_shape')], {}, outputs.userVector);
  } else {
    g.op('Squeeze', [user, axis0], {}, outputs.userVector);
  }
  g.output(outputs.userVector, 'float', [dim]);
  if (model.newItemBias !== undefined) {
    g.op('Cast', [g.doubles(names.newItemBias, Float64Array.of(model.newItemBias), [])], TO_FLOAT, outputs.newItemBias);
    g.output(outputs.newItemBias, 'float', []);
  }
  return g.build(meta);
}

/**
 * The model the recommend graph of `model` encodes (and `readScoringModel` reads back): `model`
 * with historyVectors and itemVectors rounded to float16 precision (fresh arrays; the other
 * fields shared). Rounding is idempotent, so exporting the result encodes the same model.
 * Values past float16's range become ±Infinity here (checkScoringModel / the gate's finiteness
 * check reject them; exportRecommendGraph throws).
 */
export function exportedScoringModel(model: ScoringModel): ScoringModel {
  return { ...model, historyVectors: roundToFloat16(model.historyVectors), itemVectors: roundToFloat16(model.itemVectors) };
}

/** The float16 bit patterns of `values`; ExportError when a finite value overflows to infinity. */
function halvesOf(name: string, values: Readonly<Float32Array>): Uint16Array {
  const halves = float32ToFloat16(values);
  for (let i = 0; i < halves.length; i++) {
    if ((halves[i] & 0x7fff) === 0x7c00 && Number.isFinite(values[i])) {
      throw new ExportError(`cannot export the recommend graph: ${name}[${i}] = ${values[i]} is beyond float16's range (±65504)`);
    }
  }
  return halves;
}
