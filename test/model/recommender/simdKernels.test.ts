import { describe, expect, it } from 'vitest';
import { Random } from '../../../model/random.ts';
import { SimdKernels } from '../../../model/recommender/simdKernels.ts';

describe('SimdKernels', () => {
  it('is not offered for a dimension that is not a multiple of 4', () => {
    expect(SimdKernels.create(10, 5, 3)).toBeUndefined();
  });

  it('exponentiates logits within 2 float32 ulps of exp of the shifted value, and scales them', () => {
    const count = 2000;
    const k = SimdKernels.create(4, count, 1) as SimdKernels;
    const shift = 0.75;
    // From where exp underflows float32's normal range up to above the shift.
    const x = Float32Array.from({ length: count }, (_, i) => -95 + (97 * i) / count);
    k.logits.set(x);
    const sum = k.expShifted(0, count, shift);
    let exactSum = 0;
    for (let i = 0; i < count; i++) {
      const exact = Math.exp(Math.fround(x[i] - shift));
      exactSum += exact;
      // Below −87.33654 the argument is clamped there: e^−87.33654 ≈ 1.2059e-38, the float32 normal limit.
      if (Math.fround(x[i] - shift) > -87.33)
        expect(Math.abs(k.logits[i] - exact), `x = ${x[i]}`).toBeLessThanOrEqual(2 * 2 ** -24 * exact);
      else expect(k.logits[i]).toBeLessThanOrEqual(1.21e-38);
    }
    expect(Math.abs(sum - exactSum)).toBeLessThanOrEqual(1e-6 * exactSum);
    const before = k.logits.slice(0, 8);
    k.scaleLogits(0, 4, 3);
    for (let i = 0; i < 4; i++) expect(k.logits[i]).toBe(Math.fround(before[i] * 3));
    for (let i = 4; i < 8; i++) expect(k.logits[i]).toBe(before[i]);
  });

  // dim 20 takes a run of 16 columns and one of 4; 7 items and 3 users need padding.
  const cases: [number, number, number][] = [
    [4, 2, 1],
    [20, 7, 3],
    [64, 301, 9],
  ];
  for (const [dim, itemCount, users] of cases) {
    it(`computes logits, item and user gradients as plain loops do (dim ${dim}, ${itemCount} items, ${users} users)`, () => {
      const kernels = SimdKernels.create(dim, itemCount, users);
      expect(kernels).toBeDefined();
      const k = kernels as SimdKernels;
      const rng = new Random(dim);
      const u = Float64Array.from({ length: users * dim }, () => rng.nextGaussian());
      const v = Float64Array.from({ length: itemCount * dim }, () => rng.nextGaussian());
      const bias = Float64Array.from({ length: itemCount }, () => rng.nextGaussian());
      k.users.set(u);
      k.items.set(v);
      k.bias.set(bias);
      k.clearPadding(users);
      const tolerance = (sum: number, terms: number): number => 1e-6 * Math.max(1, Math.abs(sum)) * Math.sqrt(terms);

      k.computeLogits(0, users);
      for (let b = 0; b < users; b++) {
        for (let i = 0; i < itemCount; i++) {
          let z = bias[i];
          for (let c = 0; c < dim; c++) z += u[b * dim + c] * v[i * dim + c];
          expect(Math.abs(k.logits[b * k.itemSlots + i] - z)).toBeLessThanOrEqual(tolerance(z, dim));
        }
      }

      // Gradients of the logits: random on the real entries, zero on the padding.
      const g = new Float64Array(users * itemCount).map(() => rng.nextGaussian());
      k.logits.fill(0);
      for (let b = 0; b < users; b++) for (let i = 0; i < itemCount; i++) k.logits[b * k.itemSlots + i] = g[b * itemCount + i];
      k.computeItemGradients(0, itemCount, users);
      k.computeUserGradients(0, users);
      for (let i = 0; i < itemCount; i++) {
        for (let c = 0; c < dim; c++) {
          let dv = 0;
          for (let b = 0; b < users; b++) dv += Math.fround(g[b * itemCount + i]) * Math.fround(u[b * dim + c]);
          expect(Math.abs(k.itemGradient[i * dim + c] - dv)).toBeLessThanOrEqual(tolerance(dv, users));
        }
      }
      for (let b = 0; b < users; b++) {
        for (let c = 0; c < dim; c++) {
          let du = 0;
          for (let i = 0; i < itemCount; i++) du += Math.fround(g[b * itemCount + i]) * Math.fround(v[i * dim + c]);
          expect(Math.abs(k.userGradient[b * dim + c] - du)).toBeLessThanOrEqual(tolerance(du, itemCount));
        }
      }

      // Ranges give the same rows as the whole: users from 1, items from 1 (pairs start on odd rows).
      const wholeItems = k.itemGradient.slice();
      const wholeUsers = k.userGradient.slice();
      k.itemGradient.fill(0);
      k.userGradient.fill(0);
      k.computeItemGradients(1, itemCount, users);
      k.computeUserGradients(1, users - 1);
      expect(k.itemGradient.subarray(dim, itemCount * dim)).toEqual(wholeItems.subarray(dim, itemCount * dim));
      expect(k.userGradient.subarray(dim, users * dim)).toEqual(wholeUsers.subarray(dim, users * dim));
    });
  }

  for (const dim of [4, 20, 64]) {
    it(`gathers dot products and scatters / gathers axpys by slot list as plain loops do (dim ${dim})`, () => {
      const rows = 11;
      const users = 3;
      const k = SimdKernels.create(dim, rows, users, 16) as SimdKernels;
      const rng = new Random(dim);
      for (let p = 0; p < rows * dim; p++) k.items[p] = rng.nextGaussian();
      for (let p = 0; p < users * dim; p++) k.users[p] = rng.nextGaussian();
      for (let p = 0; p < rows * dim; p++) k.itemGradient[p] = rng.nextGaussian();
      for (let p = 0; p < users * dim; p++) k.userGradient[p] = rng.nextGaussian();
      // Slots 2..9 of the list for user 1, with a repeated row (scatters add up in order).
      const slots = [0, 0, 5, 3, 10, 3, 0, 7, 1, 9];
      k.slots.set(slots);
      const at = 2;
      const count = 8;
      k.gatherDot(1, at, count);
      for (let q = at; q < at + count; q++) {
        let dot = 0;
        for (let c = 0; c < dim; c++) dot += k.users[dim + c] * k.items[slots[q] * dim + c];
        expect(k.coefficients[q]).toBeCloseTo(dot, 4);
      }
      for (let q = 0; q < 10; q++) k.coefficients[q] = Math.fround(0.5 - 0.1 * q);
      const items = k.items.slice(0, rows * dim);
      const user = k.users.slice(dim, 2 * dim);
      const expectedUser = Array.from(k.userGradient.subarray(dim, 2 * dim), Number);
      const expectedItems = Array.from(k.itemGradient.subarray(0, rows * dim), Number);
      for (let q = at; q < at + count; q++) {
        for (let c = 0; c < dim; c++) {
          expectedUser[c] = Math.fround(expectedUser[c] + Math.fround(k.coefficients[q] * items[slots[q] * dim + c]));
          const o = slots[q] * dim + c;
          expectedItems[o] = Math.fround(expectedItems[o] + Math.fround(k.coefficients[q] * user[c]));
        }
      }
      k.gatherAxpy(1, at, count);
      k.scatterAxpy(1, at, count);
      expect(Array.from(k.userGradient.subarray(dim, 2 * dim))).toEqual(expectedUser);
      expect(Array.from(k.itemGradient.subarray(0, rows * dim))).toEqual(expectedItems);
    });
  }
});
