/**
 * AdamW (as Adam in adam.ts) that updates only the rows given a gradient in a step, with the
 * exponential moving average of the parameters (Polyak averaging) kept alongside, so that a step
 * costs its touched rows and not the whole model.
 *
 * Rows are the embedding rows (length dim) of the parameters' flat layout, then one row per
 * scalar (the biases). A row last updated at step s and touched again at step t first catches up
 * the t − s − 1 steps in which its gradient was zero, in closed form:
 *   moments  m ← β1^k m,  v ← β2^k v                       (exactly Adam's, for a zero gradient)
 *   decay    p ← r^k p with r = 1 − lr · weightDecay       (exactly AdamW's decoupled decay)
 *   average  ā ← d^k ā + (1 − d) p Σ_{s=1..k} d^{k−s} r^s  (the average of those decayed iterates)
 * and leaves out only the steps that the decaying moments alone would have taken (as lazy Adam
 * does): with every row touched every step it is AdamW plus averaging, to the byte. flush() brings
 * every row to the current step, before the parameters or their average are read.
 */
export class LazyAdam {
  readonly rows: number;
  /** First and second moments interleaved (m at 2p, v at 2p + 1): one memory stream per row instead of two. */
  private readonly moments: Float32Array;
  /** The step each row was last brought up to. */
  private readonly last: Int32Array;
  private step = 0;
  private correction1 = 1;
  private correction2 = 1;
  /**
   * Per missed-step count k: β1^k, β2^k, r^k and the average's d^k and share, so that a catch-up
   * costs lookups instead of four Math.pow per row (k runs up to the steps taken; grown by doubling).
   */
  private powers = new Float64Array(0);

  constructor(
    private readonly dim: number,
    /** Rows of length dim at the start of the parameters. */
    private readonly embeddingRows: number,
    /** Rows of length 1 after them. */
    private readonly scalarRows: number,
    private readonly learningRate: number,
    private readonly weightDecay: number,
    /** d of the average (0: no average). */
    private readonly averageDecay: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.rows = embeddingRows + scalarRows;
    const size = embeddingRows * dim + scalarRows;
    this.moments = new Float32Array(2 * size);
    this.last = new Int32Array(this.rows);
  }

  /** Starts a step: rows updated until the next beginStep() get this step's update. */
  beginStep(): void {
    this.step++;
    this.correction1 = 1 / (1 - this.beta1 ** this.step);
    this.correction2 = 1 / (1 - this.beta2 ** this.step);
  }

  /**
   * Catches row `row` up and applies this step's update from `grad`, then zeroes that row of
   * `grad`. `average` is the averaged copy (ignored when averageDecay is 0). Each row at most
   * once per step.
   */
  applyRow(params: Float32Array, average: Float32Array, grad: Float32Array, row: number): void {
    const start = row < this.embeddingRows ? row * this.dim : this.embeddingRows * this.dim + (row - this.embeddingRows);
    const end = row < this.embeddingRows ? start + this.dim : start + 1;
    this.catchUp(params, average, row, start, end, this.step - 1);
    const { moments, beta1, beta2, epsilon, correction1, correction2 } = this;
    const lr = this.learningRate;
    const decay = 1 - lr * this.weightDecay;
    const d = this.averageDecay;
    const fresh = 1 - d;
    for (let p = start; p < end; p++) {
      const g = grad[p];
      const mp = beta1 * moments[2 * p] + (1 - beta1) * g;
      const vp = beta2 * moments[2 * p + 1] + (1 - beta2) * g * g;
      moments[2 * p] = mp;
      moments[2 * p + 1] = vp;
      params[p] = params[p] * decay - (lr * mp * correction1) / (Math.sqrt(vp * correction2) + epsilon);
      grad[p] = 0;
    }
    if (d > 0) for (let p = start; p < end; p++) average[p] = d * average[p] + fresh * params[p];
    this.last[row] = this.step;
  }

