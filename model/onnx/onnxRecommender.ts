import { endianness } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { ModelError, ShapeError } from '../errors.ts';
import { RECOMMEND_GRAPH, SIMILAR_GRAPH } from './constants.ts';
import { warmupModel } from './warmupModel.ts';

/** A top-k answer in item indices, straight from the graph. */
export interface RecommendResult {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** history × k, row-major: contribution of history entry j to result t at j * k + t. */
  readonly contributions: Float32Array;
  /** Predicted stars of each result, when the model has a rating head. */
  readonly ratings?: Float32Array;
  /** The user vector u [dim] (the graph's `user_vector` output), to score titles the graph does not hold. */
  readonly userVector?: Float32Array;
  /** The bias of a title added after training (`new_item_bias`), when the model has one. */
  readonly newItemBias?: number;
}

export interface RecommendInput {
  readonly historyItems: Int32Array;
  readonly historyWeights: Float32Array;
  readonly preferences: Int32Array;
  readonly exclude: Int32Array;
  readonly k: number;
}

/** The graphs of a model version; either may be left out when a process serves only the other. */
export interface RecommenderGraphs {
  readonly recommend?: Uint8Array;
  readonly similar?: Uint8Array;
}

/**
 * Session options of both graphs. One intra-op thread: a request's graph is a single
 * matrix–vector product and a top-k, too small to gain from splitting, and concurrent requests
 * (or other processes) get the other cores. No pre-packing: for a product with one row, packing
 * the item matrix gains nothing per run (measured at 50k titles: p50 0.58–0.68 ms without, 0.65–0.75
 * with), while it copies the matrix (12.8 MB at 50k × 64) when the session is created.
 */
export const DEFAULT_SESSION_OPTIONS: Ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { disable_prepacking: '1' } },
};

type OnnxRuntime = typeof Ort;
let runtime: Promise<OnnxRuntime> | undefined;

/**
 * Loads onnxruntime-node (once) and warms it up: its native library takes a while to load, and
 * its first session pays for its environment and kernel registry (20–30 ms, see warmupModel),
 * so a server that will need it can start this early — e.g. while its model downloads — instead
 * of paying both when the model is there. A failed warm-up is ignored: the real session reports
 * whatever is wrong.
 */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  runtime ??= import('onnxruntime-node').then(async (ort) => {
    try {
      const session = await ort.InferenceSession.create(warmupModel(), DEFAULT_SESSION_OPTIONS);
      await session.release();
    } catch {
      // the real sessions will say
    }
    return ort;
  });
  return runtime;
}

/**
 * The exported graphs run by onnxruntime: one session per graph, created once and reused.
 * Inputs and outputs are item / feature indices; mapping ids to indices is the caller's (the
 * manifest holds both maps).
 */
