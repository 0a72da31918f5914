import { ShapeError } from '../errors.ts';
import { FeatureRows } from './featureRows.ts';
import type { MiniBatch } from './miniBatch.ts';
import type { RecommenderParameters } from './recommenderParameters.ts';
import { SimdKernels } from './simdKernels.ts';

/** The rows of a mini-batch the kernel reads (a MiniBatch, or the same rows in shared memory). */
export type BatchRows = Pick<
  Readonly<MiniBatch>,
  'inputOffsets' | 'inputItems' | 'inputWeights' | 'targetOffsets' | 'targetItems' | 'targetWeights'
>;

export interface SoftmaxWorkspaceOptions {
  /**
   * Run the three dense products as WebAssembly SIMD (default true; used when dim is a multiple
   * of 4 and the runtime has SIMD). The JavaScript kernels sum in float64, the SIMD ones in float32
   * lanes: results agree to float32 rounding.
   */
  readonly simd?: boolean;
}

/** Buffers reused by every mini-batch; sized once for a model and a largest batch (one per thread). */
export class SoftmaxWorkspace {
  readonly dim: number;
  readonly itemCount: number;
  readonly maxUsers: number;
  /** The SIMD products and their buffers, when used. */
  readonly simd: SimdKernels | undefined;
  /** itemCount × dim history vectors h_j of the current parameters. */
  readonly history: Float32Array;
  /** itemCount × dim item vectors v_i of the current parameters (in the SIMD memory when simd is used). */
  readonly items: Float32Array;
  /** Row b: the vector u_b of the batch's user b (stride dim; the SIMD buffer when simd is used). */
  readonly users: Float32Array;
  /** Row b: dLoss/du_b (stride dim). */
  readonly userGradients: Float32Array;
  /** Row b (stride logitStride): user b's logits, overwritten in place by their gradients. */
  readonly logits: Float32Array;
  /** Floats between rows of logits: itemCount, or the SIMD kernels' itemSlots. */
  readonly logitStride: number;
  /** max(Σ w, 1)^β of each user of the batch. */
  readonly divisors: Float64Array;
  /** g_bi and g_b,i+1 of every user, for the pair of items whose gradient rows are being summed. */
  readonly pairGradients: Float64Array;
  /** The item ↔ feature maps of the catalog last seen. */
  readonly featureRows = new FeatureRows();
  /** Items of the batch's inputs, each once (see listInputItems), and the marks that dedupe them. */
  readonly inputItems: Int32Array;
  private readonly marks: Int32Array;
  private mark = 0;

  constructor(dim: number, itemCount: number, maxUsers: number, options: SoftmaxWorkspaceOptions = {}) {
    this.dim = dim;
    this.itemCount = itemCount;
    this.maxUsers = maxUsers;
    const simd = (options.simd ?? true) ? SimdKernels.create(dim, itemCount, maxUsers) : undefined;
    this.simd = simd;
    this.history = new Float32Array(itemCount * dim);
    this.items = simd ? simd.items.subarray(0, itemCount * dim) : new Float32Array(itemCount * dim);
    this.users = simd ? simd.users : new Float32Array(maxUsers * dim);
    this.userGradients = simd ? simd.userGradient : new Float32Array(maxUsers * dim);
    this.logits = simd ? simd.logits : new Float32Array(maxUsers * itemCount);
    this.logitStride = simd ? simd.itemSlots : itemCount;
    this.divisors = new Float64Array(maxUsers);
    this.pairGradients = new Float64Array(2 * maxUsers);
    this.inputItems = new Int32Array(itemCount);
    this.marks = new Int32Array(itemCount);
  }

