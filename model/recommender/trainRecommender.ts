import { ShapeError, TrainingError } from '../errors.ts';
import { Random } from '../random.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { sampleUsers } from '../data/sampleUsers.ts';
import { splitPerUser } from '../data/splitPerUser.ts';
import { evaluateRanking } from '../eval/evaluateRanking.ts';
import { Adam } from './adam.ts';
import { AliasTable, proposalWeights } from './aliasTable.ts';
import { chooseObjective } from './chooseObjective.ts';
import { DEFAULT_RECOMMENDER_HYPER_PARAMETERS, type RecommenderHyperParameters } from './hyperParameters.ts';
import { LazyAdam } from './lazyAdam.ts';
import { MiniBatch } from './miniBatch.ts';
import { ParallelTrainer } from './parallelTrainer.ts';
import { PendingRows } from './pendingRows.ts';
import { RecommenderParameters } from './recommenderParameters.ts';
import { sampledSlots, sampledSoftmaxGradient, SampledSoftmaxWorkspace, type SampledProposal } from './sampledSoftmaxGradient.ts';
import { BlockScorer } from './blockScorer.ts';
import { softmaxGradient, SoftmaxWorkspace } from './softmaxGradient.ts';

/**
 * Users whose held-out interactions score the model after each epoch of early stopping: a
 * fixed-seed sample, so that validation costs at most this many users × titles × dim per epoch.
 */
export const VALIDATION_MAX_USERS = 2000;

/** Sampled objective: the largest batch sampledStepsPerEpoch may grow to (the workspace grows with it). */
export const SAMPLED_MAX_BATCH_USERS = 2048;

/**
 * The sampled objective's viewers per step and step size for `viewers` viewers: sampledBatchUsers
 * and sampledLearningRate, or with more viewers than sampledStepsPerEpoch batches of them, a batch
 * of viewers / sampledStepsPerEpoch (at most SAMPLED_MAX_BATCH_USERS) and the step size scaled by
 * the square root of the growth. At 20 k titles and 20 k viewers 512 viewers at 0.08 scored as
 * 128 at 0.04 (nDCG@10 0.0482 against 0.0489) in 60 % of the time; on ml-100k 512 loses.
 */
export function sampledBatch(hp: RecommenderHyperParameters, viewers: number): { users: number; learningRate: number } {
  const steps = Math.max(1, Math.floor(hp.sampledStepsPerEpoch));
  const users = Math.min(
    Math.max(hp.sampledBatchUsers, Math.ceil(viewers / steps)),
    Math.max(hp.sampledBatchUsers, SAMPLED_MAX_BATCH_USERS),
  );
  return { users, learningRate: hp.sampledLearningRate * Math.sqrt(users / hp.sampledBatchUsers) };
}

/** Sampled objective: the fewest updates of the content-feature rows per epoch (see sampledFeatureSteps). */
export const FEATURE_UPDATES_PER_EPOCH = 16;

/** One line of the training log. */
export interface EpochLog {
  readonly phase: 'select' | 'refit' | 'fit';
  readonly epoch: number;
  readonly loss: number;
  /** nDCG@10 on the held-out validation interactions, when there are any. */
  readonly validationNdcgAt10?: number;
  readonly seconds: number;
}

export interface TrainRecommenderOptions {
  readonly hyperParameters?: Partial<RecommenderHyperParameters>;
  /** Called after every epoch (structured progress; the caller decides how to log it). */
  readonly onEpoch?: (log: EpochLog) => void;
  /** Asked before every epoch; returning true ends training with the best model so far (time budgets). */
  readonly shouldStop?: () => boolean;
  /**
   * Threads computing each mini-batch step of the full softmax (default 1: in this thread, no
   * workers). The trained parameters are the same bytes for every thread count. The sampled
   * objective trains in this thread whatever this says.
   */
  readonly threads?: number;
  /**
   * Where training starts instead of random embeddings (a warm start, see warmStart.ts), in the
   * layout of `data`: every phase (selection and refit) starts from these values.
   */
  readonly initialParameters?: RecommenderParameters;
}

