import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { AliasTable, proposalWeights } from '../../../model/recommender/aliasTable.ts';
import { MiniBatch } from '../../../model/recommender/miniBatch.ts';
import { RecommenderParameters } from '../../../model/recommender/recommenderParameters.ts';
import {
  sampledSlots,
  sampledSoftmaxGradient,
  SampledSoftmaxWorkspace,
  type SampledProposal,
} from '../../../model/recommender/sampledSoftmaxGradient.ts';

interface Features {
  readonly offsets: Int32Array;
  readonly features: Int32Array;
}

function csr(lists: readonly (readonly number[])[]): Features {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => (offsets[i + 1] = offsets[i] + list.length));
  return { offsets, features: Int32Array.from(lists.flat()) };
}

/** The candidates a step drew: item and draw count of each shared candidate. */
interface Drawn {
  readonly shared: readonly { item: number; count: number }[];
}

/**
 * The sampled loss written out plainly in float64 for given candidates, as the specification:
 *   u_b = Σ w_j h_j / max(Σ w_j, 1)^β,  z_bi = u_b · v_i + bias_i,
 *   a_bk = z_bk + log c_k − log(S q_k + R p_k) for shared candidates k not among b's positives,
 *   loss = (1/B) Σ_b Σ_t w_t (log(Σ_{distinct t'} exp z_bt' + Σ_k exp a_bk) − z_bt).
 */
function referenceLoss(
  params: RecommenderParameters,
  { offsets, features }: Features,
  batch: MiniBatch,
  beta: number,
  proposal: SampledProposal,
  drawn: Drawn,
): number {
  const { dim } = params;
  const compose = (idBlock: Float32Array, featureBlock: Float32Array, i: number): number[] => {
    const out = Array.from(idBlock.subarray(i * dim, (i + 1) * dim), Number);
    const fs = Array.from(features.subarray(offsets[i], offsets[i + 1]));
    for (const f of fs) for (let c = 0; c < dim; c++) out[c] += featureBlock[f * dim + c] / fs.length;
    return out;
  };
  let loss = 0;
  for (let b = 0; b < batch.count; b++) {
    const inputs: [number, number][] = [];
    for (let p = batch.inputOffsets[b]; p < batch.inputOffsets[b + 1]; p++) inputs.push([batch.inputItems[p], batch.inputWeights[p]]);
    const targets: [number, number][] = [];
    for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) targets.push([batch.targetItems[p], batch.targetWeights[p]]);
    const total = inputs.reduce((s, [, w]) => s + w, 0);
    const divisor = Math.max(total, 1) ** beta;
    const u = new Array<number>(dim).fill(0);
    for (const [j, w] of inputs) {
      const h = compose(params.itemInput, params.featureInput, j);
      for (let c = 0; c < dim; c++) u[c] += (w * h[c]) / divisor;
    }
    const z = (i: number): number =>
      compose(params.itemOutput, params.featureOutput, i).reduce((s, x, c) => s + x * u[c], params.itemBias[i]);
    const positives = new Set([...inputs.map(([j]) => j), ...targets.map(([t]) => t)]);
    const terms: number[] = [];
    for (const t of new Set(targets.map(([t]) => t))) terms.push(z(t));
    for (const { item, count } of drawn.shared) {
      if (positives.has(item)) continue;
      const expected = proposal.negatives * proposal.table.probability[item] + proposal.batchNegatives * proposal.positiveShare[item];
      terms.push(z(item) + Math.log(count) - Math.log(expected));
    }
    const max = Math.max(...terms);
    const logSumExp = max + Math.log(terms.reduce((s, x) => s + Math.exp(x - max), 0));
    for (const [t, w] of targets) loss += (w * (logSumExp - z(t))) / batch.count;
  }
  return loss;
}

function proposalFor(counts: readonly number[], negatives: number, batchNegatives: number): SampledProposal {
  const c = Float64Array.from(counts);
  const total = counts.reduce((s, x) => s + x, 0);
  return {
    table: new AliasTable(proposalWeights(c, 0.75, 0.2)),
    positiveShare: Float64Array.from(counts, (x) => x / total),
    negatives,
    batchNegatives,
  };
}

