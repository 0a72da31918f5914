/**
 * A mini-batch of users for the softmax trainer, in preallocated compressed rows: user b's encoder
 * input (the history entries kept after dropout) and its targets (every positive of the user).
 */
export class MiniBatch {
  count = 0;
  readonly inputOffsets: Int32Array;
  inputItems: Int32Array;
  inputWeights: Float32Array;
  readonly targetOffsets: Int32Array;
  targetItems: Int32Array;
  targetWeights: Float32Array;

  constructor(maxUsers: number, capacity = 1024) {
    this.inputOffsets = new Int32Array(maxUsers + 1);
    this.targetOffsets = new Int32Array(maxUsers + 1);
    this.inputItems = new Int32Array(capacity);
    this.inputWeights = new Float32Array(capacity);
    this.targetItems = new Int32Array(capacity);
    this.targetWeights = new Float32Array(capacity);
  }

  /** Empties the batch, keeping its buffers. */
  clear(): void {
    this.count = 0;
    this.inputOffsets[0] = 0;
    this.targetOffsets[0] = 0;
  }

  /** Makes room for `entries` more input and target rows. */
  reserve(entries: number): void {
    const needInputs = this.inputOffsets[this.count] + entries;
    if (needInputs > this.inputItems.length) {
      const size = Math.max(needInputs, this.inputItems.length * 2);
      this.inputItems = grow(this.inputItems, new Int32Array(size));
      this.inputWeights = grow(this.inputWeights, new Float32Array(size));
    }
    const needTargets = this.targetOffsets[this.count] + entries;
    if (needTargets > this.targetItems.length) {
      const size = Math.max(needTargets, this.targetItems.length * 2);
      this.targetItems = grow(this.targetItems, new Int32Array(size));
      this.targetWeights = grow(this.targetWeights, new Float32Array(size));
    }
  }

  /**
   * Appends one user from rows start..end-1 of `items`/`weights`: rows where `keep` says true go to
   * the encoder input; the others are the targets, or every row is a target with `targetAll`.
   */
  addUser(
    items: Readonly<Int32Array>,
    weights: Readonly<Float32Array>,
    start: number,
    end: number,
    keep: (position: number) => boolean,
    targetAll: boolean,
  ): void {
    this.reserve(end - start);
    const b = this.count;
    let inputEnd = this.inputOffsets[b];
    let targetEnd = this.targetOffsets[b];
    for (let p = start; p < end; p++) {
      const kept = keep(p);
      if (kept) {
        this.inputItems[inputEnd] = items[p];
        this.inputWeights[inputEnd] = weights[p];
        inputEnd++;
      }
      if (!kept || targetAll) {
        this.targetItems[targetEnd] = items[p];
        this.targetWeights[targetEnd] = weights[p];
        targetEnd++;
      }
    }
    this.count = b + 1;
    this.inputOffsets[b + 1] = inputEnd;
    this.targetOffsets[b + 1] = targetEnd;
  }
}

function grow<T extends Int32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
