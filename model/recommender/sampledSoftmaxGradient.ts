import { ShapeError } from '../errors.ts';
import type { Random } from '../random.ts';
import type { AliasTable } from './aliasTable.ts';
import { FeatureRows } from './featureRows.ts';
import type { RecommenderParameters } from './recommenderParameters.ts';
import { SimdKernels } from './simdKernels.ts';
import { historyGradients, itemGradients, logitsOf, userGradientsOf, userVectors, type BatchRows } from './softmaxGradient.ts';

/** Where a sampled step draws its shared negatives from. */
export interface SampledProposal {
  /** q: the proposal over titles (popularity^α mixed with uniform), with its probabilities. */
  readonly table: AliasTable;
  /** p: each title's share of all positives, the law of a uniformly drawn positive of a batch. */
  readonly positiveShare: Readonly<Float64Array>;
  /** S: draws from q per batch. */
  readonly negatives: number;
  /** R: draws from the batch's own positive entries per batch. */
  readonly batchNegatives: number;
}

/** Rows a sampled step touched, by block: the only rows its gradient is non-zero in (see sampledSoftmaxGradient). */
export interface TouchedRows {
  readonly itemInput: Int32Array;
  itemInputCount: number;
  readonly featureInput: Int32Array;
  featureInputCount: number;
  /** Item output rows and biases: the step's candidates, in slot order. */
  readonly itemOutput: Int32Array;
  itemOutputCount: number;
  readonly featureOutput: Int32Array;
  featureOutputCount: number;
}

/** Buffers of the sampled objective, sized once for a model, a largest batch and a proposal. */
export class SampledSoftmaxWorkspace {
  readonly dim: number;
  readonly itemCount: number;
  readonly featureCount: number;
  readonly maxUsers: number;
  /** Largest number of candidate slots: S + R shared draws (+1 padding) plus a batch's target entries. */
  readonly maxSlots: number;
  /** Largest number of shared slots (S + R + 1): the width of the dense logits rows. */
  readonly maxSharedSlots: number;
  readonly simd: SimdKernels | undefined;
  /** itemCount × dim history vectors (only the batch's input rows are written). */
  readonly history: Float32Array;
  /** maxSlots × dim candidate item vectors, gathered: slot k holds v of candidates[k]. */
  readonly slotVectors: Float32Array;
  /** Shared slots' bias plus log-correction; the dense product adds it to each logit. */
  readonly slotBias: Float32Array;
  /** maxSlots × dim dLoss/dv of each slot. */
  readonly slotGradients: Float32Array;
  readonly slotBiasGradients: Float64Array;
  /** Float32 bias sums of the JavaScript product (itemGradients' output type). */
  readonly slotBiasScratch: Float32Array;
  readonly users: Float32Array;
  readonly userGradients: Float32Array;
  /** Row b (stride sharedSlots): user b's logits over the shared slots, then their gradients. */
  readonly logits: Float32Array;
  readonly divisors: Float64Array;
  readonly pairGradients: Float64Array;
  /** The item of each slot. */
  readonly candidates: Int32Array;
  /** Draws that landed on each shared slot. */
  readonly counts: Float64Array;
  /** Slot of each target entry of the batch; its logit, then its gradient. */
  targetSlots: Int32Array;
  targetGradients: Float64Array;
  /** Slots drawn (S + R draws, deduplicated), rounded up to even with a zero padding slot; and all slots. */
  sharedCount = 0;
  sharedSlots = 0;
  slotCount = 0;
  readonly touched: TouchedRows;
  readonly featureRows = new FeatureRows();
  private readonly slotOf: Int32Array;
  /** Stamps (a number new to each use, so that marks never need clearing): candidates, inputs, features, users. */
  private readonly itemMark: Int32Array;
  private mark = 0;
  private readonly inputMark: Int32Array;
  private inputStamp = 0;
  private readonly featureMarkInput: Int32Array;
  private readonly featureMarkOutput: Int32Array;
  private featureStamp = 0;
  private readonly userMark: Int32Array;
  private userStamp = 0;

