import * as ort from 'onnxruntime-node';
import { ShapeError } from '../errors.ts';
import { RECOMMEND_GRAPH, SIMILAR_GRAPH } from './constants.ts';

/** A top-k answer in item indices, straight from the graph. */
export interface RecommendResult {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** history × k, row-major: contribution of history entry j to result t at j * k + t. */
  readonly contributions: Float32Array;
  /** Predicted stars of each result, when the model has a rating head. */
  readonly ratings?: Float32Array;
}

export interface RecommendInput {
  readonly historyItems: Int32Array;
  readonly historyWeights: Float32Array;
  readonly preferences: Int32Array;
  readonly exclude: Int32Array;
  readonly k: number;
}

/**
 * The exported graphs run by onnxruntime: one session per graph, created once and reused.
 * Inputs and outputs are item / feature indices; mapping ids to indices is the caller's (the
 * manifest holds both maps).
 */
export class OnnxRecommender {
  private constructor(
    private readonly recommendSession: ort.InferenceSession,
    private readonly similarSession: ort.InferenceSession,
    readonly itemCount: number,
    readonly featureCount: number,
    readonly hasRatings: boolean,
  ) {}

  static async create(recommendGraph: Uint8Array, similarGraph: Uint8Array, itemCount: number, featureCount: number): Promise<OnnxRecommender> {
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    const [recommend, similar] = await Promise.all([
      ort.InferenceSession.create(recommendGraph, options),
      ort.InferenceSession.create(similarGraph, options),
    ]);
    return new OnnxRecommender(recommend, similar, itemCount, featureCount, recommend.outputNames.includes(RECOMMEND_GRAPH.outputs.ratings));
  }

  async recommend(input: RecommendInput): Promise<RecommendResult> {
    const { historyItems, historyWeights, preferences, exclude } = input;
    if (historyItems.length !== historyWeights.length) throw new ShapeError('historyItems and historyWeights differ in length');
    checkIndices('history item', historyItems, this.itemCount);
    checkIndices('preference', preferences, this.featureCount);
    checkIndices('excluded item', exclude, this.itemCount);
    const k = clampK(input.k, this.itemCount);
    const names = RECOMMEND_GRAPH.inputs;
    const out = await this.recommendSession.run({
      [names.historyItems]: int64(historyItems),
      [names.historyWeights]: new ort.Tensor('float32', historyWeights, [historyWeights.length]),
      [names.preferences]: int64(preferences),
      [names.exclude]: int64(exclude),
      [names.k]: int64(Int32Array.of(k)),
    });
    const outputs = RECOMMEND_GRAPH.outputs;
    const scores = out[outputs.scores].data as Float32Array;
    // Excluded items carry the lowest float; they are dropped when k exceeds what is left.
    const valid = countValid(scores);
    return {
      items: toInt32(out[outputs.items].data as BigInt64Array, valid),
      scores: scores.slice(0, valid),
      contributions: sliceColumns(out[outputs.contributions].data as Float32Array, historyItems.length, scores.length, valid),
      ...(this.hasRatings ? { ratings: (out[outputs.ratings].data as Float32Array).slice(0, valid) } : {}),
    };
  }

  async similar(item: number, k: number, exclude: Int32Array = new Int32Array(0)): Promise<{ items: Int32Array; scores: Float32Array }> {
    checkIndices('item', Int32Array.of(item), this.itemCount);
    checkIndices('excluded item', exclude, this.itemCount);
    const names = SIMILAR_GRAPH.inputs;
    const out = await this.similarSession.run({
      [names.item]: int64(Int32Array.of(item)),
      [names.exclude]: int64(exclude),
      [names.k]: int64(Int32Array.of(clampK(k, this.itemCount - 1))),
    });
    const scores = out[SIMILAR_GRAPH.outputs.scores].data as Float32Array;
    const valid = countValid(scores);
    return { items: toInt32(out[SIMILAR_GRAPH.outputs.items].data as BigInt64Array, valid), scores: scores.slice(0, valid) };
  }

  async release(): Promise<void> {
    await Promise.all([this.recommendSession.release(), this.similarSession.release()]);
  }
}

function int64(values: Int32Array): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, [values.length]);
}

function toInt32(values: BigInt64Array, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Number(values[i]);
  return out;
}

function countValid(scores: Float32Array): number {
  let n = 0;
  while (n < scores.length && scores[n] > -3e38) n++;
  return n;
}

function sliceColumns(matrix: Float32Array, rows: number, columns: number, keep: number): Float32Array {
  if (keep === columns) return matrix;
  const out = new Float32Array(rows * keep);
  for (let r = 0; r < rows; r++) out.set(matrix.subarray(r * columns, r * columns + keep), r * keep);
  return out;
}

function clampK(k: number, max: number): number {
  if (!Number.isInteger(k) || k < 1) throw new ShapeError(`k must be a positive integer, got ${k}`);
  return Math.min(k, Math.max(max, 1));
}

function checkIndices(what: string, indices: Int32Array, count: number): void {
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] < 0 || indices[i] >= count) throw new ShapeError(`${what} index ${indices[i]} is outside [0, ${count})`);
  }
}