function runKernel(
  params: RecommenderParameters,
  f: Features,
  batch: MiniBatch,
  beta: number,
  proposal: SampledProposal,
  seed: number,
  simd = true,
): { loss: number; grad: RecommenderParameters; drawn: Drawn; ws: SampledSoftmaxWorkspace } {
  const grad = params.like();
  const slots = sampledSlots(proposal.negatives, proposal.batchNegatives, batch.targetOffsets[batch.count]);
  const sharedSlots = proposal.negatives + proposal.batchNegatives + 1;
  const ws = new SampledSoftmaxWorkspace(params.dim, params.itemCount, params.featureCount, batch.count, slots, { simd, sharedSlots });
  const loss = sampledSoftmaxGradient(params, f.offsets, f.features, batch, beta, proposal, new Random(seed), ws, grad);
  const shared = Array.from({ length: ws.sharedCount }, (_, k) => ({ item: ws.candidates[k], count: ws.counts[k] }));
  return { loss, grad, drawn: { shared }, ws };
}

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
  const counts = new Array<number>(itemCount).fill(0);
  for (let b = 0; b < users; b++) {
    const n = 1 + rng.nextInt(Math.min(itemCount, 12));
    // Repeated items on purpose: a history may hold a title twice.
    const items = Int32Array.from({ length: n }, () => rng.nextInt(itemCount));
    for (const i of items) counts[i]++;
    const weights = Float32Array.from({ length: n }, () => [0.25, 0.5, 1, 1.5][rng.nextInt(4)]);
    batch.addUser(items, weights, 0, n, () => rng.next() < 0.6, b % 3 !== 2);
  }
  for (let i = 0; i < itemCount; i++) counts[i] += 1;
  return { params, features, batch, counts };
}

