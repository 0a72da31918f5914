import { ShapeError } from '../errors.ts';
import type { Random } from '../random.ts';

/**
 * Walker's alias method: draws index i with probability weights[i] / Σ weights in O(1) (one
 * uniform for the column, one for the coin), after an O(n) build (Vose's stable variant).
 */
export class AliasTable {
  readonly size: number;
  /** probability[i]: the normalised weights, as given (for the proposal's log-correction). */
  readonly probability: Float64Array;
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: Readonly<Float64Array>) {
    const n = weights.length;
    if (n === 0) throw new ShapeError('AliasTable needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) throw new ShapeError(`weight ${i} is ${weights[i]}`);
      total += weights[i];
    }
    if (!(total > 0)) throw new ShapeError('AliasTable weights sum to 0');
    this.size = n;
    this.probability = new Float64Array(n);
    this.threshold = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let smallCount = 0;
    let largeCount = 0;
    for (let i = 0; i < n; i++) {
      this.probability[i] = weights[i] / total;
      scaled[i] = this.probability[i] * n;
      if (scaled[i] < 1) small[smallCount++] = i;
      else large[largeCount++] = i;
    }
    while (smallCount > 0 && largeCount > 0) {
      const s = small[--smallCount];
      const l = large[--largeCount];
      this.threshold[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[smallCount++] = l;
      else large[largeCount++] = l;
    }
    // What is left is 1 up to rounding.
    while (largeCount > 0) this.threshold[large[--largeCount]] = 1;
    while (smallCount > 0) this.threshold[small[--smallCount]] = 1;
  }

  /** One index drawn from the weights. */
  sample(rng: Random): number {
    const column = rng.nextInt(this.size);
    return rng.next() < this.threshold[column] ? column : this.alias[column];
  }
}

/**
 * The sampled objective's proposal over titles: (1 − uniformMix) · count^α / Σ count^α +
 * uniformMix / titles, from each title's interaction count.
 */
export function proposalWeights(counts: Readonly<Float64Array>, exponent: number, uniformMix: number): Float64Array {
  const n = counts.length;
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    out[i] = counts[i] > 0 ? counts[i] ** exponent : 0;
    total += out[i];
  }
  const mix = total > 0 ? uniformMix : 1;
  for (let i = 0; i < n; i++) out[i] = (total > 0 ? ((1 - mix) * out[i]) / total : 0) + mix / n;
  return out;
}
