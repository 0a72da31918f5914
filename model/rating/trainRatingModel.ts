import { ShapeError, TrainingError } from '../errors.ts';
import { Random } from '../random.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { averageRatingModels } from './averageRatingModels.ts';
import { ratingExampleGradient } from './ratingExampleGradient.ts';
import { DEFAULT_RATING_HYPER_PARAMETERS, type RatingHyperParameters } from './ratingHyperParameters.ts';
import { ratingRmse } from './ratingRmse.ts';
import type { RatingExampleGradient, RatingModel, RatingParameters } from './types.ts';
import { userHistoryVector } from './userHistoryVector.ts';

/** One line per epoch of one ensemble member. */
export interface RatingEpochLog {
  /** Ensemble member, from 0. */
  readonly member: number;
  /** From 1. */
  readonly epoch: number;
  /** Mean squared error (r − r̂)² over the epoch's examples, each measured just before its step. */
  readonly loss: number;
  /** RMSE of clamped predictions on the validation set after the epoch, when one was given. */
  readonly validationRmse?: number;
}

export interface TrainRatingOptions extends Partial<RatingHyperParameters> {
  /** Seed of every random choice (initialisation, example order); the default is 1. */
  readonly seed?: number;
  readonly onEpoch?: (log: RatingEpochLog) => void;
  /**
   * Held-out ratings indexed like the training data (same users and items, in the same order).
   * When given, each member keeps the parameters of its best validation epoch and stops after
   * `patience` epochs without improvement.
   */
  readonly validation?: TrainingData;
  /**
   * Asked before every epoch but a member's first and before every member but the first; true
   * ends training with what is trained so far (time budgets): fewer epochs, fewer members.
   */
  readonly shouldStop?: () => boolean;
}

/**
 * Trains the explicit-rating head by stochastic gradient descent on the squared loss:
 *
 *   r̂(u, i) = μ + b_u + b_i + q_i · (p_u + z_u),   z_u = Σ_{j∈N(u)} w_j y_j / max(Σ_j w_j, 1)^0.5
 *
 * N(u) is every row of user u in `data` (weights `userWeights`); the examples are the rows with a
 * rating. Users are visited in a shuffled order and each user's ratings in a shuffled order; z_u
 * is computed once per visit and the gradient of y accumulated over the visit, then applied to
 * every y_j of the history at its end (the usual fast SVD++ schedule). With probability
 * `userDropout` a visit trains the history-only form instead (b_u and p_u read as 0 and left
 * unchanged), so that the exported head learns to predict alone. With ensembleSize > 1 the
 * members (different seeds) are averaged, which is exactly one model of dim × ensembleSize columns.
 * Deterministic for a fixed seed.
 */
export function trainRatingModel(data: TrainingData, options: TrainRatingOptions = {}): RatingModel {
  const { seed = 1, onEpoch, validation, shouldStop, ...overrides } = options;
  const hyper = checkedHyperParameters({ ...DEFAULT_RATING_HYPER_PARAMETERS, ...definedOnly(overrides) });
  checkData(data);
  if (validation !== undefined) checkValidation(data, validation);
  const examples = ratedRows(data);
  if (examples.rows.length === 0) throw new TrainingError('the training data holds no ratings');

  const random = new Random(seed);
  const members: RatingModel[] = [];
  for (let m = 0; m < hyper.ensembleSize; m++) {
    if (m > 0 && (shouldStop?.() ?? false)) break;
    const memberSeed = random.nextUint32();
    members.push(trainMember(data, examples, hyper, memberSeed, m, validation, onEpoch, shouldStop));
  }
  return members.length === 1 ? members[0] : averageRatingModels(members);
}

/** Rows holding a rating, grouped by user: user u's are rows[offsets[u] .. offsets[u+1]-1]. */
interface RatedRows {
  readonly offsets: Int32Array;
  readonly rows: Int32Array;
  readonly globalMean: number;
}

function ratedRows(data: TrainingData): RatedRows {
  const userCount = data.userIds.length;
  const offsets = new Int32Array(userCount + 1);
  let count = 0;
  let sum = 0;
  for (let u = 0; u < userCount; u++) {
    for (let r = data.userOffsets[u]; r < data.userOffsets[u + 1]; r++) {
      const rating = data.userRatings[r];
      if (Number.isNaN(rating)) continue;
      count++;
      sum += rating;
    }
    offsets[u + 1] = count;
  }
  const rows = new Int32Array(count);
  let k = 0;
  for (let r = 0; r < data.userRatings.length; r++) if (!Number.isNaN(data.userRatings[r])) rows[k++] = r;
  return { offsets, rows, globalMean: count === 0 ? 0 : sum / count };
}