describe('sampledSoftmaxGradient', () => {
  // 9 items, 3 features, dim 4, 3 users; few items, so draws hit the users' own positives.
  const features = csr([[0], [0, 2], [], [1], [0, 1, 2], [], [2], [1], []]);
  const beta = 0.7;
  const params = new RecommenderParameters(4, 9, 3);
  const rng = new Random(11);
  params.initialise(rng, 0.6);
  for (let i = 0; i < 9; i++) params.itemBias[i] = 0.4 * rng.nextGaussian();
  const batch = new MiniBatch(3);
  batch.clear();
  batch.addUser(Int32Array.of(0, 2, 5, 6, 6), Float32Array.of(1, 1.5, 0.25, 1, 1), 0, 5, (p) => p % 2 === 0, true);
  batch.addUser(Int32Array.of(1, 3, 4), Float32Array.of(0.25, 0.1, 2), 0, 3, (p) => p < 2, true);
  batch.addUser(Int32Array.of(2, 3, 6, 0, 1), Float32Array.of(1, 2, 1, 0.5, 1), 0, 5, (p) => p !== 1 && p !== 3, false);
  const proposal = proposalFor([5, 3, 8, 1, 2, 4, 6, 1, 1], 6, 3);

  it('matches the plain reference loss, and central differences of it for every parameter', () => {
    const { loss, grad, drawn } = runKernel(params, features, batch, beta, proposal, 3);
    expect(Math.abs(loss - referenceLoss(params, features, batch, beta, proposal, drawn))).toBeLessThanOrEqual(1e-5 * loss);
    const copy = new RecommenderParameters(4, 9, 3, params.values.slice());
    const lossAt = (): number => referenceLoss(copy, features, batch, beta, proposal, drawn);
    const step = 1e-3;
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
        1e-4 + 1e-3 * Math.abs(analytic),
      );
      const block = name.slice(0, name.indexOf('['));
      largest.set(block, Math.max(largest.get(block) ?? 0, Math.abs(analytic)));
    }
    for (const block of ['itemInput', 'featureInput', 'itemOutput', 'featureOutput', 'itemBias']) {
      expect(largest.get(block), block).toBeGreaterThan(1e-2);
    }
  });

  it('draws its negatives with the seed, and lists exactly the rows with a gradient', () => {
    const a = runKernel(params, features, batch, beta, proposal, 3);
    const b = runKernel(params, features, batch, beta, proposal, 3);
    expect(Buffer.from(a.grad.values.buffer).equals(Buffer.from(b.grad.values.buffer))).toBe(true);
    const { dim, itemCount, featureCount } = params;
    const t = a.ws.touched;
    const listed = (rows: Int32Array, count: number) => new Set(Array.from(rows.subarray(0, count)));
    const inputs = listed(t.itemInput, t.itemInputCount);
    const outputs = listed(t.itemOutput, t.itemOutputCount);
    const featureInputs = listed(t.featureInput, t.featureInputCount);
    const featureOutputs = listed(t.featureOutput, t.featureOutputCount);
    const nonZero = (block: Float32Array, r: number, width = dim) => block.subarray(r * width, (r + 1) * width).some((x) => x !== 0);
    for (let i = 0; i < itemCount; i++) {
      if (!inputs.has(i)) expect(nonZero(a.grad.itemInput, i), `itemInput ${i}`).toBe(false);
      if (!outputs.has(i)) expect(nonZero(a.grad.itemOutput, i) || a.grad.itemBias[i] !== 0, `itemOutput ${i}`).toBe(false);
    }
    for (let f = 0; f < featureCount; f++) {
      if (!featureInputs.has(f)) expect(nonZero(a.grad.featureInput, f), `featureInput ${f}`).toBe(false);
      if (!featureOutputs.has(f)) expect(nonZero(a.grad.featureOutput, f), `featureOutput ${f}`).toBe(false);
    }
    // Every target is a candidate; input items only those listed.
    for (let p = 0; p < batch.targetOffsets[batch.count]; p++) expect(outputs.has(batch.targetItems[p])).toBe(true);
    expect(inputs).toEqual(new Set(Array.from(batch.inputItems.subarray(0, batch.inputOffsets[batch.count]))));
  });

  it('leaves a user’s own positives out of its negatives (no accidental hits)', () => {
    // Every draw lands on item 2, a positive of users 0 and 2 but not of user 1.
    const only2: SampledProposal = {
      ...proposal,
      table: new AliasTable(Float64Array.from([0, 0, 1, 0, 0, 0, 0, 0, 0])),
      batchNegatives: 0,
    };
    const { loss, drawn } = runKernel(params, features, batch, beta, only2, 5);
    expect(drawn.shared).toEqual([{ item: 2, count: 6 }]);
    expect(Math.abs(loss - referenceLoss(params, features, batch, beta, only2, drawn))).toBeLessThanOrEqual(1e-5 * loss);
    // Without the masking, users 0 and 2 would have item 2 twice in their partition: the loss would differ.
    const unmasked = referenceLoss(params, features, batch, beta, only2, { shared: [] });
    expect(Math.abs(loss - unmasked)).toBeGreaterThan(1e-3);
  });

  for (const [name, seed, dim, itemCount, featureCount, users, negatives, batchNegatives] of [
    ['dim 8, 40 items, 5 features, 7 users', 1, 8, 40, 5, 7, 9, 4],
    ['dim 64, 301 items, 9 features, 32 users', 2, 64, 301, 9, 32, 64, 32],
    ['dim 13, 50 items, 4 features, 5 users (JavaScript only)', 3, 13, 50, 4, 5, 10, 5],
  ] as const) {
    it(`agrees with the reference, SIMD and JavaScript products alike: ${name}`, () => {
      const c = randomCase(seed, dim, itemCount, featureCount, users);
      const proposalC = proposalFor(c.counts, negatives, batchNegatives);
      const simd = runKernel(c.params, c.features, c.batch, 0.5, proposalC, 7, true);
      const plain = runKernel(c.params, c.features, c.batch, 0.5, proposalC, 7, false);
      const expected = referenceLoss(c.params, c.features, c.batch, 0.5, proposalC, simd.drawn);
      expect(Math.abs(simd.loss - expected)).toBeLessThanOrEqual(1e-5 * Math.abs(expected));
      expect(Math.abs(plain.loss - expected)).toBeLessThanOrEqual(1e-5 * Math.abs(expected));
      for (let p = 0; p < simd.grad.values.length; p++) {
        expect(Math.abs(simd.grad.values[p] - plain.grad.values[p]), blockOf(c.params, p)).toBeLessThanOrEqual(
          1e-5 * Math.max(1, Math.abs(plain.grad.values[p])),
        );
      }
    });
  }

  it('rejects a workspace too small for the batch', () => {
    const ws = new SampledSoftmaxWorkspace(4, 9, 3, 3, 4);
    expect(() =>
      sampledSoftmaxGradient(params, features.offsets, features.features, batch, beta, proposal, new Random(1), ws, params.like()),
    ).toThrow(ShapeError);
    const slots = sampledSlots(proposal.negatives, proposal.batchNegatives, batch.targetOffsets[batch.count]);
    const narrow = new SampledSoftmaxWorkspace(4, 9, 3, 3, slots, { sharedSlots: 5 });
    expect(() =>
      sampledSoftmaxGradient(params, features.offsets, features.features, batch, beta, proposal, new Random(1), narrow, params.like()),
    ).toThrow(/shared slots/);
  });
});
