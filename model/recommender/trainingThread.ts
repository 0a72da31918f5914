import { TrainingError } from '../errors.ts';
import { Adam } from './adam.ts';
import { FeatureRows } from './featureRows.ts';
import { RecommenderParameters } from './recommenderParameters.ts';
import { CONTROL, type SharedBarrier } from './sharedBarrier.ts';
import { softmaxItemRows, softmaxUserRows, SoftmaxWorkspace, type BatchRows } from './softmaxGradient.ts';

/**
 * Everything the threads of a parallel trainer share, as sent to each worker (`workerData`):
 * sizes and optimiser settings, the catalog's item → feature rows (copied), and the shared buffers.
 */
export interface ParallelSetup {
  readonly threads: number;
  readonly dim: number;
  readonly itemCount: number;
  readonly featureCount: number;
  /** Largest number of users in a mini-batch. */
  readonly maxUsers: number;
  /** Largest number of input (and of target) entries in a mini-batch. */
  readonly maxEntries: number;
  readonly historyExponent: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly itemFeatureOffsets: Int32Array;
  readonly itemFeatures: Int32Array;
  /** Int32 slots named by CONTROL. */
  readonly control: SharedArrayBuffer;
  /** Bytes of the first failure's message. */
  readonly messages: SharedArrayBuffer;
  /** The parameters (float32, RecommenderParameters layout), updated in place by every step. */
  readonly parameters: SharedArrayBuffer;
  /** The batch's full gradient (same layout), complete after each step. */
  readonly gradient: SharedArrayBuffer;
  /** d of the parameters' moving average, ā ← d ā + (1 − d) p after every step (0: none). */
  readonly averageDecay: number;
  /** The moving average (same layout), when averageDecay > 0. */
  readonly average: SharedArrayBuffer;
  /** Floats between rows of the logits (the workspaces' logitStride; the same in every thread). */
  readonly logitStride: number;
  /** Each user's rows from the first half of a step, for the second: u_b, g_b (logits' gradient), dU_b (float32), divisor_b (float64). */
  readonly userRows: SharedArrayBuffer;
  /** Composed history and item vectors, itemCount × dim each. */
  readonly vectors: SharedArrayBuffer;
  /** The mini-batch: input and target offsets (int32, maxUsers + 1 each), items (int32) and weights (float32). */
  readonly batch: SharedArrayBuffer;
  /** Float64 loss of each thread's users in the last step. */
  readonly losses: SharedArrayBuffer;
}

/** The mini-batch rows laid over the shared batch buffer. */
export function sharedBatchRows(setup: ParallelSetup): BatchRows {
  const { maxUsers, maxEntries, batch } = setup;
  let offset = 0;
  const ints = (n: number): Int32Array => {
    const view = new Int32Array(batch, offset, n);
    offset += 4 * n;
    return view;
  };
  const floats = (n: number): Float32Array => {
    const view = new Float32Array(batch, offset, n);
    offset += 4 * n;
    return view;
  };
  return {
    inputOffsets: ints(maxUsers + 1),
    targetOffsets: ints(maxUsers + 1),
    inputItems: ints(maxEntries),
    inputWeights: floats(maxEntries),
    targetItems: ints(maxEntries),
    targetWeights: floats(maxEntries),
  };
}

/** Bytes of the shared batch buffer for these sizes. */
export function sharedBatchBytes(maxUsers: number, maxEntries: number): number {
  return 4 * (2 * (maxUsers + 1) + 4 * maxEntries);
}

/** Bytes of the shared user rows for these sizes. */
export function userRowsBytes(maxUsers: number, dim: number, logitStride: number): number {
  return 4 * maxUsers * (2 * dim + logitStride) + 8 * maxUsers;
}

/** Splits 0..count-1 into `parts` contiguous ranges; returns the start of part `k` (k = parts gives count). */
export function rangeStart(count: number, parts: number, k: number): number {
  return Math.floor((count * k) / parts);
}