  /**
   * Lists in `inputItems` the distinct items in range itemFrom..itemTo-1 of the inputs of users
   * 0..users-1 and returns how many there are: the only rows of h a step reads. Items are marked
   * with a number new to each call, so the marks never need clearing.
   */
  listInputItems(batch: BatchRows, users: number, itemFrom: number, itemTo: number): number {
    if (this.mark === 0x7fffffff) {
      this.marks.fill(0);
      this.mark = 0;
    }
    const mark = ++this.mark;
    const { marks, inputItems: list } = this;
    const items = batch.inputItems;
    let count = 0;
    for (let p = 0, end = batch.inputOffsets[users]; p < end; p++) {
      const j = items[p];
      if (j >= itemFrom && j < itemTo && marks[j] !== mark) {
        marks[j] = mark;
        list[count++] = j;
      }
    }
    return count;
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
 * Cost is 3·B·itemCount·dim multiply-adds in three dense products (logits, item gradients, user
 * gradients), each blocked so that a loaded value feeds several running sums held in locals; the
 * sums run in float64 and are rounded to float32 once, when stored.
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
  const { dim, itemCount, featureCount } = params;
  const B = batch.count;
  if (itemFeatureOffsets.length !== itemCount + 1) {
    throw new ShapeError(`softmaxGradient: itemFeatureOffsets has ${itemFeatureOffsets.length} entries, expected ${itemCount + 1}`);
  }
  if (grad.dim !== dim || grad.itemCount !== itemCount || grad.featureCount !== featureCount) {
    throw new ShapeError('softmaxGradient: grad does not have the shape of params');
  }
  if (ws.dim !== dim || ws.itemCount !== itemCount || ws.maxUsers < B) {
    throw new ShapeError(`softmaxGradient: workspace is for dim ${ws.dim}, ${ws.itemCount} items, ${ws.maxUsers} users`);
  }
  if (B === 0) return 0;
  const rows = ws.featureRows.set(itemCount, featureCount, itemFeatureOffsets, itemFeatures);
  // Only the input items' history vectors are read; every item vector is (the softmax is over all items).
  const listed = ws.listInputItems(batch, B, 0, itemCount);
  rows.composeListed(dim, params.itemInput, params.featureInput, ws.inputItems, listed, ws.history);
  rows.compose(dim, params.itemOutput, params.featureOutput, 0, itemCount, ws.items);
  const loss = softmaxUserRows(dim, itemCount, batch, 0, B, historyExponent, 1 / B, ws.history, ws.items, params.itemBias, ws);
  softmaxItemRows(dim, itemCount, batch, B, 0, itemCount, ws, grad.itemInput, grad.itemOutput, grad.itemBias);
  // h_j and v_i are id rows plus the mean of their feature rows, so each feature row gets the mean
  // share of its items' gradients (the id rows were zero on entry, so they hold exactly dh and dv).
  rows.spread(dim, grad.itemInput, 0, featureCount, grad.featureInput);
  rows.spread(dim, grad.itemOutput, 0, featureCount, grad.featureOutput);
  return loss / B;
}

/**
 * First half of a step, for users from..to-1 of `batch`, given the composed history and item
 * vectors: their user vectors u_b, logits, dLoss/dz (times `scale`, 1/B of the whole batch) and
 * dLoss/du_b, in rows b of the workspace (users, logits, userGradients; divisors[b]). Returns
 * Σ_b Σ_t -w_t log softmax(z_b)_t over these users, unscaled. Threads splitting a batch by users
 * each call this on their own range; every row depends on its own user only.
 */
export function softmaxUserRows(
  dim: number,
  itemCount: number,
  batch: BatchRows,
  from: number,
  to: number,
  historyExponent: number,
  scale: number,
  history: Readonly<Float32Array>,
  items: Readonly<Float32Array>,
  bias: Readonly<Float32Array>,
  ws: SoftmaxWorkspace,
): number {
  const count = to - from;
  if (count <= 0) return 0;
  const { users, logits, logitStride, userGradients, divisors, simd } = ws;
  userVectors(dim, from, count, batch.inputOffsets, batch.inputItems, batch.inputWeights, historyExponent, history, users, divisors);
  if (simd) {
    if (items !== ws.items) simd.items.set(items.subarray(0, itemCount * dim));
    simd.bias.set(bias.subarray(0, itemCount));
    simd.computeLogits(from, count);
  } else {
    logitsOf(dim, itemCount, from, count, users, items, bias, logits);
  }
  const loss = simd
    ? simdSoftmaxCrossEntropy(
        itemCount,
        logitStride,
        from,
        count,
        batch.targetOffsets,
        batch.targetItems,
        batch.targetWeights,
        scale,
        logits,
        simd,
      )
    : softmaxCrossEntropy(itemCount, logitStride, from, count, batch.targetOffsets, batch.targetItems, batch.targetWeights, scale, logits);
  // dU_b = Σ_i g_bi v_i
  if (simd) simd.computeUserGradients(from, count);
  else userGradientsOf(dim, itemCount, from, count, logits, items, userGradients);
  return loss;
}

/**
 * Second half of a step, for items itemFrom..itemTo-1, given rows 0..users-1 of the workspace
 * (every user of the batch, from softmaxUserRows): adds dv_i = Σ_b g_bi u_b and dbias_i = Σ_b g_bi
 * into those rows of `dItemOutput` / `dBias`, and dh_j = Σ_b w_bj dU_b / divisor_b, from every
 * input entry of such an item, into `dItemInput`. Each row sums its users in batch order whatever
 * the range, so threads splitting the items get exactly the one-thread result.
 */
export function softmaxItemRows(
  dim: number,
  itemCount: number,
  batch: BatchRows,
  users: number,
  itemFrom: number,
  itemTo: number,
  ws: SoftmaxWorkspace,
  dItemInput: Float32Array,
  dItemOutput: Float32Array,
  dBias: Float32Array,
): void {
  if (itemTo <= itemFrom || users <= 0) return;
  const { simd, logits, logitStride } = ws;
  if (simd) {
    simd.clearPadding(users);
    simd.computeItemGradients(itemFrom, itemTo, users);
    const dv = simd.itemGradient;
    for (let k = itemFrom * dim, end = itemTo * dim; k < end; k++) dItemOutput[k] += dv[k];
    for (let i = itemFrom; i < itemTo; i++) {
      let sum = 0;
      for (let b = 0, zo = i; b < users; b++, zo += logitStride) sum += logits[zo];
      dBias[i] += sum;
    }
  } else {
    itemGradients(dim, itemCount, itemFrom, itemTo, users, logits, ws.users, ws.pairGradients, dItemOutput, dBias);
  }
  historyGradients(
    dim,
    users,
    itemFrom,
    itemTo,
    batch.inputOffsets,
    batch.inputItems,
    batch.inputWeights,
    ws.divisors,
    ws.userGradients,
    dItemInput,
  );
}

/** u_b = Σ_j w_j h_j / max(Σ w_j, 1)^β into rows b = from..from+count-1; keeps the divisors. */
export function userVectors(
  dim: number,
  from: number,
  count: number,
  offsets: Readonly<Int32Array>,
  inputItems: Readonly<Int32Array>,
  inputWeights: Readonly<Float32Array>,
  historyExponent: number,
  history: Readonly<Float32Array>,
  users: Float32Array,
  divisors: Float64Array,
): void {
  for (let b = from; b < from + count; b++) {
    const uo = b * dim;
    users.fill(0, uo, uo + dim);
    let total = 0;
    const end = offsets[b + 1];
    for (let p = offsets[b]; p < end; p++) {
      const w = inputWeights[p];
      const ho = inputItems[p] * dim;
      total += w;
      for (let c = 0; c < dim; c++) users[uo + c] += w * history[ho + c];
    }
    const divisor = Math.max(total, 1) ** historyExponent;
    divisors[b] = divisor;
    const inverse = 1 / divisor;
    for (let c = 0; c < dim; c++) users[uo + c] *= inverse;
  }
}

/**
 * z_bi = u_b · v_i + bias_i, item-major: per column, two item values and four user values are
 * loaded and feed eight running dot products, so each load serves two or four multiply-adds; each
 * pair of item rows is read once per batch while the user rows stay in L1 cache. Leftover users
 * and an odd last item take narrower blocks.
 */
export function logitsOf(
  dim: number,
  itemCount: number,
  from: number,
  count: number,
  users: Readonly<Float32Array>,
  items: Readonly<Float32Array>,
  bias: Readonly<Float32Array>,
  logits: Float32Array,
): void {
  const N = itemCount;
  const to = from + count;
  const to4 = to - (count & 3);
  const pairs = N - (N & 1);
  for (let i = 0; i < pairs; i += 2) {
    const vo = i * dim;
    const wo = vo + dim;
    const bv = bias[i];
    const bw = bias[i + 1];
    let b = from;
    for (; b < to4; b += 4) {
      const u0 = b * dim;
      const u1 = u0 + dim;
      const u2 = u1 + dim;
      const u3 = u2 + dim;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let c = 0; c < dim; c++) {
        const v = items[vo + c];
        const w = items[wo + c];
        const a0 = users[u0 + c];
        const a1 = users[u1 + c];
        const a2 = users[u2 + c];
        const a3 = users[u3 + c];
        s0 += a0 * v;
        s1 += a1 * v;
        s2 += a2 * v;
        s3 += a3 * v;
        t0 += a0 * w;
        t1 += a1 * w;
        t2 += a2 * w;
        t3 += a3 * w;
      }
      const zo = b * N + i;
      logits[zo] = s0 + bv;
      logits[zo + 1] = t0 + bw;
      logits[zo + N] = s1 + bv;
      logits[zo + N + 1] = t1 + bw;
      logits[zo + 2 * N] = s2 + bv;
      logits[zo + 2 * N + 1] = t2 + bw;
      logits[zo + 3 * N] = s3 + bv;
      logits[zo + 3 * N + 1] = t3 + bw;
    }
    for (; b < to; b++) {
      const uo = b * dim;
      let s = 0,
        t = 0;
      for (let c = 0; c < dim; c++) {
        const a = users[uo + c];
        s += a * items[vo + c];
        t += a * items[wo + c];
      }
      logits[b * N + i] = s + bv;
      logits[b * N + i + 1] = t + bw;
    }
  }
  if (pairs < N) {
    const vo = pairs * dim;
    for (let b = from; b < to; b++) {
      const uo = b * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) s += users[uo + c] * items[vo + c];
      logits[b * N + pairs] = s + bias[pairs];
    }
  }
}

