import { Adam } from './adam.ts';
import { FeatureRows } from './featureRows.ts';
import { RecommenderParameters } from './recommenderParameters.ts';
import { CONTROL, SharedBarrier } from './sharedBarrier.ts';
import { softmaxUsersGradient, SoftmaxWorkspace, type BatchRows } from './softmaxGradient.ts';

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
  /** Per thread: its users' gradient for the item input rows, item output rows and item biases. */
  readonly partials: SharedArrayBuffer;
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

/** Splits 0..count-1 into `parts` contiguous ranges; returns the start of part `k` (k = parts gives count). */
export function rangeStart(count: number, parts: number, k: number): number {
  return Math.floor((count * k) / parts);
}

/**
 * One thread's part of a parallel training step (the main thread is rank 0, workers 1…). A step
 * has four phases separated by barriers; each writes only rows it owns, so the result does not
 * depend on timing, and every sum runs in a fixed order:
 *
 *   1. compose h (of the batch's input items) and v for the thread's items, from the parameters;
 *   2. the softmax gradient of the thread's users into its own partial buffers;
 *   3. for the thread's items: sum the partials in rank order into the gradient, then Adam on
 *      those item rows and biases;
 *   4. for the thread's features: spread the item gradients onto them, then Adam on those rows.
 *
 * Items are split evenly, users of each batch evenly, features by their number of items. Adam is
 * elementwise, so Adam instances over row ranges update exactly as one over the whole array.
 */
export class TrainingThread {
  private readonly setup: ParallelSetup;
  private readonly rank: number;
  private readonly control: Int32Array;
  private readonly parameters: RecommenderParameters;
  private readonly gradient: RecommenderParameters;
  private readonly partials: { itemInput: Float32Array; itemOutput: Float32Array; itemBias: Float32Array }[];
  private readonly history: Float32Array;
  private readonly items: Float32Array;
  private readonly batch: BatchRows;
  private readonly losses: Float64Array;
  private readonly rows: FeatureRows;
  private readonly workspace: SoftmaxWorkspace;
  private readonly itemFrom: number;
  private readonly itemTo: number;
  private readonly featureFrom: number;
  private readonly featureTo: number;
  /** Adam over this thread's rows, with the parameter and gradient views each one updates. */
  private readonly updates: { adam: Adam; parameters: Float32Array; gradient: Float32Array }[];