  /**
   * `draws`: sampledSlots(S, R, most target entries of a batch); `options.sharedSlots`: S + R + 1
   * (default: draws), which sizes the logits, users × shared slots, instead of users × all slots.
   */
  constructor(
    dim: number,
    itemCount: number,
    featureCount: number,
    maxUsers: number,
    draws: number,
    options: { simd?: boolean; sharedSlots?: number } = {},
  ) {
    this.dim = dim;
    this.itemCount = itemCount;
    this.featureCount = featureCount;
    this.maxUsers = maxUsers;
    this.maxSlots = draws + 2;
    this.maxSharedSlots = Math.min(options.sharedSlots ?? this.maxSlots, this.maxSlots);
    // The gathered kernels' slot lists hold a batch's target entries, fewer than its slots.
    const simd =
      (options.simd ?? true) ? SimdKernels.create(dim, this.maxSlots, maxUsers, this.maxSlots, this.maxSharedSlots + 1) : undefined;
    this.simd = simd;
    this.history = new Float32Array(itemCount * dim);
    this.slotBiasGradients = new Float64Array(this.maxSlots);
    this.slotBiasScratch = new Float32Array(this.maxSlots);
    this.users = simd ? simd.users : new Float32Array(maxUsers * dim);
    this.userGradients = simd ? simd.userGradient : new Float32Array(maxUsers * dim);
    this.divisors = new Float64Array(maxUsers);
    this.pairGradients = new Float64Array(2 * maxUsers);
    this.candidates = new Int32Array(this.maxSlots);
    this.counts = new Float64Array(this.maxSlots);
    this.slotVectors = simd ? simd.items : new Float32Array(this.maxSlots * dim);
    this.slotBias = simd ? simd.bias : new Float32Array(this.maxSlots);
    this.slotGradients = simd ? simd.itemGradient : new Float32Array(this.maxSlots * dim);
    this.logits = simd ? simd.logits : new Float32Array(maxUsers * (this.maxSharedSlots + 1));
    this.targetSlots = new Int32Array(1024);
    this.targetGradients = new Float64Array(1024);
    this.slotOf = new Int32Array(itemCount);
    this.itemMark = new Int32Array(itemCount);
    this.inputMark = new Int32Array(itemCount);
    this.featureMarkInput = new Int32Array(featureCount);
    this.featureMarkOutput = new Int32Array(featureCount);
    this.userMark = new Int32Array(this.maxSlots);
    this.touched = {
      itemInput: new Int32Array(itemCount),
      itemInputCount: 0,
      featureInput: new Int32Array(featureCount),
      featureInputCount: 0,
      itemOutput: new Int32Array(itemCount),
      itemOutputCount: 0,
      featureOutput: new Int32Array(featureCount),
      featureOutputCount: 0,
    };
  }

  /** Grows the per-target and slot buffers for a batch of `targets` target entries (rarely: once per larger batch). */
  reserve(targets: number): void {
    if (this.targetSlots.length < targets) {
      const size = Math.max(targets, 2 * this.targetSlots.length);
      this.targetSlots = new Int32Array(size);
      this.targetGradients = new Float64Array(size);
    }
  }

  private nextMark(): number {
    if (this.mark === 0x7fffffff) {
      this.itemMark.fill(0);
      this.mark = 0;
    }
    return ++this.mark;
  }

  /**
   * Draws the batch's candidates: S items from the proposal and R of the batch's target entries,
   * deduplicated into shared slots with their draw counts, then every target item not drawn into a
   * slot of its own. Fills candidates, counts, targetSlots, sharedCount/sharedSlots/slotCount.
   */
  drawCandidates(batch: BatchRows, users: number, proposal: SampledProposal, rng: Random): void {
    const mark = this.nextMark();
    const { slotOf, itemMark, candidates } = this;
    this.slotCount = 0;
    for (let k = 0; k < proposal.negatives; k++) this.take(proposal.table.sample(rng), mark);
    const entries = batch.targetOffsets[users];
    if (entries > 0) for (let k = 0; k < proposal.batchNegatives; k++) this.take(batch.targetItems[rng.nextInt(entries)], mark);
    const counts = this.counts;
    let slots = this.slotCount;
    this.sharedCount = slots;
    // An even number of shared slots (the SIMD products run on pairs); the padding slot is zero.
    if (slots & 1) {
      candidates[slots] = -1;
      counts[slots] = 0;
      slots++;
    }
    this.sharedSlots = slots;
    this.reserve(entries);
    const targetSlots = this.targetSlots;
    const targetItems = batch.targetItems;
    // The target slots are listed after the shared ones; resizing for them needs a larger workspace.
    for (let p = 0; p < entries; p++) {
      const j = targetItems[p];
      if (itemMark[j] !== mark) {
        if (slots >= this.maxSlots) this.growSlots();
        itemMark[j] = mark;
        slotOf[j] = slots;
        candidates[slots] = j;
        counts[slots] = 0;
        slots++;
      }
      targetSlots[p] = slotOf[j];
    }
    this.slotCount = slots;
  }