/**
 * Softmax cross-entropy of users from..from+count-1: each logits row (itemCount entries, rows
 * `stride` apart) against its weighted targets: returns the summed loss and overwrites the row with dLoss/dz times `scale`,
 *   g_bi = scale · ((Σ_t w_t) softmax(z_b)_i − [i is a target] w_i).
 * One exponential per logit: exp(z − max) is stored and summed, then the row is scaled by 1/sum.
 */
function softmaxCrossEntropy(
  itemCount: number,
  stride: number,
  from: number,
  count: number,
  targetOffsets: Readonly<Int32Array>,
  targetItems: Readonly<Int32Array>,
  targetWeights: Readonly<Float32Array>,
  scale: number,
  logits: Float32Array,
): number {
  let loss = 0;
  for (let b = from; b < from + count; b++) {
    const zo = b * stride;
    const ze = zo + itemCount;
    const tStart = targetOffsets[b];
    const tEnd = targetOffsets[b + 1];
    let max = -Infinity;
    for (let k = zo; k < ze; k++) if (logits[k] > max) max = logits[k];
    // Σ_t w_t (logSumExp − z_t), with the z_t read before the row is overwritten.
    let targetWeight = 0;
    let targetLogits = 0;
    for (let p = tStart; p < tEnd; p++) {
      const w = targetWeights[p];
      targetWeight += w;
      targetLogits += w * logits[zo + targetItems[p]];
    }
    let sum = 0;
    for (let k = zo; k < ze; k++) {
      const e = Math.exp(logits[k] - max);
      logits[k] = e;
      sum += e;
    }
    loss += targetWeight * (max + Math.log(sum)) - targetLogits;
    const factor = (targetWeight * scale) / sum;
    for (let k = zo; k < ze; k++) logits[k] *= factor;
    for (let p = tStart; p < tEnd; p++) logits[zo + targetItems[p]] -= targetWeights[p] * scale;
  }
  return loss;
}

