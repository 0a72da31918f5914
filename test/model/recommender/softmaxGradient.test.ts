import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { MiniBatch } from '../../../model/recommender/miniBatch.ts';
import { RecommenderParameters } from '../../../model/recommender/recommenderParameters.ts';
import { softmaxGradient, SoftmaxWorkspace } from '../../../model/recommender/softmaxGradient.ts';

/** Item → feature rows in CSR form. */
interface Features {
  readonly offsets: Int32Array;
  readonly features: Int32Array;
}

function csr(lists: readonly (readonly number[])[]): Features {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => (offsets[i + 1] = offsets[i] + list.length));
  return { offsets, features: Int32Array.from(lists.flat()) };
}

/**
 * The model written out plainly in float64, one formula at a time, as the specification the
 * optimised kernel must match:
 *   h_j = itemInput_j + mean_{f ∈ F(j)} featureInput_f,  v_i likewise on the output side,
 *   u_b = Σ_{j ∈ input(b)} w_j h_j / max(Σ w_j, 1)^β,  z_bi = u_b · v_i + bias_i,
 *   loss = (1/B) Σ_b Σ_{t ∈ targets(b)} w_t (log Σ_i exp z_bi − z_bt),
 * and its gradient by the chain rule, in the parameters' flat layout.
 */
function reference(
  params: RecommenderParameters,
  { offsets, features }: Features,
  batch: MiniBatch,
  beta: number,
): { loss: number; grad: Float64Array } {
  const { dim, itemCount, featureCount } = params;
  const B = batch.count;
  const featuresOf = (i: number): number[] => Array.from(features.subarray(offsets[i], offsets[i + 1]));
  const row = (block: Float32Array, r: number): number[] => Array.from(block.subarray(r * dim, (r + 1) * dim));
  const compose = (idBlock: Float32Array, featureBlock: Float32Array, i: number): number[] => {
    const out = row(idBlock, i);
    const fs = featuresOf(i);
    for (const f of fs) {
      const fr = row(featureBlock, f);
      for (let c = 0; c < dim; c++) out[c] += fr[c] / fs.length;
    }
    return out;
  };
  const h = Array.from({ length: itemCount }, (_, j) => compose(params.itemInput, params.featureInput, j));
  const v = Array.from({ length: itemCount }, (_, i) => compose(params.itemOutput, params.featureOutput, i));

  const dItemInput = Array.from({ length: itemCount }, () => new Array<number>(dim).fill(0));
  const dItemOutput = Array.from({ length: itemCount }, () => new Array<number>(dim).fill(0));
  const dBias = new Array<number>(itemCount).fill(0);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const inputs: [number, number][] = [];
    for (let p = batch.inputOffsets[b]; p < batch.inputOffsets[b + 1]; p++) inputs.push([batch.inputItems[p], batch.inputWeights[p]]);
    const targets: [number, number][] = [];
    for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) targets.push([batch.targetItems[p], batch.targetWeights[p]]);

    const total = inputs.reduce((s, [, w]) => s + w, 0);
    const divisor = Math.max(total, 1) ** beta;
    const u = new Array<number>(dim).fill(0);
    for (const [j, w] of inputs) for (let c = 0; c < dim; c++) u[c] += (w * h[j][c]) / divisor;
    const z = v.map((vi, i) => vi.reduce((s, x, c) => s + x * u[c], params.itemBias[i]));
    const max = Math.max(...z);
    const logSumExp = max + Math.log(z.reduce((s, zi) => s + Math.exp(zi - max), 0));
    const softmax = z.map((zi) => Math.exp(zi - logSumExp));
    const targetWeight = targets.reduce((s, [, w]) => s + w, 0);
    for (const [t, w] of targets) loss += (w * (logSumExp - z[t])) / B;

    // dLoss/dz_bi, then back through z = u·v + bias and u = Σ w h / divisor.
    const dz = softmax.map((p) => (targetWeight * p) / B);
    for (const [t, w] of targets) dz[t] -= w / B;
    const du = new Array<number>(dim).fill(0);
    for (let i = 0; i < itemCount; i++) {
      dBias[i] += dz[i];
      for (let c = 0; c < dim; c++) {
        dItemOutput[i][c] += dz[i] * u[c];
        du[c] += dz[i] * v[i][c];
      }
    }
    for (const [j, w] of inputs) for (let c = 0; c < dim; c++) dItemInput[j][c] += (w * du[c]) / divisor;
  }

  // From the composed rows to the id and feature rows.
  const dFeatureInput = Array.from({ length: featureCount }, () => new Array<number>(dim).fill(0));
  const dFeatureOutput = Array.from({ length: featureCount }, () => new Array<number>(dim).fill(0));
  for (let i = 0; i < itemCount; i++) {
    const fs = featuresOf(i);
    for (const f of fs) {
      for (let c = 0; c < dim; c++) {
        dFeatureInput[f][c] += dItemInput[i][c] / fs.length;
        dFeatureOutput[f][c] += dItemOutput[i][c] / fs.length;
      }
    }
  }
  const grad = Float64Array.from([
    ...dItemInput.flat(),
    ...dFeatureInput.flat(),
    ...dItemOutput.flat(),
    ...dFeatureOutput.flat(),
    ...dBias,
  ]);
  return { loss, grad };
}