export interface TrainedRecommender {
  /** The hyper-parameters used, with `objective` resolved to 'full' or 'sampled'. */
  readonly hyperParameters: RecommenderHyperParameters;
  readonly parameters: RecommenderParameters;
  /** Epochs of the returned parameters. */
  readonly epochs: number;
  /** Best validation nDCG@10 seen while choosing the epoch count, if validation ran. */
  readonly validationNdcgAt10?: number;
  /** Training examples (positive interactions) processed per epoch. */
  readonly examplesPerEpoch: number;
  readonly log: readonly EpochLog[];
  readonly model: ScoringModel;
}

/**
 * Trains the ranking model by mini-batch gradient descent (Adam) on the full-softmax likelihood of
 * each user's positives given a dropped-out copy of their history (a linear denoising
 * autoencoder with content features on both sides). With a validation fraction, the epoch count is
 * chosen by early stopping on held-out nDCG@10 and, with `refit`, training repeats on all data for
 * that many epochs. Deterministic for a given seed.
 */
export function trainRecommender(data: TrainingData, options: TrainRecommenderOptions = {}): TrainedRecommender {
  const requested: RecommenderHyperParameters = { ...DEFAULT_RECOMMENDER_HYPER_PARAMETERS, ...options.hyperParameters };
  const objective = chooseObjective(requested.objective, {
    titles: data.itemIds.length,
    negatives: requested.negatives + requested.batchNegatives,
  });
  const hp: RecommenderHyperParameters = { ...requested, objective };
  const interactions = data.userItems.length;
  if (data.itemIds.length === 0 || interactions === 0) throw new TrainingError('no interactions to train on');
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new ShapeError(`threads must be a positive integer, got ${threads}`);
  const initial = options.initialParameters;
  if (initial && (initial.dim !== hp.dim || initial.itemCount !== data.itemIds.length || initial.featureCount !== data.vocabulary.length)) {
    throw new ShapeError(
      `initialParameters hold ${initial.itemCount} items and ${initial.featureCount} features of dimension ${initial.dim}, ` +
        `the data ${data.itemIds.length} and ${data.vocabulary.length} at ${hp.dim}`,
    );
  }
  const log: EpochLog[] = [];
  const onEpoch = (entry: EpochLog): void => {
    log.push(entry);
    options.onEpoch?.(entry);
  };

  if (hp.validationFraction > 0) {
    const { train, validation } = splitPerUser(data, hp.validationFraction, new Random(hp.seed ^ 0x5eed));
    const sample = sampleUsers(validation, VALIDATION_MAX_USERS, hp.seed ^ 0x5a3b);
    const selected = fit(train, hp, hp.maxEpochs, sample, 'select', onEpoch, options.shouldStop, threads, initial);
    if (!hp.refit || (options.shouldStop?.() ?? false)) {
      return result(data, hp, selected.parameters, selected.epochs, selected.bestNdcg, log);
    }
    const refit = fit(data, hp, selected.epochs, undefined, 'refit', onEpoch, options.shouldStop, threads, initial);
    return result(data, hp, refit.parameters, refit.epochs, selected.bestNdcg, log);
  }
  const plain = fit(data, hp, hp.maxEpochs, undefined, 'fit', onEpoch, options.shouldStop, threads, initial);
  return result(data, hp, plain.parameters, plain.epochs, undefined, log);
}

interface FitResult {
  parameters: RecommenderParameters;
  epochs: number;
  bestNdcg?: number;
}

