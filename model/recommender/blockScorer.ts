import type { ScoringModel } from '../types/scoringModel.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { scoreItems, userVector } from './scoreHistory.ts';
import { SimdKernels } from './simdKernels.ts';

/** Users scored together: one pass over the item vectors serves this many users. */
const BLOCK_USERS = 32;

/**
 * Scores every title for users in increasing index order (as evaluateRanking asks for them), a
 * block of the next users with held-out rows at a time through the SIMD logits product, so that
 * each item row is read once per block instead of once per user. Falls back to scoreItems where
 * SIMD is not available. Scores are float32 sums (within float32 rounding of scoreItems').
 */
export class BlockScorer {
  private readonly simd: SimdKernels | undefined;
  private readonly users: Int32Array = new Int32Array(BLOCK_USERS);
  private readonly user: Float32Array;
  private count = 0;
  private model: ScoringModel | undefined;
  private train: TrainingData | undefined;
  private heldOut: TrainingData | undefined;
  private readonly none = new Int32Array(0);

  constructor(
    private readonly dim: number,
    private readonly itemCount: number,
  ) {
    this.simd = SimdKernels.create(dim, itemCount, BLOCK_USERS);
    this.user = new Float32Array(dim);
  }

  /** Scores with `model` from now on: users' histories from `train`, blocks of users with rows in `heldOut`. */
  load(model: ScoringModel, train: TrainingData, heldOut: TrainingData): void {
    this.model = model;
    this.train = train;
    this.heldOut = heldOut;
    this.count = 0;
    if (this.simd) {
      this.simd.items.set(model.itemVectors.subarray(0, this.itemCount * this.dim));
      this.simd.bias.set(model.itemBias.subarray(0, this.itemCount));
    }
  }

  /** Writes user u's score of every title into out (length itemCount). */
  readonly score = (u: number, out: Float32Array): void => {
    const model = this.model as ScoringModel;
    const train = this.train as TrainingData;
    const simd = this.simd;
    if (!simd) {
      this.userVectorOf(model, train, u, this.user);
      scoreItems(model, this.user, out);
      return;
    }
    let slot = this.slotOf(u);
    if (slot < 0) {
      this.fillBlock(model, train, u, simd);
      slot = 0;
    }
    const row = slot * simd.itemSlots;
    out.set(simd.logits.subarray(row, row + this.itemCount));
  };

  private slotOf(u: number): number {
    for (let k = 0; k < this.count; k++) if (this.users[k] === u) return k;
    return -1;
  }

  private fillBlock(model: ScoringModel, train: TrainingData, first: number, simd: SimdKernels): void {
    const heldOut = this.heldOut as TrainingData;
    const userCount = heldOut.userOffsets.length - 1;
    let count = 0;
    for (let u = first; u < userCount && count < BLOCK_USERS; u++) {
      if (u !== first && heldOut.userOffsets[u + 1] === heldOut.userOffsets[u]) continue;
      this.users[count] = u;
      this.userVectorOf(model, train, u, simd.users.subarray(count * this.dim, (count + 1) * this.dim));
      count++;
    }
    this.count = count;
    simd.computeLogits(0, count);
  }

  private userVectorOf(model: ScoringModel, train: TrainingData, u: number, out: Float32Array): void {
    const from = u < train.userOffsets.length - 1 ? train.userOffsets[u] : 0;
    const to = u < train.userOffsets.length - 1 ? train.userOffsets[u + 1] : 0;
    userVector(model, train.userItems.subarray(from, to), train.userWeights.subarray(from, to), this.none, out);
  }
}