  /** One draw of item j: a new shared slot, or one more count on its slot. */
  private take(j: number, mark: number): void {
    if (this.itemMark[j] === mark) {
      this.counts[this.slotOf[j]]++;
      return;
    }
    const slot = this.slotCount++;
    this.itemMark[j] = mark;
    this.slotOf[j] = slot;
    this.candidates[slot] = j;
    this.counts[slot] = 1;
  }

  /** The slot of item j in this batch, or −1. */
  slotOfItem(j: number): number {
    return this.itemMark[j] === this.mark ? this.slotOf[j] : -1;
  }

  /** A stamp new to each user of a step, for the slots of its own positives. */
  nextUser(): number {
    if (this.userStamp === 0x7fffffff) {
      this.userMark.fill(0);
      this.userStamp = 0;
    }
    return ++this.userStamp;
  }

  userMarks(): Int32Array {
    return this.userMark;
  }

  /** Lists the batch's distinct input items in touched.itemInput. */
  listInputs(batch: BatchRows, users: number): void {
    if (this.inputStamp === 0x7fffffff) {
      this.inputMark.fill(0);
      this.inputStamp = 0;
    }
    const mark = ++this.inputStamp;
    const itemMark = this.inputMark;
    const list = this.touched.itemInput;
    let count = 0;
    for (let p = 0, end = batch.inputOffsets[users]; p < end; p++) {
      const j = batch.inputItems[p];
      if (itemMark[j] !== mark) {
        itemMark[j] = mark;
        list[count++] = j;
      }
    }
    this.touched.itemInputCount = count;
  }

  /** Lists in touched.featureInput / featureOutput the features of the touched input / output items. */
  listFeatures(): void {
    if (this.featureStamp === 0x7fffffff) {
      this.featureMarkInput.fill(0);
      this.featureMarkOutput.fill(0);
      this.featureStamp = 0;
    }
    const mark = ++this.featureStamp;
    const rows = this.featureRows;
    const t = this.touched;
    t.featureInputCount = listFeaturesOf(rows, t.itemInput, t.itemInputCount, this.featureMarkInput, mark, t.featureInput);
    t.featureOutputCount = listFeaturesOf(rows, t.itemOutput, t.itemOutputCount, this.featureMarkOutput, mark, t.featureOutput);
  }

  private growSlots(): never {
    throw new ShapeError(`SampledSoftmaxWorkspace: more than ${this.maxSlots} candidate slots; size it with the batch's target entries`);
  }
}

function listFeaturesOf(rows: FeatureRows, items: Int32Array, count: number, marks: Int32Array, mark: number, out: Int32Array): number {
  let listed = 0;
  for (let k = 0; k < count; k++) {
    const i = items[k];
    for (let q = rows.offsets[i], end = rows.offsets[i + 1]; q < end; q++) {
      const f = rows.features[q];
      if (marks[f] !== mark) {
        marks[f] = mark;
        out[listed++] = f;
      }
    }
  }
  return listed;
}

/** Candidate slots a workspace needs for these draws and the largest batch's target entries. */
export function sampledSlots(negatives: number, batchNegatives: number, maxTargetEntries: number): number {
  return negatives + batchNegatives + 1 + maxTargetEntries;
}