/**
 * One thread's part of a parallel training step (the main thread is rank 0, workers 1…). A step
 * has four phases separated by barriers (the last closed by the next step's opening barrier);
 * each writes only rows it owns:
 *
 *   1. compose h (of the batch's input items) and v for the thread's items, from the parameters;
 *   2. for the thread's users: u_b, logits, their gradient g_b and dU_b (softmaxUserRows), shared;
 *   3. for the thread's items, over every user: dv, dbias and dh (softmaxItemRows) into the
 *      gradient, then Adam and the moving average on those item rows and biases;
 *   4. for the thread's features: spread the item gradients onto them, then Adam and the average
 *      on those rows.
 *
 * Items are split evenly, users of each batch evenly, features by their number of items. Every
 * row of every result is computed by one thread with the same sums in the same order as the
 * one-thread path, and Adam is elementwise: the parameters are the same bytes whatever the thread
 * count (only the reported loss is summed in another order).
 */
export class TrainingThread {
  private readonly setup: ParallelSetup;
  private readonly rank: number;
  private readonly control: Int32Array;
  private readonly parameters: RecommenderParameters;
  private readonly gradient: RecommenderParameters;
  private readonly history: Float32Array;
  private readonly items: Float32Array;
  private readonly batch: BatchRows;
  private readonly losses: Float64Array;
  private readonly shared: { users: Float32Array; logits: Float32Array; userGradients: Float32Array; divisors: Float64Array };
  private readonly rows: FeatureRows;
  private readonly workspace: SoftmaxWorkspace;
  private readonly itemFrom: number;
  private readonly itemTo: number;
  private readonly featureFrom: number;
  private readonly featureTo: number;
  /** Adam over this thread's rows, with the parameter, gradient and average views each one updates. */
  private readonly updates: { adam: Adam; parameters: Float32Array; gradient: Float32Array; average: Float32Array }[];

