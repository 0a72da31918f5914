import { Worker } from 'node:worker_threads';
import { ShapeError, TrainingError } from '../errors.ts';
import type { TrainingData } from '../types/trainingData.ts';
import type { MiniBatch } from './miniBatch.ts';
import { RecommenderParameters } from './recommenderParameters.ts';
import { CONTROL, SharedBarrier } from './sharedBarrier.ts';
import { sharedBatchBytes, sharedBatchRows, TrainingThread, userRowsBytes, type ParallelSetup } from './trainingThread.ts';
import { SimdKernels } from './simdKernels.ts';
import type { BatchRows } from './softmaxGradient.ts';

export interface ParallelTrainerOptions {
  /** Threads computing each step, the calling thread included (≥ 2; one thread needs no workers). */
  readonly threads: number;
  /** Largest number of users in a mini-batch. */
  readonly maxUsers: number;
  readonly historyExponent: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  /** d of the parameters' moving average, updated by the threads after every step (default 0: none). */
  readonly averageDecay?: number;
  /** How long to wait for the workers to start (default 120 s). */
  readonly startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;
/** Room for the first failure's message. */
const MESSAGE_BYTES = 4096;

/**
 * Adam steps on the full-softmax gradient of mini-batches, computed by `threads` threads: the
 * calling thread and `threads − 1` worker threads sharing the parameters, their moving average,
 * gradient and batch in SharedArrayBuffers (see TrainingThread for how a step is split). step()
 * is synchronous: the calling thread does its share and waits on Atomics, so the trainer's loop,
 * random numbers and batches stay as in the single-thread path. The threads pass one barrier per
 * phase and none after a step: the next step's opening barrier closes it (the batch buffer is
 * not read in a step's last phase, so the next batch is copied in meanwhile), and read() waits
 * until the workers have counted every step finished before copying the parameters out. Every gradient row is computed by one thread
 * exactly as the single-thread path computes it, so the parameters are the same bytes for every
 * thread count (and every run); only the reported loss is summed in another order.
 *
 * The workers are started by the constructor and stopped by close(), which the caller must call
 * (try/finally); they are unref'd, so a trainer left open does not keep the process alive. They
 * run the TypeScript sources through tsx (gradientWorker.mjs), so they need the source tree and
 * the tsx package, as the CLI and tests have them.
 */
export class ParallelTrainer {
  readonly threads: number;
  /** The gradient of the last step (shared memory; complete after read(), valid until the next step). */
  readonly gradient: RecommenderParameters;
  private readonly shared: RecommenderParameters;
  private readonly average: RecommenderParameters;
  private readonly setup: ParallelSetup;
  private readonly control: Int32Array;
  private readonly barrier: SharedBarrier;
  private readonly batch: BatchRows;
  private readonly losses: Float64Array;
  private readonly main: TrainingThread;
  private readonly workers: Worker[] = [];
  private closed = false;
  /** Steps started, for read() to wait until the workers have finished them all. */
  private steps = 0;