function trainMember(
  data: TrainingData,
  examples: RatedRows,
  hyper: RatingHyperParameters,
  seed: number,
  member: number,
  validation: TrainingData | undefined,
  onEpoch: ((log: RatingEpochLog) => void) | undefined,
  shouldStop: (() => boolean) | undefined,
): RatingModel {
  const { dim } = hyper;
  const userCount = data.userIds.length;
  const itemCount = data.itemIds.length;
  const random = new Random(seed);
  const params = initialParameters(data, examples, hyper, random);
  const { userBias, itemBias, userFactors, itemFactors, historyFactors } = params;
  const { userOffsets, userItems, userWeights, userRatings } = data;
  const order = examples.rows.slice();
  const userOrder = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) userOrder[u] = u;

  // Per-visit scratch, allocated once.
  const historyVector = new Float32Array(dim);
  const historyGradient = new Float64Array(dim);
  const gradient: RatingExampleGradient = {
    userBias: 0,
    itemBias: 0,
    userVector: new Float32Array(dim),
    itemFactors: new Float32Array(dim),
  };
  // The model as seen by validation, a view over the live parameters.
  const userHistoryVectors = new Float32Array(userCount * dim);
  const live = modelView(params, userHistoryVectors, userCount, itemCount);
  // Row `userCount` of userBias / userFactors stays 0: dropped-out visits predict through it.
  const noUser = userCount;
  const best = validation === undefined ? undefined : snapshotBuffers(params);
  let bestRmse = Number.POSITIVE_INFINITY;
  let epochsSinceBest = 0;

  const { biasRegularization, factorRegularization, historyRegularization, userDropout } = hyper;
  let factorRate = hyper.learningRate;
  let biasRate = hyper.biasLearningRate;
  let historyRate = hyper.historyLearningRate;

  for (let epoch = 1; epoch <= hyper.epochs; epoch++) {
    if (epoch > 1 && (shouldStop?.() ?? false)) break;
    random.shuffle(userOrder);
    let squaredErrorSum = 0;
    for (let k = 0; k < userCount; k++) {
      const u = userOrder[k];
      const start = examples.offsets[u];
      const end = examples.offsets[u + 1];
      if (start === end) continue;
      for (let a = end - 1; a > start; a--) {
        const b = start + random.nextInt(a - start + 1);
        const t = order[a];
        order[a] = order[b];
        order[b] = t;
      }
      const norm = userHistoryVector(historyFactors, dim, userItems, userWeights, userOffsets[u], userOffsets[u + 1], historyVector);
      historyGradient.fill(0);
      const dropped = userDropout >= 1 || (userDropout > 0 && random.next() < userDropout);
      const pu = dropped ? noUser : u;
      const uOffset = pu * dim;
      for (let e = start; e < end; e++) {
        const row = order[e];
        const i = userItems[row];
        const residual = ratingExampleGradient(params, pu, i, userRatings[row], historyVector, gradient);
        squaredErrorSum += residual * residual;
        itemBias[i] -= biasRate * (gradient.itemBias + biasRegularization * itemBias[i]);
        const iOffset = i * dim;
        const gUser = gradient.userVector;
        const gItem = gradient.itemFactors;
        for (let f = 0; f < dim; f++) {
          itemFactors[iOffset + f] -= factorRate * (gItem[f] + factorRegularization * itemFactors[iOffset + f]);
          historyGradient[f] += gUser[f];
        }
        if (dropped) continue;
        userBias[u] -= biasRate * (gradient.userBias + biasRegularization * userBias[u]);
        for (let f = 0; f < dim; f++) {
          userFactors[uOffset + f] -= factorRate * (gUser[f] + factorRegularization * userFactors[uOffset + f]);
        }
      }
      // ∂/∂y_j of the visit's summed loss: w_j · norm · Σ ∂ℓ/∂z, plus the weight decay of each example.
      const decay = historyRegularization * (end - start);
      for (let r = userOffsets[u]; r < userOffsets[u + 1]; r++) {
        const scale = userWeights[r] * norm;
        const jOffset = userItems[r] * dim;
        for (let f = 0; f < dim; f++) {
          historyFactors[jOffset + f] -= historyRate * (scale * historyGradient[f] + decay * historyFactors[jOffset + f]);
        }
      }
    }
    const loss = squaredErrorSum / examples.rows.length;
    if (!Number.isFinite(loss)) {
      throw new TrainingError(`rating training diverged (loss ${loss}) at epoch ${epoch} of member ${member}; lower the learning rates`);
    }
    factorRate *= hyper.learningRateDecay;
    biasRate *= hyper.learningRateDecay;
    historyRate *= hyper.learningRateDecay;

    if (validation === undefined || best === undefined) {
      onEpoch?.({ member, epoch, loss });
      continue;
    }
    fillUserHistoryVectors(data, historyFactors, dim, userHistoryVectors);
    const validationRmse = ratingRmse(live, validation);
    onEpoch?.({ member, epoch, loss, validationRmse });
    if (validationRmse < bestRmse) {
      bestRmse = validationRmse;
      epochsSinceBest = 0;
      copyBuffers(params, best);
    } else if (++epochsSinceBest >= hyper.patience) {
      break;
    }
  }
  if (best !== undefined && bestRmse < Number.POSITIVE_INFINITY) copyBuffers(best, params);
  checkFinite(params);
  fillUserHistoryVectors(data, historyFactors, dim, userHistoryVectors);
  return { ...live, userBias: userBias.slice(0, userCount), userFactors: userFactors.slice(0, userCount * dim) };
}