  constructor(setup: ParallelSetup, rank: number) {
    this.setup = setup;
    this.rank = rank;
    const { threads, dim, itemCount, featureCount, maxUsers, logitStride } = setup;
    this.control = new Int32Array(setup.control);
    this.parameters = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(setup.parameters));
    this.gradient = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(setup.gradient));
    this.history = new Float32Array(setup.vectors, 0, itemCount * dim);
    this.items = new Float32Array(setup.vectors, itemCount * dim * 4, itemCount * dim);
    this.batch = sharedBatchRows(setup);
    this.losses = new Float64Array(setup.losses);
    const floats = maxUsers * (2 * dim + logitStride);
    this.shared = {
      users: new Float32Array(setup.userRows, 0, maxUsers * dim),
      logits: new Float32Array(setup.userRows, 4 * maxUsers * dim, maxUsers * logitStride),
      userGradients: new Float32Array(setup.userRows, 4 * maxUsers * (dim + logitStride), maxUsers * dim),
      divisors: new Float64Array(setup.userRows, 4 * floats, maxUsers),
    };
    this.rows = new FeatureRows().set(itemCount, featureCount, setup.itemFeatureOffsets, setup.itemFeatures);
    this.workspace = new SoftmaxWorkspace(dim, itemCount, maxUsers);
    if (this.workspace.logitStride !== logitStride) {
      throw new TrainingError(`thread ${rank}: logit stride ${this.workspace.logitStride}, the trainer's is ${logitStride}`);
    }

    this.itemFrom = rangeStart(itemCount, threads, rank);
    this.itemTo = rangeStart(itemCount, threads, rank + 1);
    [this.featureFrom, this.featureTo] = featureRange(this.rows, featureCount, threads, rank);

    const adam = (size: number): Adam => new Adam(size, setup.learningRate, setup.weightDecay);
    const p = this.parameters;
    const g = this.gradient;
    // Without an average the views are never written (update() returns first).
    const a = setup.averageDecay > 0 ? new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(setup.average)) : p;
    const itemRows = (block: 'itemInput' | 'itemOutput') => ({
      adam: adam((this.itemTo - this.itemFrom) * dim),
      parameters: p[block].subarray(this.itemFrom * dim, this.itemTo * dim),
      gradient: g[block].subarray(this.itemFrom * dim, this.itemTo * dim),
      average: a[block].subarray(this.itemFrom * dim, this.itemTo * dim),
    });
    const featureRows = (block: 'featureInput' | 'featureOutput') => ({
      adam: adam((this.featureTo - this.featureFrom) * dim),
      parameters: p[block].subarray(this.featureFrom * dim, this.featureTo * dim),
      gradient: g[block].subarray(this.featureFrom * dim, this.featureTo * dim),
      average: a[block].subarray(this.featureFrom * dim, this.featureTo * dim),
    });
    this.updates = [
      itemRows('itemInput'),
      itemRows('itemOutput'),
      {
        adam: adam(this.itemTo - this.itemFrom),
        parameters: p.itemBias.subarray(this.itemFrom, this.itemTo),
        gradient: g.itemBias.subarray(this.itemFrom, this.itemTo),
        average: a.itemBias.subarray(this.itemFrom, this.itemTo),
      },
      featureRows('featureInput'),
      featureRows('featureOutput'),
    ];
  }

  /** Runs this thread's part of one step on the batch in shared memory (all threads call it together). */
  step(barrier: SharedBarrier): void {
    const { dim, itemCount, threads, historyExponent, logitStride } = this.setup;
    const { parameters: p, gradient: g, rows, itemFrom, itemTo, featureFrom, featureTo, workspace: ws, shared } = this;
    const count = Atomics.load(this.control, CONTROL.batchCount);

    const listed = ws.listInputItems(this.batch, count, itemFrom, itemTo);
    rows.composeListed(dim, p.itemInput, p.featureInput, ws.inputItems, listed, this.history);
    rows.compose(dim, p.itemOutput, p.featureOutput, itemFrom, itemTo, this.items);
    barrier.wait();

    const userFrom = rangeStart(count, threads, this.rank);
    const userTo = rangeStart(count, threads, this.rank + 1);
    this.losses[this.rank] = softmaxUserRows(
      dim,
      itemCount,
      this.batch,
      userFrom,
      userTo,
      historyExponent,
      1 / count,
      this.history,
      this.items,
      p.itemBias,
      ws,
    );
    shared.users.set(ws.users.subarray(userFrom * dim, userTo * dim), userFrom * dim);
    shared.logits.set(ws.logits.subarray(userFrom * logitStride, userTo * logitStride), userFrom * logitStride);
    shared.userGradients.set(ws.userGradients.subarray(userFrom * dim, userTo * dim), userFrom * dim);
    shared.divisors.set(ws.divisors.subarray(userFrom, userTo), userFrom);
    barrier.wait();

    ws.users.set(shared.users.subarray(0, count * dim));
    ws.logits.set(shared.logits.subarray(0, count * logitStride));
    ws.userGradients.set(shared.userGradients.subarray(0, count * dim));
    ws.divisors.set(shared.divisors.subarray(0, count));
    g.itemInput.fill(0, itemFrom * dim, itemTo * dim);
    g.itemOutput.fill(0, itemFrom * dim, itemTo * dim);
    g.itemBias.fill(0, itemFrom, itemTo);
    softmaxItemRows(dim, itemCount, this.batch, count, itemFrom, itemTo, ws, g.itemInput, g.itemOutput, g.itemBias);
    for (let k = 0; k < 3; k++) this.update(k);
    barrier.wait();

    g.featureInput.fill(0, featureFrom * dim, featureTo * dim);
    g.featureOutput.fill(0, featureFrom * dim, featureTo * dim);
    rows.spread(dim, g.itemInput, featureFrom, featureTo, g.featureInput);
    rows.spread(dim, g.itemOutput, featureFrom, featureTo, g.featureOutput);
    for (let k = 3; k < 5; k++) this.update(k);
  }

  /** Adam on block k of this thread's rows, then their moving average (as the one-thread trainer does it). */
  private update(k: number): void {
    const { adam, parameters, gradient, average } = this.updates[k];
    adam.apply(parameters, gradient);
    const decay = this.setup.averageDecay;
    if (decay <= 0) return;
    const fresh = 1 - decay;
    for (let i = 0; i < average.length; i++) average[i] = decay * average[i] + fresh * parameters[i];
  }
}

/** Features [from, to) of thread `rank`: contiguous ranges of about equal work (items spread onto, plus the row itself). */
function featureRange(rows: FeatureRows, featureCount: number, threads: number, rank: number): [number, number] {
  const work = (f: number): number => rows.featureOffsets[f] + f;
  const total = work(featureCount);
  const boundary = (k: number): number => {
    if (k >= threads) return featureCount;
    const goal = (total * k) / threads;
    let f = 0;
    while (f < featureCount && work(f) < goal) f++;
    return f;
  };
  return [boundary(rank), boundary(rank + 1)];
}