/**
 * softmaxCrossEntropy with the exponentials and the scaling in SIMD (four logits at a time, the
 * last itemCount % 4 in JavaScript): exp(z − max) of the float32 difference, within 2 float32 ulps,
 * summed in float32 lanes.
 */
function simdSoftmaxCrossEntropy(
  itemCount: number,
  stride: number,
  from: number,
  count: number,
  targetOffsets: Readonly<Int32Array>,
  targetItems: Readonly<Int32Array>,
  targetWeights: Readonly<Float32Array>,
  scale: number,
  logits: Float32Array,
  simd: SimdKernels,
): number {
  const vectorized = itemCount - (itemCount & 3);
  let loss = 0;
  for (let b = from; b < from + count; b++) {
    const zo = b * stride;
    const ze = zo + itemCount;
    const tStart = targetOffsets[b];
    const tEnd = targetOffsets[b + 1];
    let max = -Infinity;
    for (let k = zo; k < ze; k++) if (logits[k] > max) max = logits[k];
    let targetWeight = 0;
    let targetLogits = 0;
    for (let p = tStart; p < tEnd; p++) {
      const w = targetWeights[p];
      targetWeight += w;
      targetLogits += w * logits[zo + targetItems[p]];
    }
    let sum = simd.expShifted(zo, vectorized, max);
    for (let k = zo + vectorized; k < ze; k++) {
      const e = Math.exp(logits[k] - max);
      logits[k] = e;
      sum += e;
    }
    loss += targetWeight * (max + Math.log(sum)) - targetLogits;
    const factor = (targetWeight * scale) / sum;
    simd.scaleLogits(zo, vectorized, factor);
    for (let k = zo + vectorized; k < ze; k++) logits[k] *= factor;
    for (let p = tStart; p < tEnd; p++) logits[zo + targetItems[p]] -= targetWeights[p] * scale;
  }
  return loss;
}