/**
 * b = 0; p, q, y ~ N(0, initStd²). Rows that no example will ever move are zeroed so they add no
 * noise: q_i of items without ratings, y_j of items in no history, p_u of users without ratings
 * (every p_u when userDropout is 1). userBias and userFactors have one more row, kept at 0.
 */
function initialParameters(data: TrainingData, examples: RatedRows, hyper: RatingHyperParameters, random: Random): RatingParameters {
  const { dim, initStd } = hyper;
  const userCount = data.userIds.length;
  const itemCount = data.itemIds.length;
  const params: RatingParameters = {
    dim,
    globalMean: examples.globalMean,
    userBias: new Float32Array(userCount + 1),
    itemBias: new Float32Array(itemCount),
    userFactors: new Float32Array((userCount + 1) * dim),
    itemFactors: new Float32Array(itemCount * dim),
    historyFactors: new Float32Array(itemCount * dim),
  };
  const drawn = [params.userFactors.subarray(0, userCount * dim), params.itemFactors, params.historyFactors];
  for (const buffer of drawn) {
    for (let k = 0; k < buffer.length; k++) buffer[k] = initStd * random.nextGaussian();
  }
  const rated = new Uint8Array(itemCount);
  const inHistory = new Uint8Array(itemCount);
  for (const row of examples.rows) rated[data.userItems[row]] = 1;
  for (let r = 0; r < data.userItems.length; r++) inHistory[data.userItems[r]] = 1;
  for (let i = 0; i < itemCount; i++) {
    if (rated[i] === 0) params.itemFactors.fill(0, i * dim, (i + 1) * dim);
    if (inHistory[i] === 0) params.historyFactors.fill(0, i * dim, (i + 1) * dim);
  }
  for (let u = 0; u < userCount; u++) {
    if (examples.offsets[u] === examples.offsets[u + 1]) params.userFactors.fill(0, u * dim, (u + 1) * dim);
  }
  params.userFactors.fill(0, (hyper.userDropout >= 1 ? 0 : userCount) * dim);
  return params;
}

function fillUserHistoryVectors(data: TrainingData, historyFactors: Float32Array, dim: number, out: Float32Array): void {
  for (let u = 0; u < data.userIds.length; u++) {
    userHistoryVector(
      historyFactors,
      dim,
      data.userItems,
      data.userWeights,
      data.userOffsets[u],
      data.userOffsets[u + 1],
      out.subarray(u * dim, (u + 1) * dim),
    );
  }
}

function modelView(params: RatingParameters, userHistoryVectors: Float32Array, userCount: number, itemCount: number): RatingModel {
  return {
    userCount,
    itemCount,
    head: {
      dim: params.dim,
      globalMean: params.globalMean,
      itemBias: params.itemBias,
      itemFactors: params.itemFactors,
      historyFactors: params.historyFactors,
    },
    userBias: params.userBias,
    userFactors: params.userFactors,
    userHistoryVectors,
  };
}

type ParameterBuffers = Pick<RatingParameters, 'userBias' | 'itemBias' | 'userFactors' | 'itemFactors' | 'historyFactors'>;