function fit(
  data: TrainingData,
  hp: RecommenderHyperParameters,
  epochs: number,
  validation: TrainingData | undefined,
  phase: EpochLog['phase'],
  onEpoch: (log: EpochLog) => void,
  shouldStop: (() => boolean) | undefined,
  threads: number,
  initial: RecommenderParameters | undefined,
): FitResult {
  const itemCount = data.itemIds.length;
  const userCount = data.userIds.length;
  const featureCount = data.vocabulary.length;
  const rng = new Random(hp.seed);
  const params = new RecommenderParameters(hp.dim, itemCount, featureCount);
  if (initial) params.values.set(initial.values);
  else params.initialise(rng, hp.initScale);
  const grad = params.like();
  const sampled = hp.objective === 'sampled';
  const sampledSize = sampledBatch(hp, userCount);
  const batchUsers = sampled ? sampledSize.users : hp.batchUsers;
  const batch = new MiniBatch(batchUsers);
  const dense = sampled
    ? undefined
    : {
        optimiser: new Adam(params.values.length, hp.learningRate, hp.weightDecay),
        workspace: new SoftmaxWorkspace(hp.dim, itemCount, batchUsers),
      };
  const order = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) order[u] = u;
  const keep = hp.historyDropout;
  const keepEntry = (): boolean => rng.next() >= keep;
  const targetAll = hp.targets === 'all';
  // Polyak averaging: the model evaluated, kept and returned is an exponential moving average of
  // the iterates, which smooths the epoch-to-epoch noise of the last mini-batches.
  const decay = hp.parameterAverage;
  const average = decay > 0 ? new RecommenderParameters(hp.dim, itemCount, featureCount, params.values.slice()) : params;
  const sparse = sampled ? sampledStep(data, hp, batchUsers, sampledSize.learningRate, params, average, grad) : undefined;
  const averageStep = (): void => {
    if (decay <= 0) return;
    const a = average.values;
    const p = params.values;
    const fresh = 1 - decay;
    for (let i = 0; i < a.length; i++) a[i] = decay * a[i] + fresh * p[i];
  };

  let scorer: BlockScorer | undefined;
  let best: Float32Array | undefined;
  let bestEpoch = 0;
  let bestNdcg = -Infinity;
  let epoch = 0;
  // With threads > 1 the workers compute each step (gradient and Adam) and write params back.
  const parallel =
    threads > 1 && !sampled
      ? new ParallelTrainer(params, data, {
          threads,
          maxUsers: batchUsers,
          historyExponent: hp.historyExponent,
          learningRate: hp.learningRate,
          weightDecay: hp.weightDecay,
          averageDecay: Math.max(decay, 0),
        })
      : undefined;
  try {
    while (epoch < epochs && !(shouldStop?.() ?? false)) {
      const started = performance.now();
      rng.shuffle(order);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < userCount; start += batchUsers) {
        batch.clear();
        const end = Math.min(start + batchUsers, userCount);
        for (let k = start; k < end; k++) {
          const u = order[k];
          const from = data.userOffsets[u];
          const to = data.userOffsets[u + 1];
          if (to > from) batch.addUser(data.userItems, data.userWeights, from, to, keepEntry, targetAll);
        }
        if (batch.count === 0) continue;
        if (sparse) {
          // The lazy optimiser updates the touched rows and their average; the rest catch up at flush.
          lossSum += sparse.step(batch);
        } else if (parallel) {
          // The threads update the parameters and their average in shared memory; read at epoch end.
          lossSum += parallel.step(batch);
        } else if (dense) {
          grad.values.fill(0);
          lossSum += softmaxGradient(params, data.itemFeatureOffsets, data.itemFeatures, batch, hp.historyExponent, dense.workspace, grad);
          dense.optimiser.apply(params.values, grad.values);
          averageStep();
        }
        batches++;
      }
      sparse?.flush();
      parallel?.read(params, average);
      epoch++;
      const loss = lossSum / Math.max(batches, 1);
      if (!Number.isFinite(loss)) throw new TrainingError(`loss became ${loss} at epoch ${epoch}`);
      let validationNdcgAt10: number | undefined;
      if (validation) {
        scorer ??= new BlockScorer(hp.dim, itemCount);
        validationNdcgAt10 = validationNdcg(average, data, validation, hp, scorer);
        if (validationNdcgAt10 > bestNdcg) {
          bestNdcg = validationNdcgAt10;
          bestEpoch = epoch;
          best = average.values.slice();
        }
      }
      onEpoch({ phase, epoch, loss, validationNdcgAt10, seconds: (performance.now() - started) / 1000 });
      if (validation && epoch - bestEpoch >= hp.patience) break;
    }
  } finally {
    parallel?.close();
  }
  if (validation && best) {
    return { parameters: new RecommenderParameters(hp.dim, itemCount, featureCount, best), epochs: bestEpoch, bestNdcg };
  }
  return { parameters: average, epochs: epoch };
}