export class OnnxRecommender {
  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly recommendSession: Ort.InferenceSession | undefined,
    private readonly similarSession: Ort.InferenceSession | undefined,
    readonly itemCount: number,
    readonly featureCount: number,
    readonly hasRatings: boolean,
  ) {}

  static async create(
    recommendGraph: Uint8Array,
    similarGraph: Uint8Array,
    itemCount: number,
    featureCount: number,
  ): Promise<OnnxRecommender> {
    return OnnxRecommender.fromGraphs({ recommend: recommendGraph, similar: similarGraph }, itemCount, featureCount);
  }

  /**
   * Sessions for the graphs given (at least one). `recommend` / `similar` throw ModelError when
   * their graph was left out.
   */
  static async fromGraphs(
    graphs: RecommenderGraphs,
    itemCount: number,
    featureCount: number,
    sessionOptions: Ort.InferenceSession.SessionOptions = DEFAULT_SESSION_OPTIONS,
  ): Promise<OnnxRecommender> {
    if (!graphs.recommend && !graphs.similar) throw new ShapeError('OnnxRecommender needs the recommend graph, the similar graph or both');
    if (!Number.isInteger(itemCount) || itemCount < 1) throw new ShapeError(`itemCount must be a positive integer, got ${itemCount}`);
    if (!Number.isInteger(featureCount) || featureCount < 0)
      throw new ShapeError(`featureCount must be a non-negative integer, got ${featureCount}`);
    const ort = await loadOnnxRuntime();
    const [recommend, similar] = await Promise.all([
      graphs.recommend ? ort.InferenceSession.create(graphs.recommend, sessionOptions) : undefined,
      graphs.similar ? ort.InferenceSession.create(graphs.similar, sessionOptions) : undefined,
    ]);
    const hasRatings = recommend?.outputNames.includes(RECOMMEND_GRAPH.outputs.ratings) ?? false;
    return new OnnxRecommender(ort, recommend, similar, itemCount, featureCount, hasRatings);
  }

  get hasRecommend(): boolean {
    return this.recommendSession !== undefined;
  }

  get hasSimilar(): boolean {
    return this.similarSession !== undefined;
  }

  async recommend(input: RecommendInput): Promise<RecommendResult> {
    const session = this.recommendSession;
    if (!session) throw new ModelError('this recommender was created without the recommend graph');
    const { historyItems, historyWeights, preferences, exclude } = input;
    if (historyItems.length !== historyWeights.length) throw new ShapeError('historyItems and historyWeights differ in length');
    checkIndices('history item', historyItems, this.itemCount);
    checkIndices('preference', preferences, this.featureCount);
    checkIndices('excluded item', exclude, this.itemCount);
    const k = clampK(input.k, this.itemCount);
    const names = RECOMMEND_GRAPH.inputs;
    const { Tensor } = this.ort;
    const out = await session.run({
      [names.historyItems]: int64(Tensor, historyItems),
      [names.historyWeights]: new Tensor('float32', historyWeights, [historyWeights.length]),
      [names.preferences]: int64(Tensor, preferences),
      [names.exclude]: int64(Tensor, exclude),
      [names.k]: int64(Tensor, Int32Array.of(k)),
    });
    const outputs = RECOMMEND_GRAPH.outputs;
    const scores = out[outputs.scores].data as Float32Array;
    // Excluded items carry the lowest float; they are dropped when k exceeds what is left.
    const valid = countValid(scores);
    return {
      items: toInt32(out[outputs.items].data as BigInt64Array, valid),
      scores: valid === scores.length ? scores : scores.slice(0, valid),
      contributions: sliceColumns(out[outputs.contributions].data as Float32Array, historyItems.length, scores.length, valid),
      ...(this.hasRatings ? { ratings: (out[outputs.ratings].data as Float32Array).slice(0, valid) } : {}),
      ...(out[outputs.userVector] ? { userVector: out[outputs.userVector].data as Float32Array } : {}),
      ...(out[outputs.newItemBias] ? { newItemBias: (out[outputs.newItemBias].data as Float32Array)[0] } : {}),
    };
  }

  async similar(item: number, k: number, exclude: Int32Array = new Int32Array(0)): Promise<{ items: Int32Array; scores: Float32Array }> {
    const session = this.similarSession;
    if (!session) throw new ModelError('this recommender was created without the similar graph');
    checkIndices('item', Int32Array.of(item), this.itemCount);
    checkIndices('excluded item', exclude, this.itemCount);
    const names = SIMILAR_GRAPH.inputs;
    const { Tensor } = this.ort;
    const out = await session.run({
      [names.item]: int64(Tensor, Int32Array.of(item)),
      [names.exclude]: int64(Tensor, exclude),
      [names.k]: int64(Tensor, Int32Array.of(clampK(k, this.itemCount - 1))),
    });
    const scores = out[SIMILAR_GRAPH.outputs.scores].data as Float32Array;
    const valid = countValid(scores);
    return {
      items: toInt32(out[SIMILAR_GRAPH.outputs.items].data as BigInt64Array, valid),
      scores: valid === scores.length ? scores : scores.slice(0, valid),
    };
  }

  async release(): Promise<void> {
    await Promise.all([this.recommendSession?.release(), this.similarSession?.release()]);
  }
}

/**
 * On a little-endian host an int64 holding a non-negative int32 is that int32 followed by a zero
 * word, so tensors are filled through an Int32Array view: no BigInt per element (BigInt(x) costs
 * tens of nanoseconds, which adds up over an exclusion list of tens of thousands of items).
 */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Non-negative indices (checked by the callers) as an int64 tensor. */
function int64(Tensor: OnnxRuntime['Tensor'], values: Int32Array): Ort.Tensor {
  const data = new BigInt64Array(values.length);
  if (LITTLE_ENDIAN) {
    const words = new Int32Array(data.buffer, data.byteOffset, values.length * 2);
    for (let i = 0; i < values.length; i++) words[2 * i] = values[i];
  } else {
    for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  }
  return new Tensor('int64', data, [values.length]);
}

/** The first `count` int64 indices (each in int32 range: they index the catalog) as an Int32Array. */
function toInt32(values: BigInt64Array, count: number): Int32Array {
  const out = new Int32Array(count);
  if (LITTLE_ENDIAN) {
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < count; i++) out[i] = words[2 * i];
  } else {
    for (let i = 0; i < count; i++) out[i] = Number(values[i]);
  }
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