function snapshotBuffers(params: ParameterBuffers): ParameterBuffers {
  return {
    userBias: params.userBias.slice(),
    itemBias: params.itemBias.slice(),
    userFactors: params.userFactors.slice(),
    itemFactors: params.itemFactors.slice(),
    historyFactors: params.historyFactors.slice(),
  };
}

function copyBuffers(from: ParameterBuffers, to: ParameterBuffers): void {
  to.userBias.set(from.userBias);
  to.itemBias.set(from.itemBias);
  to.userFactors.set(from.userFactors);
  to.itemFactors.set(from.itemFactors);
  to.historyFactors.set(from.historyFactors);
}

function checkFinite(params: ParameterBuffers): void {
  for (const [name, buffer] of Object.entries(params) as [string, Float32Array][]) {
    for (let k = 0; k < buffer.length; k++) {
      if (!Number.isFinite(buffer[k])) throw new TrainingError(`rating training produced a non-finite ${name}[${k}]`);
    }
  }
}

function definedOnly(values: Partial<RatingHyperParameters>): Partial<RatingHyperParameters> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function checkedHyperParameters(hyper: RatingHyperParameters): RatingHyperParameters {
  const positiveIntegers = ['dim', 'epochs', 'patience', 'ensembleSize'] as const;
  for (const key of positiveIntegers) {
    if (!Number.isInteger(hyper[key]) || hyper[key] < 1) throw new ShapeError(`${key} must be an integer ≥ 1, got ${hyper[key]}`);
  }
  const positive = ['learningRate', 'biasLearningRate', 'historyLearningRate', 'learningRateDecay'] as const;
  for (const key of positive) {
    if (!(hyper[key] > 0) || !Number.isFinite(hyper[key])) throw new ShapeError(`${key} must be finite and > 0, got ${hyper[key]}`);
  }
  const nonNegative = ['biasRegularization', 'factorRegularization', 'historyRegularization', 'initStd'] as const;
  for (const key of nonNegative) {
    if (!(hyper[key] >= 0) || !Number.isFinite(hyper[key])) throw new ShapeError(`${key} must be finite and ≥ 0, got ${hyper[key]}`);
  }
  if (!(hyper.userDropout >= 0 && hyper.userDropout <= 1)) {
    throw new ShapeError(`userDropout must be in [0, 1], got ${hyper.userDropout}`);
  }
  return hyper;
}

function checkData(data: TrainingData): void {
  const userCount = data.userIds.length;
  const itemCount = data.itemIds.length;
  const rows = data.userItems.length;
  if (data.userOffsets.length !== userCount + 1 || data.userOffsets[0] !== 0 || data.userOffsets[userCount] !== rows) {
    throw new ShapeError(`userOffsets must have ${userCount + 1} entries from 0 to ${rows}`);
  }
  if (data.userWeights.length !== rows || data.userRatings.length !== rows) {
    throw new ShapeError(`userItems, userWeights and userRatings must have the same length (${rows})`);
  }
  for (let u = 0; u < userCount; u++) {
    if (data.userOffsets[u + 1] < data.userOffsets[u]) throw new ShapeError(`userOffsets decrease at user ${u}`);
  }
  for (let r = 0; r < rows; r++) {
    const item = data.userItems[r];
    if (!(item >= 0 && item < itemCount)) throw new ShapeError(`userItems[${r}] = ${item} is not an index in [0, ${itemCount})`);
    const w = data.userWeights[r];
    if (!(w >= 0) || !Number.isFinite(w)) throw new ShapeError(`userWeights[${r}] = ${w} is not a finite weight ≥ 0`);
    const rating = data.userRatings[r];
    if (!Number.isNaN(rating) && !Number.isFinite(rating)) throw new ShapeError(`userRatings[${r}] is infinite`);
  }
}

function checkValidation(data: TrainingData, validation: TrainingData): void {
  checkData(validation);
  const sameIndex = (a: readonly string[], b: readonly string[]): boolean => a.length <= b.length && a.every((id, k) => id === b[k]);
  if (!sameIndex(validation.userIds, data.userIds) || !sameIndex(validation.itemIds, data.itemIds)) {
    throw new ShapeError('validation must be indexed like the training data (same userIds and itemIds order)');
  }
  if (validation.userRatings.every((r) => Number.isNaN(r))) throw new ShapeError('validation holds no ratings');
}