/**
 * Loss and gradient of a mini-batch under a sampled softmax: each user's whole-catalog partition
 * function is estimated from the candidates shared by the batch — S draws from the proposal q and
 * R draws from the batch's own positive entries (whose law is p, each title's share of positives)
 * — with the log-proposal correction of the mixture the draws come from,
 *
 *   a_bk = z_bk + log c_k − log(S q_k + R p_k)     (c_k: draws that landed on candidate k),
 *
 * and the user's own positives exactly: a candidate that is one of the user's positives (input
 * or target) is left out of its estimate (no accidental hits), and each distinct target t of the
 * user enters with its plain logit z_bt. So Σ_k exp(a_bk) estimates Σ_{i ∉ positives} exp(z_bi)
 * without bias, and
 *
 *   loss = (1/B) Σ_b Σ_{t ∈ targets(b)} w_t (log(Σ_{t'} exp z_bt' + Σ_k exp a_bk) − z_bt).
 *
 * The gradient is written into `grad` (zero on entry) in the rows listed in `ws.touched` only
 * (the batch's input items and their features; the candidates, their biases and features); the
 * mean loss is returned. Cost per batch: B × (S + R) × dim × 3 in the dense products over the
 * shared candidates, plus dim × 3 per target entry: nothing grows with the catalog.
 */
export function sampledSoftmaxGradient(
  params: RecommenderParameters,
  itemFeatureOffsets: Readonly<Int32Array>,
  itemFeatures: Readonly<Int32Array>,
  batch: BatchRows & { readonly count: number },
  historyExponent: number,
  proposal: SampledProposal,
  rng: Random,
  ws: SampledSoftmaxWorkspace,
  grad: RecommenderParameters,
): number {
  const { dim, itemCount, featureCount } = params;
  const B = batch.count;
  if (itemFeatureOffsets.length !== itemCount + 1) {
    throw new ShapeError(`sampledSoftmaxGradient: itemFeatureOffsets has ${itemFeatureOffsets.length} entries, expected ${itemCount + 1}`);
  }
  if (ws.dim !== dim || ws.itemCount !== itemCount || ws.featureCount !== featureCount || ws.maxUsers < B) {
    throw new ShapeError(`sampledSoftmaxGradient: workspace is for dim ${ws.dim}, ${ws.itemCount} items, ${ws.maxUsers} users`);
  }
  if (ws.maxSlots < sampledSlots(proposal.negatives, proposal.batchNegatives, batch.targetOffsets[B])) {
    throw new ShapeError(`sampledSoftmaxGradient: workspace has ${ws.maxSlots} slots, the batch needs more`);
  }
  if (ws.maxSharedSlots < proposal.negatives + proposal.batchNegatives + 1) {
    throw new ShapeError(`sampledSoftmaxGradient: workspace has ${ws.maxSharedSlots} shared slots, the proposal draws more`);
  }
  ws.touched.itemInputCount = 0;
  ws.touched.itemOutputCount = 0;
  ws.touched.featureInputCount = 0;
  ws.touched.featureOutputCount = 0;
  if (B === 0) return 0;
  // The transpose is built once per catalog, not per step (its cost grows with the titles).
  const known = ws.featureRows;
  const rows =
    known.offsets === itemFeatureOffsets && known.features === itemFeatures && known.itemCount === itemCount
      ? known
      : known.set(itemCount, featureCount, itemFeatureOffsets, itemFeatures);

  ws.drawCandidates(batch, B, proposal, rng);
  const { sharedCount, sharedSlots, slotCount, candidates, counts, slotVectors, slotBias } = ws;
  // Gather: candidate k's item vector into slot k, its bias plus correction into slotBias[k].
  rows.composeGathered(dim, params.itemOutput, params.featureOutput, candidates, 0, sharedCount, slotVectors);
  const q = proposal.table.probability;
  const p = proposal.positiveShare;
  for (let k = 0; k < sharedCount; k++) {
    const j = candidates[k];
    slotBias[k] = params.itemBias[j] + Math.log(counts[k]) - Math.log(proposal.negatives * q[j] + proposal.batchNegatives * p[j]);
  }
  if (sharedSlots > sharedCount) {
    slotVectors.fill(0, sharedCount * dim, sharedSlots * dim);
    slotBias[sharedCount] = 0;
  }
  rows.composeGathered(dim, params.itemOutput, params.featureOutput, candidates, sharedSlots, slotCount, slotVectors);

  ws.listInputs(batch, B);
  rows.composeListed(dim, params.itemInput, params.featureInput, ws.touched.itemInput, ws.touched.itemInputCount, ws.history);

  const loss = sampledUserRows(dim, batch, B, historyExponent, 1 / B, params.itemBias, ws);
  sampledItemRows(dim, batch, B, ws);

  // Scatter: slot gradients onto the candidates' rows (each candidate has one slot).
  const touched = ws.touched;
  let outputs = 0;
  for (let k = 0; k < slotCount; k++) {
    const j = candidates[k];
    if (j < 0) continue;
    const so = k * dim;
    const go = j * dim;
    for (let c = 0; c < dim; c++) grad.itemOutput[go + c] = ws.slotGradients[so + c];
    grad.itemBias[j] = ws.slotBiasGradients[k];
    touched.itemOutput[outputs++] = j;
  }
  touched.itemOutputCount = outputs;
  historyGradients(
    dim,
    B,
    0,
    itemCount,
    batch.inputOffsets,
    batch.inputItems,
    batch.inputWeights,
    ws.divisors,
    ws.userGradients,
    grad.itemInput,
  );
  ws.listFeatures();
  rows.spreadListed(dim, grad.itemInput, touched.itemInput, touched.itemInputCount, grad.featureInput);
  rows.spreadListed(dim, grad.itemOutput, touched.itemOutput, touched.itemOutputCount, grad.featureOutput);
  return loss / B;
}