  /**
   * applyRow for rows `offset + list[k]`, k < count, with the catch-up and the update inlined
   * (a sparse step calls this for thousands of short rows).
   */
  applyRows(
    params: Float32Array,
    average: Float32Array,
    grad: Float32Array,
    list: Readonly<Int32Array>,
    count: number,
    offset: number,
  ): void {
    const { moments, beta1, beta2, epsilon, correction1, correction2, dim, embeddingRows, last } = this;
    const lr = this.learningRate;
    const decay = 1 - lr * this.weightDecay;
    const d = this.averageDecay;
    const fresh = 1 - d;
    const step = this.step;
    const b1 = 1 - beta1;
    const b2 = 1 - beta2;
    if (step - 1 >= this.powers.length / 5 - 1) this.growPowers(step);
    const table = this.powers;
    for (let k = 0; k < count; k++) {
      const row = offset + list[k];
      const start = row < embeddingRows ? row * dim : embeddingRows * dim + (row - embeddingRows);
      const end = row < embeddingRows ? start + dim : start + 1;
      const missed = step - 1 - last[row];
      // One pass over the row's param, moments and average (a cache miss each at 50 k titles)
      // instead of three; Math.fround stores where applyRow stores, so the bytes are the same.
      let momentum = 1;
      let second = 1;
      let catchUp = 1;
      let dk = 1;
      let share = 0;
      if (missed > 0) {
        const at = 5 * missed;
        momentum = table[at];
        second = table[at + 1];
        catchUp = table[at + 2];
        dk = table[at + 3];
        share = table[at + 4];
      }
      const late = missed > 0;
      const averaged = d > 0;
      for (let p = start; p < end; p++) {
        let m = moments[2 * p];
        let v = moments[2 * p + 1];
        let x = params[p];
        let avg = averaged ? average[p] : 0;
        if (late) {
          if (averaged) avg = Math.fround(dk * avg + share * x);
          m = Math.fround(m * momentum);
          v = Math.fround(v * second);
          x = Math.fround(x * catchUp);
        }
        const g = grad[p];
        const mp = beta1 * m + b1 * g;
        const vp = beta2 * v + b2 * g * g;
        moments[2 * p] = mp;
        moments[2 * p + 1] = vp;
        x = Math.fround(x * decay - (lr * mp * correction1) / (Math.sqrt(vp * correction2) + epsilon));
        params[p] = x;
        grad[p] = 0;
        if (averaged) average[p] = d * avg + fresh * x;
      }
      last[row] = step;
    }
  }

  /** Brings every row up to the current step. */
  flush(params: Float32Array, average: Float32Array): void {
    const { dim, embeddingRows } = this;
    for (let row = 0; row < this.rows; row++) {
      const start = row < embeddingRows ? row * dim : embeddingRows * dim + (row - embeddingRows);
      this.catchUp(params, average, row, start, row < embeddingRows ? start + dim : start + 1, this.step);
      this.last[row] = this.step;
    }
  }

  /** Applies the zero-gradient steps last[row]+1 .. to to the row. */
  private catchUp(params: Float32Array, average: Float32Array, row: number, start: number, end: number, to: number): void {
    const k = to - this.last[row];
    if (k <= 0) return;
    if (5 * k >= this.powers.length) this.growPowers(k);
    const table = this.powers;
    const at = 5 * k;
    const momentum = table[at];
    const second = table[at + 1];
    const decay = table[at + 2];
    const { moments } = this;
    if (this.averageDecay > 0) {
      const dk = table[at + 3];
      const share = table[at + 4];
      for (let p = start; p < end; p++) average[p] = dk * average[p] + share * params[p];
    }
    for (let p = start; p < end; p++) {
      moments[2 * p] *= momentum;
      moments[2 * p + 1] *= second;
      params[p] *= decay;
    }
  }

  private growPowers(k: number): void {
    const size = Math.max(2 * k, 1024);
    const table = new Float64Array(5 * (size + 1));
    const r = 1 - this.learningRate * this.weightDecay;
    const d = this.averageDecay;
    for (let n = 0; n <= size; n++) {
      const decay = r ** n;
      const dn = d ** n;
      table[5 * n] = this.beta1 ** n;
      table[5 * n + 1] = this.beta2 ** n;
      table[5 * n + 2] = decay;
      table[5 * n + 3] = dn;
      // (1 − d) Σ_{s=1..n} d^{n−s} r^s
      table[5 * n + 4] = (1 - d) * (Math.abs(r - d) < 1e-12 ? n * dn : (r * (decay - dn)) / (r - d));
    }
    this.powers = table;
  }
}