  constructor(setup: ParallelSetup, rank: number) {
    this.setup = setup;
    this.rank = rank;
    const { threads, dim, itemCount, featureCount } = setup;
    this.control = new Int32Array(setup.control);
    this.parameters = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(setup.parameters));
    this.gradient = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(setup.gradient));
    const partialSize = (2 * dim + 1) * itemCount;
    this.partials = [];
    for (let r = 0; r < threads; r++) {
      const base = r * partialSize * 4;
      this.partials.push({
        itemInput: new Float32Array(setup.partials, base, itemCount * dim),
        itemOutput: new Float32Array(setup.partials, base + itemCount * dim * 4, itemCount * dim),
        itemBias: new Float32Array(setup.partials, base + 2 * itemCount * dim * 4, itemCount),
      });
    }
    this.history = new Float32Array(setup.vectors, 0, itemCount * dim);
    this.items = new Float32Array(setup.vectors, itemCount * dim * 4, itemCount * dim);
    this.batch = sharedBatchRows(setup);
    this.losses = new Float64Array(setup.losses);
    this.rows = new FeatureRows().set(itemCount, featureCount, setup.itemFeatureOffsets, setup.itemFeatures);
    this.workspace = new SoftmaxWorkspace(dim, itemCount, Math.ceil(setup.maxUsers / threads));

    this.itemFrom = rangeStart(itemCount, threads, rank);
    this.itemTo = rangeStart(itemCount, threads, rank + 1);
    [this.featureFrom, this.featureTo] = featureRange(this.rows, featureCount, threads, rank);

    const adam = (size: number): Adam => new Adam(size, setup.learningRate, setup.weightDecay);
    const p = this.parameters;
    const g = this.gradient;
    const itemRows = (block: 'itemInput' | 'itemOutput') => ({
      adam: adam((this.itemTo - this.itemFrom) * dim),
      parameters: p[block].subarray(this.itemFrom * dim, this.itemTo * dim),
      gradient: g[block].subarray(this.itemFrom * dim, this.itemTo * dim),
    });
    const featureRows = (block: 'featureInput' | 'featureOutput') => ({
      adam: adam((this.featureTo - this.featureFrom) * dim),
      parameters: p[block].subarray(this.featureFrom * dim, this.featureTo * dim),
      gradient: g[block].subarray(this.featureFrom * dim, this.featureTo * dim),
    });
    this.updates = [
      itemRows('itemInput'),
      itemRows('itemOutput'),
      {
        adam: adam(this.itemTo - this.itemFrom),
        parameters: p.itemBias.subarray(this.itemFrom, this.itemTo),
        gradient: g.itemBias.subarray(this.itemFrom, this.itemTo),
      },
      featureRows('featureInput'),
      featureRows('featureOutput'),
    ];
  }

  /** Runs this thread's part of one step on the batch in shared memory (all threads call it together). */
  step(barrier: SharedBarrier): void {
    const { dim, itemCount, threads, historyExponent } = this.setup;
    const { parameters: p, gradient: g, rows, itemFrom, itemTo, featureFrom, featureTo } = this;

    const count = Atomics.load(this.control, CONTROL.batchCount);
    const listed = this.workspace.listInputItems(this.batch, count, itemFrom, itemTo);
    rows.composeListed(dim, p.itemInput, p.featureInput, this.workspace.inputItems, listed, this.history);
    rows.compose(dim, p.itemOutput, p.featureOutput, itemFrom, itemTo, this.items);
    barrier.wait();

    const own = this.partials[this.rank];
    own.itemInput.fill(0);
    own.itemOutput.fill(0);
    own.itemBias.fill(0);
    this.losses[this.rank] = softmaxUsersGradient(
      dim, itemCount, this.batch, rangeStart(count, threads, this.rank), rangeStart(count, threads, this.rank + 1),
      historyExponent, 1 / count, this.history, this.items, p.itemBias, this.workspace,
      own.itemInput, own.itemOutput, own.itemBias,
    );
    barrier.wait();

    sumRows(this.partials, 'itemInput', itemFrom * dim, itemTo * dim, g.itemInput);
    sumRows(this.partials, 'itemOutput', itemFrom * dim, itemTo * dim, g.itemOutput);
    sumRows(this.partials, 'itemBias', itemFrom, itemTo, g.itemBias);
    for (let k = 0; k < 3; k++) this.updates[k].adam.apply(this.updates[k].parameters, this.updates[k].gradient);
    barrier.wait();

    g.featureInput.fill(0, featureFrom * dim, featureTo * dim);
    g.featureOutput.fill(0, featureFrom * dim, featureTo * dim);
    rows.spread(dim, g.itemInput, featureFrom, featureTo, g.featureInput);
    rows.spread(dim, g.itemOutput, featureFrom, featureTo, g.featureOutput);
    for (let k = 3; k < 5; k++) this.updates[k].adam.apply(this.updates[k].parameters, this.updates[k].gradient);
  }
}

/** out[from..to) = Σ_r partials[r][block][from..to), summed in rank order. */
function sumRows(
  partials: readonly { itemInput: Float32Array; itemOutput: Float32Array; itemBias: Float32Array }[],
  block: 'itemInput' | 'itemOutput' | 'itemBias',
  from: number,
  to: number,
  out: Float32Array,
): void {
  const first = partials[0][block];
  for (let k = from; k < to; k++) out[k] = first[k];
  for (let r = 1; r < partials.length; r++) {
    const rows = partials[r][block];
    for (let k = from; k < to; k++) out[k] += rows[k];
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