/**
 * dv_i += Σ_b g_bi u_b and dbias_i += Σ_b g_bi for items itemFrom..itemTo-1 over users
 * 0..count-1, two items at a time: their gradient entries are gathered once into `pair`, then for
 * each run of four columns eight sums run over all users in locals (each user load serves both
 * items), and the two item rows are written once. A leftover item sums alone, in the same order.
 */
export function itemGradients(
  dim: number,
  itemCount: number,
  itemFrom: number,
  itemTo: number,
  count: number,
  g: Readonly<Float32Array>,
  users: Readonly<Float32Array>,
  pair: Float64Array,
  dItems: Float32Array,
  dBias: Float32Array,
): void {
  const N = itemCount;
  const dim4 = dim - (dim & 3);
  const pairs = itemTo - ((itemTo - itemFrom) & 1);
  for (let i = itemFrom; i < pairs; i += 2) {
    let biasV = 0;
    let biasW = 0;
    for (let b = 0, zo = i; b < count; b++, zo += N) {
      const gv = g[zo];
      const gw = g[zo + 1];
      pair[2 * b] = gv;
      pair[2 * b + 1] = gw;
      biasV += gv;
      biasW += gw;
    }
    dBias[i] += biasV;
    dBias[i + 1] += biasW;
    const vo = i * dim;
    const wo = vo + dim;
    let c = 0;
    for (; c < dim4; c += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let b = 0, uo = c; b < count; b++, uo += dim) {
        const gv = pair[2 * b];
        const gw = pair[2 * b + 1];
        const a0 = users[uo];
        const a1 = users[uo + 1];
        const a2 = users[uo + 2];
        const a3 = users[uo + 3];
        s0 += gv * a0;
        s1 += gv * a1;
        s2 += gv * a2;
        s3 += gv * a3;
        t0 += gw * a0;
        t1 += gw * a1;
        t2 += gw * a2;
        t3 += gw * a3;
      }
      dItems[vo + c] += s0;
      dItems[vo + c + 1] += s1;
      dItems[vo + c + 2] += s2;
      dItems[vo + c + 3] += s3;
      dItems[wo + c] += t0;
      dItems[wo + c + 1] += t1;
      dItems[wo + c + 2] += t2;
      dItems[wo + c + 3] += t3;
    }
    for (; c < dim; c++) {
      let s = 0,
        t = 0;
      for (let b = 0, uo = c; b < count; b++, uo += dim) {
        s += pair[2 * b] * users[uo];
        t += pair[2 * b + 1] * users[uo];
      }
      dItems[vo + c] += s;
      dItems[wo + c] += t;
    }
  }
  if (pairs < itemTo) {
    const vo = pairs * dim;
    let biasV = 0;
    for (let b = 0; b < count; b++) biasV += g[b * N + pairs];
    dBias[pairs] += biasV;
    for (let c = 0; c < dim; c++) {
      let s = 0;
      for (let b = 0; b < count; b++) s += g[b * N + pairs] * users[b * dim + c];
      dItems[vo + c] += s;
    }
  }
}