/**
 * The sampled objective's step: the proposal from the data's popularity, the workspace, and the
 * lazy optimiser over the touched rows (params and their average updated in place).
 */
function sampledStep(
  data: TrainingData,
  hp: RecommenderHyperParameters,
  batchUsers: number,
  learningRate: number,
  params: RecommenderParameters,
  average: RecommenderParameters,
  grad: RecommenderParameters,
): { step: (batch: MiniBatch) => number; flush: () => void } {
  const { dim, itemCount, featureCount } = params;
  const counts = new Float64Array(itemCount);
  for (let r = 0; r < data.userItems.length; r++) counts[data.userItems[r]]++;
  const positiveShare = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) positiveShare[i] = counts[i] / Math.max(data.userItems.length, 1);
  const proposal: SampledProposal = {
    table: new AliasTable(proposalWeights(counts, hp.proposalExponent, hp.uniformMix)),
    positiveShare,
    negatives: hp.negatives,
    batchNegatives: hp.batchNegatives,
  };
  const maxTargets = largestUserRows(data.userOffsets, batchUsers);
  // Logits rows as wide as the shared draws: the users' own positives are gathered, not dense.
  const ws = new SampledSoftmaxWorkspace(
    dim,
    itemCount,
    featureCount,
    batchUsers,
    sampledSlots(hp.negatives, hp.batchNegatives, maxTargets),
    {
      sharedSlots: hp.negatives + hp.batchNegatives + 1,
    },
  );
  const optimiser = new LazyAdam(
    dim,
    2 * (itemCount + featureCount),
    itemCount,
    learningRate,
    hp.weightDecay,
    Math.max(hp.parameterAverage, 0),
  );
  // Negatives get their own stream, so that the batches and dropout are those of the full objective.
  const rng = new Random(hp.seed ^ 0x0bad5eed);
  const p = params.values;
  const a = average.values;
  const g = grad.values;
  const featureInputRow = itemCount;
  const itemOutputRow = itemCount + featureCount;
  const featureOutputRow = 2 * itemCount + featureCount;
  const biasRow = 2 * (itemCount + featureCount);
  // Feature rows summed over featureSteps steps, then updated once (grad keeps them until then).
  const stepsPerEpoch = Math.ceil(data.userIds.length / batchUsers);
  const featureSteps = Math.max(1, Math.min(Math.floor(hp.sampledFeatureSteps), Math.floor(stepsPerEpoch / FEATURE_UPDATES_PER_EPOCH)));
  const pendingInput = new PendingRows(featureCount);
  const pendingOutput = new PendingRows(featureCount);
  let stepsSummed = 0;
  const applyFeatures = (): void => {
    optimiser.applyRows(p, a, g, pendingInput.list, pendingInput.count, featureInputRow);
    optimiser.applyRows(p, a, g, pendingOutput.list, pendingOutput.count, featureOutputRow);
    pendingInput.clear();
    pendingOutput.clear();
    stepsSummed = 0;
  };
  return {
    step: (batch) => {
      const loss = sampledSoftmaxGradient(
        params,
        data.itemFeatureOffsets,
        data.itemFeatures,
        batch,
        hp.historyExponent,
        proposal,
        rng,
        ws,
        grad,
      );
      const t = ws.touched;
      optimiser.beginStep();
      optimiser.applyRows(p, a, g, t.itemInput, t.itemInputCount, 0);
      optimiser.applyRows(p, a, g, t.itemOutput, t.itemOutputCount, itemOutputRow);
      optimiser.applyRows(p, a, g, t.itemOutput, t.itemOutputCount, biasRow);
      pendingInput.add(t.featureInput, t.featureInputCount);
      pendingOutput.add(t.featureOutput, t.featureOutputCount);
      if (++stepsSummed === featureSteps) applyFeatures();
      return loss;
    },
    flush: () => {
      if (stepsSummed > 0) applyFeatures();
      optimiser.flush(p, a);
    },
  };
}