function runKernel(
  params: RecommenderParameters,
  f: Features,
  batch: MiniBatch,
  beta: number,
  simd = true,
): { loss: number; grad: RecommenderParameters } {
  const grad = params.like();
  const ws = new SoftmaxWorkspace(params.dim, params.itemCount, batch.count, { simd });
  const loss = softmaxGradient(params, f.offsets, f.features, batch, beta, ws, grad);
  return { loss, grad };
}

/** Names the parameter block of flat index p, for readable failures. */
function blockOf(params: RecommenderParameters, p: number): string {
  const { dim, itemCount, featureCount } = params;
  const sizes: [string, number][] = [
    ['itemInput', itemCount * dim],
    ['featureInput', featureCount * dim],
    ['itemOutput', itemCount * dim],
    ['featureOutput', featureCount * dim],
    ['itemBias', itemCount],
  ];
  let start = 0;
  for (const [name, size] of sizes) {
    if (p < start + size) return `${name}[${p - start}]`;
    start += size;
  }
  return `out of range ${p}`;
}

describe('softmaxGradient on a tiny model with item features', () => {
  // 7 items, 3 features (items 2 and 5 have none, item 4 has all three), dim 4, 3 users.
  const features = csr([[0], [0, 2], [], [1], [0, 1, 2], [], [2]]);
  const beta = 0.7;
  const params = new RecommenderParameters(4, 7, 3);
  const rng = new Random(11);
  params.initialise(rng, 0.6);
  for (let i = 0; i < 7; i++) params.itemBias[i] = 0.4 * rng.nextGaussian();

  const batch = new MiniBatch(3);
  batch.clear();
  // User 0: items 0 and 5 in the input, every positive a target.
  batch.addUser(Int32Array.of(0, 2, 5, 6), Float32Array.of(1, 1.5, 0.25, 1), 0, 4, (p) => p % 2 === 0, true);
  // User 1: input weight 0.35 < 1, so its divisor is max(0.35, 1)^β = 1.
  batch.addUser(Int32Array.of(1, 3, 4), Float32Array.of(0.25, 0.1, 2), 0, 3, (p) => p < 2, true);
  // User 2: only the entries left out of the input are targets.
  batch.addUser(Int32Array.of(2, 3, 6, 0, 1), Float32Array.of(1, 2, 1, 0.5, 1), 0, 5, (p) => p !== 1 && p !== 3, false);

  it('matches central differences of its own loss for every parameter of every block', () => {
    const { loss, grad } = runKernel(params, features, batch, beta);
    expect(loss).toBeGreaterThan(0);
    const copy = new RecommenderParameters(4, 7, 3, params.values.slice());
    const lossAt = (): number => runKernel(copy, features, batch, beta).loss;
    const step = 1e-2;
    const largest = new Map<string, number>();
    for (let p = 0; p < copy.values.length; p++) {
      const original = copy.values[p];
      copy.values[p] = original + step;
      const up = copy.values[p];
      const lossUp = lossAt();
      copy.values[p] = original - step;
      const down = copy.values[p];
      const lossDown = lossAt();
      copy.values[p] = original;
      const numerical = (lossUp - lossDown) / (up - down);
      const analytic = grad.values[p];
      const name = blockOf(params, p);
      expect(Math.abs(numerical - analytic), `${name}: numerical ${numerical}, analytic ${analytic}`).toBeLessThanOrEqual(
        2e-4 + 2e-3 * Math.abs(analytic),
      );
      const block = name.slice(0, name.indexOf('['));
      largest.set(block, Math.max(largest.get(block) ?? 0, Math.abs(analytic)));
    }
    // Every block really is exercised: some gradient in each is far from zero.
    for (const block of ['itemInput', 'featureInput', 'itemOutput', 'featureOutput', 'itemBias']) {
      expect(largest.get(block), block).toBeGreaterThan(1e-2);
    }
  });

  for (const simd of [true, false]) {
    it(`agrees with the plain reference implementation (${simd ? 'SIMD' : 'JavaScript'} products)`, () => {
      const { loss, grad } = runKernel(params, features, batch, beta, simd);
      const expected = reference(params, features, batch, beta);
      expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e-6 * expected.loss);
      for (let p = 0; p < grad.values.length; p++) {
        expect(Math.abs(grad.values[p] - expected.grad[p]), blockOf(params, p)).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('rejects item feature rows of the wrong length and a workspace that is too small', () => {
    const grad = params.like();
    const ws = new SoftmaxWorkspace(4, 7, 3);
    expect(() => softmaxGradient(params, features.offsets.subarray(1), features.features, batch, beta, ws, grad)).toThrow(ShapeError);
    expect(() => softmaxGradient(params, features.offsets, features.features, batch, beta, new SoftmaxWorkspace(4, 7, 2), grad)).toThrow(
      ShapeError,
    );
  });
});

describe('softmaxGradient against the reference on random data', () => {
  /** A random model and batch: sizes chosen so that the blocked loops also take their leftover paths. */
  function randomCase(seed: number, dim: number, itemCount: number, featureCount: number, users: number) {
    const rng = new Random(seed);
    const lists = Array.from({ length: itemCount }, () => {
      const n = rng.nextInt(4);
      const set = new Set<number>();
      for (let k = 0; k < n; k++) set.add(rng.nextInt(featureCount));
      return [...set].sort((a, b) => a - b);
    });
    const features = csr(lists);
    const params = new RecommenderParameters(dim, itemCount, featureCount);
    params.initialise(rng, 0.3);
    for (let i = 0; i < itemCount; i++) params.itemBias[i] = rng.nextGaussian();
    const batch = new MiniBatch(users);
    batch.clear();
    for (let b = 0; b < users; b++) {
      const n = 1 + rng.nextInt(Math.min(itemCount, 12));
      const items = new Set<number>();
      while (items.size < n) items.add(rng.nextInt(itemCount));
      const weights = Float32Array.from({ length: n }, () => [0.25, 0.5, 1, 1.5][rng.nextInt(4)]);
      batch.addUser(Int32Array.from(items), weights, 0, n, () => rng.next() < 0.6, b % 3 !== 2);
    }
    return { params, features, batch };
  }

  // Dimensions that are multiples of 4 run the SIMD products unless told not to; odd item and user
  // counts exercise the JavaScript kernels' leftover loops and the SIMD kernels' padding.
  const cases: [string, number, number, number, number, number][] = [
    ['dim 13, 37 items, 5 features, 7 users', 1, 13, 37, 5, 7],
    ['dim 8, 20 items, 3 features, 8 users', 2, 8, 20, 3, 8],
    ['dim 64, 101 items, 9 features, 32 users', 3, 64, 101, 9, 32],
    ['dim 3, 2 items, 1 feature, 1 user', 4, 3, 2, 1, 1],
    ['dim 20, 37 items, 4 features, 7 users', 5, 20, 37, 4, 7],
    ['dim 4, 3 items, 2 features, 5 users', 6, 4, 3, 2, 5],
    ['dim 64, 1201 items, 30 features, 13 users', 7, 64, 1201, 30, 13],
  ];
  for (const simd of [true, false]) {
    it(`reuses one workspace across batches of different sizes${simd ? '' : ', JavaScript products'}`, () => {
      const big = randomCase(8, 8, 23, 3, 11);
      const small = randomCase(9, 8, 23, 3, 6);
      const ws = new SoftmaxWorkspace(8, 23, 11, { simd });
      for (const { params, features, batch } of [big, small, big]) {
        const grad = params.like();
        const loss = softmaxGradient(params, features.offsets, features.features, batch, 0.5, ws, grad);
        const expected = reference(params, features, batch, 0.5);
        expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e-6 * expected.loss);
        for (let p = 0; p < grad.values.length; p++) {
          expect(Math.abs(grad.values[p] - expected.grad[p])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected.grad[p])));
        }
      }
    });
  }

  for (const [name, seed, dim, itemCount, featureCount, users] of cases)
    for (const simd of [true, false]) {
      it(`${name}${simd ? '' : ', JavaScript products'}`, () => {
        const { params, features, batch } = randomCase(seed, dim, itemCount, featureCount, users);
        const { loss, grad } = runKernel(params, features, batch, 0.5, simd);
        const expected = reference(params, features, batch, 0.5);
        expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(expected.loss));
        let worst = 0;
        for (let p = 0; p < grad.values.length; p++) {
          const error = Math.abs(grad.values[p] - expected.grad[p]) / Math.max(1, Math.abs(expected.grad[p]));
          if (error > worst) worst = error;
        }
        expect(worst).toBeLessThanOrEqual(1e-5);
      });
    }
});
