import type { MiniBatch } from './miniBatch.ts';
import { RecommenderParameters } from './recommenderParameters.ts';

/** Buffers reused by every mini-batch; sized once for a model and a largest batch. */
export class SoftmaxWorkspace {
  /** itemCount × dim history vectors h_j of the current parameters. */
  readonly history: Float32Array;
  /** itemCount × dim item vectors v_i of the current parameters. */
  readonly items: Float32Array;
  /** maxUsers × dim user vectors. */
  readonly users: Float32Array;
  /** maxUsers × dim gradient of the loss with respect to the user vectors. */
  readonly userGradients: Float32Array;
  /** maxUsers × itemCount logits, overwritten in place by their gradients. */
  readonly logits: Float32Array;
  readonly divisors: Float64Array;

  constructor(dim: number, itemCount: number, maxUsers: number) {
    this.history = new Float32Array(itemCount * dim);
    this.items = new Float32Array(itemCount * dim);
    this.users = new Float32Array(maxUsers * dim);
    this.userGradients = new Float32Array(maxUsers * dim);
    this.logits = new Float32Array(maxUsers * itemCount);
    this.divisors = new Float64Array(maxUsers);
  }
}

/**
 * Loss and gradient of a mini-batch under the multinomial (full softmax) likelihood:
 *
 *   u_b  = Σ_{j ∈ input(b)} w_j h_j / max(Σ w_j, 1)^β
 *   z_bi = u_b · v_i + bias_i
 *   loss = (1/B) Σ_b Σ_{t ∈ targets(b)} -w_t log softmax(z_b)_t
 *
 * The gradient is written into `grad` (which must be zero on entry) and the mean loss returned.
 * Cost is 3·B·itemCount·dim multiply-adds; the item loops are outermost so each item row is read
 * once per batch while the B user rows stay in L1 cache.
 */
export function softmaxGradient(
  params: RecommenderParameters,
  itemFeatureOffsets: Readonly<Int32Array>,
  itemFeatures: Readonly<Int32Array>,
  batch: Readonly<MiniBatch>,
  historyExponent: number,
  ws: SoftmaxWorkspace,
  grad: RecommenderParameters,
): number {
  const { dim, itemCount } = params;
  const B = batch.count;
  const { history, items, users, userGradients, logits, divisors } = ws;
  const bias = params.itemBias;

  RecommenderParameters.composeItemVectors(dim, params.itemInput, params.featureInput, itemFeatureOffsets, itemFeatures, history);
  RecommenderParameters.composeItemVectors(dim, params.itemOutput, params.featureOutput, itemFeatureOffsets, itemFeatures, items);

  // User vectors from the kept history entries.
  for (let b = 0; b < B; b++) {
    const uo = b * dim;
    users.fill(0, uo, uo + dim);
    let total = 0;
    for (let p = batch.inputOffsets[b]; p < batch.inputOffsets[b + 1]; p++) {
      const w = batch.inputWeights[p];
      const ho = batch.inputItems[p] * dim;
      total += w;
      for (let c = 0; c < dim; c++) users[uo + c] += w * history[ho + c];
    }
    const divisor = Math.pow(Math.max(total, 1), historyExponent);
    divisors[b] = divisor;
    const scale = 1 / divisor;
    for (let c = 0; c < dim; c++) users[uo + c] *= scale;
  }

  // Logits, item-major.
  for (let i = 0; i < itemCount; i++) {
    const vo = i * dim;
    const bi = bias[i];
    for (let b = 0; b < B; b++) {
      const uo = b * dim;
      let dot = bi;
      for (let c = 0; c < dim; c++) dot += users[uo + c] * items[vo + c];
      logits[b * itemCount + i] = dot;
    }
  }

  // Softmax cross-entropy per user; logits become dLoss/dz (scaled by 1/B).
  let loss = 0;
  const invB = 1 / B;
  for (let b = 0; b < B; b++) {
    const zo = b * itemCount;
    let max = -Infinity;
    for (let i = 0; i < itemCount; i++) if (logits[zo + i] > max) max = logits[zo + i];
    let sum = 0;
    for (let i = 0; i < itemCount; i++) sum += Math.exp(logits[zo + i] - max);
    const logSum = max + Math.log(sum);
    let targetWeight = 0;
    for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) {
      const w = batch.targetWeights[p];
      targetWeight += w;
      loss += w * (logSum - logits[zo + batch.targetItems[p]]);
    }
    const scale = targetWeight * invB;
    for (let i = 0; i < itemCount; i++) logits[zo + i] = scale * Math.exp(logits[zo + i] - logSum);
    for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) {
      logits[zo + batch.targetItems[p]] -= batch.targetWeights[p] * invB;
    }
  }

  // dV_i = Σ_b g_bi u_b, dbias_i = Σ_b g_bi, dU_b = Σ_i g_bi v_i — item-major again.
  userGradients.fill(0, 0, B * dim);
  const dItems = grad.itemOutput;
  const dBias = grad.itemBias;
  for (let i = 0; i < itemCount; i++) {
    const vo = i * dim;
    let biasGrad = 0;
    for (let b = 0; b < B; b++) {
      const g = logits[b * itemCount + i];
      biasGrad += g;
      const uo = b * dim;
      for (let c = 0; c < dim; c++) {
        dItems[vo + c] += g * users[uo + c];
        userGradients[uo + c] += g * items[vo + c];
      }
    }
    dBias[i] += biasGrad;
  }

  // Item vectors are id rows plus the mean of their feature rows.
  spreadToFeatures(dim, dItems, itemFeatureOffsets, itemFeatures, 0, itemCount, grad.featureOutput);

  // History vectors: dh_j = w_j dU_b / divisor_b, into the id row and the feature rows.
  const dInput = grad.itemInput;
  const dFeatureInput = grad.featureInput;
  for (let b = 0; b < B; b++) {
    const uo = b * dim;
    const scale = 1 / divisors[b];
    for (let p = batch.inputOffsets[b]; p < batch.inputOffsets[b + 1]; p++) {
      const j = batch.inputItems[p];
      const s = batch.inputWeights[p] * scale;
      const ho = j * dim;
      for (let c = 0; c < dim; c++) dInput[ho + c] += s * userGradients[uo + c];
      const start = itemFeatureOffsets[j];
      const end = itemFeatureOffsets[j + 1];
      if (end === start) continue;
      const share = s / (end - start);
      for (let q = start; q < end; q++) {
        const fo = itemFeatures[q] * dim;
        for (let c = 0; c < dim; c++) dFeatureInput[fo + c] += share * userGradients[uo + c];
      }
    }
  }
  return loss * invB;
}

/** Adds each item row's gradient, divided by its feature count, to its features' rows. */
function spreadToFeatures(
  dim: number,
  itemGrad: Readonly<Float32Array>,
  offsets: Readonly<Int32Array>,
  features: Readonly<Int32Array>,
  from: number,
  to: number,
  out: Float32Array,
): void {
  for (let i = from; i < to; i++) {
    const start = offsets[i];
    const end = offsets[i + 1];
    if (end === start) continue;
    const share = 1 / (end - start);
    const io = i * dim;
    for (let q = start; q < end; q++) {
      const fo = features[q] * dim;
      for (let c = 0; c < dim; c++) out[fo + c] += share * itemGrad[io + c];
    }
  }
}