/** Rows of the `users` users with most rows: the most target entries a batch can hold. */
function largestUserRows(userOffsets: Readonly<Int32Array>, users: number): number {
  const userCount = userOffsets.length - 1;
  const counts = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) counts[u] = userOffsets[u + 1] - userOffsets[u];
  counts.sort();
  let total = 0;
  for (let k = 0; k < Math.min(users, userCount); k++) total += counts[userCount - 1 - k];
  return Math.max(total, 1);
}

function validationNdcg(
  params: RecommenderParameters,
  train: TrainingData,
  validation: TrainingData,
  hp: RecommenderHyperParameters,
  scorer: BlockScorer,
): number {
  const model = params.toScoringModel(train.itemFeatureOffsets, train.itemFeatures, hp.historyExponent, hp.preferenceWeight);
  scorer.load(model, train, validation);
  return evaluateRanking({ train, test: validation, score: scorer.score }).ndcgAt10;
}

function result(
  data: TrainingData,
  hp: RecommenderHyperParameters,
  parameters: RecommenderParameters,
  epochs: number,
  validationNdcgAt10: number | undefined,
  log: readonly EpochLog[],
): TrainedRecommender {
  for (let p = 0; p < parameters.values.length; p++) {
    if (!Number.isFinite(parameters.values[p])) throw new TrainingError(`parameter ${p} is ${parameters.values[p]} after training`);
  }
  const newItemBias = representColdItemsByContent(parameters, data);
  return {
    hyperParameters: hp,
    parameters,
    epochs,
    validationNdcgAt10,
    examplesPerEpoch: data.userItems.length,
    log,
    model: parameters.toScoringModel(data.itemFeatureOffsets, data.itemFeatures, hp.historyExponent, hp.preferenceWeight, newItemBias),
  };
}

/**
 * Titles without a single training interaction (catalog entries, new releases) only ever served as
 * softmax negatives, so their id rows and bias hold nothing but initial noise and push-down. They
 * are represented by their content features alone, with the mean bias of the titles that were seen
 * (returned: titles added after training are scored the same way).
 */
function representColdItemsByContent(parameters: RecommenderParameters, data: TrainingData): number {
  const { dim, itemCount } = parameters;
  const seen = new Uint8Array(itemCount);
  for (let r = 0; r < data.userItems.length; r++) seen[data.userItems[r]] = 1;
  let biasSum = 0;
  let seenCount = 0;
  for (let i = 0; i < itemCount; i++) {
    if (seen[i]) {
      biasSum += parameters.itemBias[i];
      seenCount++;
    }
  }
  const meanBias = seenCount > 0 ? biasSum / seenCount : 0;
  for (let i = 0; i < itemCount; i++) {
    if (seen[i]) continue;
    parameters.itemInput.fill(0, i * dim, (i + 1) * dim);
    parameters.itemOutput.fill(0, i * dim, (i + 1) * dim);
    parameters.itemBias[i] = meanBias;
  }
  return meanBias;
}
