/**
 * Adam with decoupled weight decay (AdamW) over one flat parameter array.
 * Moments are kept in preallocated arrays of the same length.
 */
export class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;

  constructor(
    size: number,
    private readonly learningRate: number,
    private readonly weightDecay: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** params -= lr · (m̂ / (√v̂ + ε) + weightDecay · params) */
  apply(params: Float32Array, grad: Readonly<Float32Array>): void {
    this.step++;
    const { m, v, beta1, beta2, epsilon } = this;
    const lr = this.learningRate;
    const correction1 = 1 / (1 - beta1 ** this.step);
    const correction2 = 1 / (1 - beta2 ** this.step);
    const decay = 1 - lr * this.weightDecay;
    for (let p = 0; p < params.length; p++) {
      const g = grad[p];
      const mp = beta1 * m[p] + (1 - beta1) * g;
      const vp = beta2 * v[p] + (1 - beta2) * g * g;
      m[p] = mp;
      v[p] = vp;
      params[p] = params[p] * decay - (lr * mp * correction1) / (Math.sqrt(vp * correction2) + epsilon);
    }
  }
}