  /**
   * Starts the workers for training `params` (copied in now, and the moving average starts from
   * them; read() copies both out). `data` gives the catalog's item features and the users' row
   * counts, which bound the size of a batch.
   */
  constructor(
    params: RecommenderParameters,
    data: Pick<TrainingData, 'itemFeatureOffsets' | 'itemFeatures' | 'userOffsets'>,
    options: ParallelTrainerOptions,
  ) {
    const { threads, maxUsers } = options;
    if (!Number.isInteger(threads) || threads < 2) throw new ShapeError(`ParallelTrainer needs at least 2 threads, got ${threads}`);
    if (!Number.isInteger(maxUsers) || maxUsers < 1) throw new ShapeError(`maxUsers must be a positive integer, got ${maxUsers}`);
    const { dim, itemCount, featureCount } = params;
    if (data.itemFeatureOffsets.length !== itemCount + 1) {
      throw new ShapeError(`itemFeatureOffsets has ${data.itemFeatureOffsets.length} entries, expected ${itemCount + 1}`);
    }
    this.threads = threads;
    const size = params.values.length;
    const maxEntries = largestBatchEntries(data.userOffsets, maxUsers);
    // The logits' row stride of the threads' workspaces (SIMD or not), the same in every thread.
    const logitStride = SimdKernels.supports(dim) ? SimdKernels.itemSlotsFor(itemCount) : itemCount;
    this.setup = {
      threads,
      dim,
      itemCount,
      featureCount,
      maxUsers,
      maxEntries,
      historyExponent: options.historyExponent,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      itemFeatureOffsets: Int32Array.from(data.itemFeatureOffsets),
      itemFeatures: Int32Array.from(data.itemFeatures),
      control: new SharedArrayBuffer(4 * CONTROL.size),
      messages: new SharedArrayBuffer(MESSAGE_BYTES),
      parameters: new SharedArrayBuffer(4 * size),
      gradient: new SharedArrayBuffer(4 * size),
      averageDecay: options.averageDecay ?? 0,
      average: new SharedArrayBuffer((options.averageDecay ?? 0) > 0 ? 4 * size : 0),
      logitStride,
      userRows: new SharedArrayBuffer(userRowsBytes(maxUsers, dim, logitStride)),
      vectors: new SharedArrayBuffer(4 * 2 * itemCount * dim),
      batch: new SharedArrayBuffer(sharedBatchBytes(maxUsers, maxEntries)),
      losses: new SharedArrayBuffer(8 * threads),
    };
    this.shared = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(this.setup.parameters));
    this.shared.values.set(params.values);
    this.average = new RecommenderParameters(
      dim,
      itemCount,
      featureCount,
      (options.averageDecay ?? 0) > 0 ? new Float32Array(this.setup.average) : this.shared.values,
    );
    if (this.average.values !== this.shared.values) this.average.values.set(params.values);
    this.gradient = new RecommenderParameters(dim, itemCount, featureCount, new Float32Array(this.setup.gradient));
    this.control = new Int32Array(this.setup.control);
    this.barrier = new SharedBarrier(this.control, threads, new Uint8Array(this.setup.messages));
    this.batch = sharedBatchRows(this.setup);
    this.losses = new Float64Array(this.setup.losses);
    this.main = new TrainingThread(this.setup, 0);
    try {
      for (let rank = 1; rank < threads; rank++) {
        // Resolved here, not at import, so that bundles that never start workers do not need the file.
        const worker = new Worker(new URL('./gradientWorker.mjs', import.meta.url), { workerData: { setup: this.setup, rank } });
        worker.unref();
        this.workers.push(worker);
      }
      this.awaitWorkers(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** One Adam step on `batch` (at most maxUsers users) on the shared parameters; returns the batch's mean loss. */
  step(batch: Readonly<MiniBatch>): number {
    if (this.closed) throw new TrainingError('ParallelTrainer: step after close');
    const count = batch.count;
    if (count < 1 || count > this.setup.maxUsers) throw new ShapeError(`batch has ${count} users, expected 1..${this.setup.maxUsers}`);
    this.copyBatch(batch);
    this.guarded(() => {
      this.barrier.wait();
      this.main.step(this.barrier);
    });
    this.steps++;
    // Each thread wrote its users' loss before the phase-3 barrier.
    let loss = 0;
    for (let r = 0; r < this.threads; r++) loss += this.losses[r];
    return loss / count;
  }

  /**
   * Waits until every thread has finished the last step, then copies the parameters (and, when
   * given, their moving average) into these arrays.
   */
  read(params: RecommenderParameters, average?: RecommenderParameters): void {
    if (this.closed) throw new TrainingError('ParallelTrainer: read after close');
    this.guarded(() => this.awaitSteps());
    params.values.set(this.shared.values);
    if (average && average !== params) average.values.set(this.average.values);
  }

  /** Blocks until every worker has finished every step started (or one failed). */
  private awaitSteps(): void {
    const expected = this.steps * (this.threads - 1);
    for (;;) {
      const done = Atomics.load(this.control, CONTROL.stepsDone);
      if (done === expected) return;
      if (this.barrier.failed) throw new TrainingError(this.barrier.failure());
      Atomics.wait(this.control, CONTROL.stepsDone, done, 20);
    }
  }

  private guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      // Ours or a worker's: either way the threads are out of step, so stop them all.
      if (!this.barrier.failed) this.barrier.fail(0, error instanceof Error ? error.message : String(error));
      this.abort();
      throw error instanceof TrainingError ? error : new TrainingError(this.barrier.failure(), { cause: error });
    }
  }

  /** Stops the workers; the trainer cannot step afterwards. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.barrier.failed) return;
    Atomics.store(this.control, CONTROL.stop, 1);
    // The workers wait at the start-of-step barrier; passing it with stop set ends their loop.
    this.barrier.wait();
  }

  private copyBatch(batch: Readonly<MiniBatch>): void {
    const count = batch.count;
    const inputs = batch.inputOffsets[count];
    const targets = batch.targetOffsets[count];
    if (inputs > this.setup.maxEntries || targets > this.setup.maxEntries) {
      throw new ShapeError(`batch has ${Math.max(inputs, targets)} entries, more than the ${this.setup.maxEntries} of the largest users`);
    }
    const rows = this.batch;
    rows.inputOffsets.set(batch.inputOffsets.subarray(0, count + 1));
    rows.targetOffsets.set(batch.targetOffsets.subarray(0, count + 1));
    rows.inputItems.set(batch.inputItems.subarray(0, inputs));
    rows.inputWeights.set(batch.inputWeights.subarray(0, inputs));
    rows.targetItems.set(batch.targetItems.subarray(0, targets));
    rows.targetWeights.set(batch.targetWeights.subarray(0, targets));
    Atomics.store(this.control, CONTROL.batchCount, count);
  }

  /** Blocks until every worker has started, one of them failed, or the timeout passes. */
  private awaitWorkers(timeoutMs: number): void {
    const deadline = performance.now() + timeoutMs;
    const expected = this.threads - 1;
    for (;;) {
      const ready = Atomics.load(this.control, CONTROL.ready);
      if (ready === expected) return;
      if (this.barrier.failed) throw new TrainingError(this.barrier.failure());
      const left = deadline - performance.now();
      if (left <= 0)
        throw new TrainingError(`ParallelTrainer: ${expected - ready} of ${expected} workers did not start within ${timeoutMs} ms`);
      Atomics.wait(this.control, CONTROL.ready, ready, Math.min(left, 20));
    }
  }

  /** Ends the workers without the barrier (after a failure, or when starting failed). */
  private abort(): void {
    this.closed = true;
    if (!this.barrier.failed) this.barrier.fail(0, 'stopped');
    for (const worker of this.workers) void worker.terminate();
  }
}

/** Input (or target) entries of the largest possible batch: the row counts of the `maxUsers` users with most rows. */
function largestBatchEntries(userOffsets: Readonly<Int32Array>, maxUsers: number): number {
  const userCount = userOffsets.length - 1;
  const counts = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) counts[u] = userOffsets[u + 1] - userOffsets[u];
  counts.sort();
  let total = 0;
  for (let k = 0; k < Math.min(maxUsers, userCount); k++) total += counts[userCount - 1 - k];
  return Math.max(total, 1);
}