/**
 * Users 0..B-1: u_b, the shared logits (dense product, then the user's positives masked), the own
 * targets' logits (gathered dot products), the loss, and in place the gradients g_bk (logits) and
 * targetGradients, then dLoss/du_b = Σ_k g_bk v_k + Σ_t g_bt v_t. Returns the summed loss.
 */
function sampledUserRows(
  dim: number,
  batch: BatchRows,
  B: number,
  historyExponent: number,
  scale: number,
  itemBias: Readonly<Float32Array>,
  ws: SampledSoftmaxWorkspace,
): number {
  const { simd, users, logits, sharedCount, sharedSlots, slotVectors, targetSlots, targetGradients } = ws;
  const stride = sharedSlots;
  userVectors(dim, 0, B, batch.inputOffsets, batch.inputItems, batch.inputWeights, historyExponent, ws.history, users, ws.divisors);
  if (simd) simd.computeLogits(0, B, stride);
  else logitsOf(dim, stride, 0, B, users, slotVectors, ws.slotBias, logits);
  const marks = ws.userMarks();
  if (simd) {
    const slots = simd.slots;
    for (let q = 0, end = batch.targetOffsets[B]; q < end; q++) slots[q] = targetSlots[q];
  }
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const zo = b * stride;
    const uo = b * dim;
    const stamp = ws.nextUser();
    // Accidental hits: the user's own positives leave the shared estimate.
    for (let q = batch.inputOffsets[b], end = batch.inputOffsets[b + 1]; q < end; q++) {
      const k = ws.slotOfItem(batch.inputItems[q]);
      if (k >= 0 && k < sharedCount) logits[zo + k] = -Infinity;
    }
    const tStart = batch.targetOffsets[b];
    const tEnd = batch.targetOffsets[b + 1];
    let max = -Infinity;
    let targetWeight = 0;
    let targetLogits = 0;
    // Gather-dot: z_bt = u_b · v_t + bias_t, the SIMD kernel's sums in coefficients.
    if (simd) simd.gatherDot(b, tStart, tEnd - tStart);
    for (let q = tStart; q < tEnd; q++) {
      const k = targetSlots[q];
      if (k < sharedCount) logits[zo + k] = -Infinity;
      let z = itemBias[ws.candidates[k]];
      if (simd) {
        z += simd.coefficients[q];
      } else {
        const vo = k * dim;
        for (let c = 0; c < dim; c++) z += users[uo + c] * slotVectors[vo + c];
      }
      targetGradients[q] = z;
      const w = batch.targetWeights[q];
      targetWeight += w;
      targetLogits += w * z;
      if (z > max) max = z;
    }
    for (let k = 0; k < sharedCount; k++) if (logits[zo + k] > max) max = logits[zo + k];
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let k = 0; k < sharedCount; k++) {
      const e = Math.exp(logits[zo + k] - max);
      logits[zo + k] = e;
      sum += e;
    }
    // Each distinct target once in the partition; repeated entries only in the loss's z_t terms.
    for (let q = tStart; q < tEnd; q++) {
      const k = targetSlots[q];
      if (marks[k] !== stamp) {
        marks[k] = stamp;
        sum += Math.exp(targetGradients[q] - max);
      }
    }
    const logSumExp = max + Math.log(sum);
    loss += targetWeight * logSumExp - targetLogits;
    const factor = (targetWeight * scale) / sum;
    for (let k = 0; k < sharedCount; k++) logits[zo + k] *= factor;
    if (sharedSlots > sharedCount) logits[zo + sharedCount] = 0;
    const stampTargets = ws.nextUser();
    for (let q = tStart; q < tEnd; q++) {
      const k = targetSlots[q];
      let g = -batch.targetWeights[q] * scale;
      if (marks[k] !== stampTargets) {
        marks[k] = stampTargets;
        g += targetWeight * scale * Math.exp(targetGradients[q] - logSumExp);
      }
      targetGradients[q] = g;
      if (simd) simd.coefficients[q] = g;
    }
  }
  // dU_b = Σ_k g_bk v_k over the shared slots (dense), then + Σ_t g_bt v_t (gathered).
  if (simd) simd.computeUserGradients(0, B, stride);
  else userGradientsOf(dim, stride, 0, B, logits, slotVectors, ws.userGradients);
  const du = ws.userGradients;
  for (let b = 0; b < B; b++) {
    if (simd) {
      // Gather-axpy: du_b += Σ_t g_bt v_t.
      simd.gatherAxpy(b, batch.targetOffsets[b], batch.targetOffsets[b + 1] - batch.targetOffsets[b]);
      continue;
    }
    const uo = b * dim;
    for (let q = batch.targetOffsets[b], end = batch.targetOffsets[b + 1]; q < end; q++) {
      const g = targetGradients[q];
      const vo = targetSlots[q] * dim;
      for (let c = 0; c < dim; c++) du[uo + c] += g * slotVectors[vo + c];
    }
  }
  return loss;
}