/**
 * dU_b = Σ_i g_bi v_i for users from..from+count-1, written (not added) into rows b of `out`, two
 * users at a time: for each run of four columns eight sums run over all items in locals — each
 * item value loaded serves both users, each gradient entry four columns.
 */
export function userGradientsOf(
  dim: number,
  itemCount: number,
  from: number,
  count: number,
  g: Readonly<Float32Array>,
  items: Readonly<Float32Array>,
  out: Float32Array,
): void {
  const N = itemCount;
  const dim4 = dim - (dim & 3);
  const to = from + count;
  const to2 = to - (count & 1);
  let b = from;
  for (; b < to2; b += 2) {
    const zo = b * N;
    const zp = zo + N;
    const uo = b * dim;
    const up = uo + dim;
    let c = 0;
    for (; c < dim4; c += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let i = 0, vo = c; i < N; i++, vo += dim) {
        const gb = g[zo + i];
        const gp = g[zp + i];
        const v0 = items[vo];
        const v1 = items[vo + 1];
        const v2 = items[vo + 2];
        const v3 = items[vo + 3];
        s0 += gb * v0;
        s1 += gb * v1;
        s2 += gb * v2;
        s3 += gb * v3;
        t0 += gp * v0;
        t1 += gp * v1;
        t2 += gp * v2;
        t3 += gp * v3;
      }
      out[uo + c] = s0;
      out[uo + c + 1] = s1;
      out[uo + c + 2] = s2;
      out[uo + c + 3] = s3;
      out[up + c] = t0;
      out[up + c + 1] = t1;
      out[up + c + 2] = t2;
      out[up + c + 3] = t3;
    }
    for (; c < dim; c++) {
      let s = 0,
        t = 0;
      for (let i = 0, vo = c; i < N; i++, vo += dim) {
        s += g[zo + i] * items[vo];
        t += g[zp + i] * items[vo];
      }
      out[uo + c] = s;
      out[up + c] = t;
    }
  }
  for (; b < to; b++) {
    const zo = b * N;
    const uo = b * dim;
    for (let c = 0; c < dim; c++) {
      let s = 0;
      for (let i = 0, vo = c; i < N; i++, vo += dim) s += g[zo + i] * items[vo];
      out[uo + c] = s;
    }
  }
}

/**
 * dh_j += w_j dU_b / divisor_b for every input entry j of users 0..users-1 whose item is in
 * itemFrom..itemTo-1, into the id rows, in batch order.
 */
export function historyGradients(
  dim: number,
  users: number,
  itemFrom: number,
  itemTo: number,
  offsets: Readonly<Int32Array>,
  inputItems: Readonly<Int32Array>,
  inputWeights: Readonly<Float32Array>,
  divisors: Readonly<Float64Array>,
  userGradients: Readonly<Float32Array>,
  dInput: Float32Array,
): void {
  for (let b = 0; b < users; b++) {
    const uo = b * dim;
    const inverse = 1 / divisors[b];
    const end = offsets[b + 1];
    for (let p = offsets[b]; p < end; p++) {
      const j = inputItems[p];
      if (j < itemFrom || j >= itemTo) continue;
      const s = inputWeights[p] * inverse;
      const ho = j * dim;
      for (let c = 0; c < dim; c++) dInput[ho + c] += s * userGradients[uo + c];
    }
  }
}