/**
 * dv_k = Σ_b g_bk u_b and dbias_k = Σ_b g_bk of every slot: the shared slots by the dense product
 * over all users, then the targets' gradients added row by row (scatter-axpy), in batch order.
 */
function sampledItemRows(dim: number, batch: BatchRows, B: number, ws: SampledSoftmaxWorkspace): void {
  const { simd, logits, sharedSlots, slotCount, slotGradients, slotBiasGradients, targetSlots, targetGradients, users } = ws;
  const stride = sharedSlots;
  slotBiasGradients.fill(0, 0, slotCount);
  if (simd) {
    simd.clearPadding(B);
    simd.computeItemGradients(0, sharedSlots, B, stride);
    for (let k = 0; k < sharedSlots; k++) {
      let sum = 0;
      for (let b = 0, zo = k; b < B; b++, zo += stride) sum += logits[zo];
      slotBiasGradients[k] = sum;
    }
  } else {
    slotGradients.fill(0, 0, sharedSlots * dim);
    const scratch = ws.slotBiasScratch;
    scratch.fill(0, 0, sharedSlots);
    itemGradients(dim, stride, 0, sharedSlots, B, logits, users, ws.pairGradients, slotGradients, scratch);
    for (let k = 0; k < sharedSlots; k++) slotBiasGradients[k] = scratch[k];
  }
  slotGradients.fill(0, sharedSlots * dim, slotCount * dim);
  for (let b = 0; b < B; b++) {
    const uo = b * dim;
    const tStart = batch.targetOffsets[b];
    const tEnd = batch.targetOffsets[b + 1];
    for (let q = tStart; q < tEnd; q++) slotBiasGradients[targetSlots[q]] += targetGradients[q];
    if (simd) {
      // Scatter-axpy: dv_t += g_bt u_b, entries in order.
      simd.scatterAxpy(b, tStart, tEnd - tStart);
      continue;
    }
    for (let q = tStart; q < tEnd; q++) {
      const g = targetGradients[q];
      const vo = targetSlots[q] * dim;
      for (let c = 0; c < dim; c++) slotGradients[vo + c] += g * users[uo + c];
    }
  }
}
