import { describe, expect, it } from 'vitest';
import { Random } from '../../../model/random.ts';
import { Adam } from '../../../model/recommender/adam.ts';
import { LazyAdam } from '../../../model/recommender/lazyAdam.ts';

const DIM = 3;
const EMBEDDING_ROWS = 4;
const SCALAR_ROWS = 2;
const SIZE = EMBEDDING_ROWS * DIM + SCALAR_ROWS;
const LR = 0.05;
const DECAY = 0.5;
const AVERAGE = 0.9;

function start(seed: number): { params: Float32Array; average: Float32Array; rng: Random } {
  const rng = new Random(seed);
  const params = Float32Array.from({ length: SIZE }, () => rng.nextGaussian());
  return { params, average: params.slice(), rng };
}

/** Dense AdamW plus the parameter average, as the full-softmax path steps. */
function denseStep(adam: Adam, params: Float32Array, average: Float32Array, grad: Float32Array): void {
  adam.apply(params, grad);
  for (let p = 0; p < SIZE; p++) average[p] = AVERAGE * average[p] + (1 - AVERAGE) * params[p];
}

describe('LazyAdam', () => {
  it('is AdamW plus averaging, to the byte, when every row is touched every step', () => {
    const dense = start(1);
    const lazy = start(1);
    const adam = new Adam(SIZE, LR, DECAY);
    const lazyAdam = new LazyAdam(DIM, EMBEDDING_ROWS, SCALAR_ROWS, LR, DECAY, AVERAGE);
    const grad = new Float32Array(SIZE);
    for (let step = 0; step < 20; step++) {
      const g = Float32Array.from({ length: SIZE }, () => dense.rng.nextGaussian());
      denseStep(adam, dense.params, dense.average, g);
      grad.set(g);
      lazyAdam.beginStep();
      for (let row = 0; row < lazyAdam.rows; row++) lazyAdam.applyRow(lazy.params, lazy.average, grad, row);
      expect(grad.every((x) => x === 0)).toBe(true);
    }
    expect(Buffer.from(lazy.params.buffer).equals(Buffer.from(dense.params.buffer))).toBe(true);
    expect(Buffer.from(lazy.average.buffer).equals(Buffer.from(dense.average.buffer))).toBe(true);
  });

  it('decays and averages a row that gets no gradient exactly as AdamW would (its moments being zero)', () => {
    // Rows 0 (embedding) and 4 (scalar) never get a gradient; the others do at every step.
    const dense = start(2);
    const lazy = start(2);
    const adam = new Adam(SIZE, LR, DECAY);
    const lazyAdam = new LazyAdam(DIM, EMBEDDING_ROWS, SCALAR_ROWS, LR, DECAY, AVERAGE);
    const idle = new Set([0, 4]);
    const grad = new Float32Array(SIZE);
    for (let step = 0; step < 30; step++) {
      const g = Float32Array.from({ length: SIZE }, () => dense.rng.nextGaussian());
      g.fill(0, 0, DIM);
      g[EMBEDDING_ROWS * DIM] = 0;
      denseStep(adam, dense.params, dense.average, g);
      grad.set(g);
      lazyAdam.beginStep();
      for (let row = 0; row < lazyAdam.rows; row++) if (!idle.has(row)) lazyAdam.applyRow(lazy.params, lazy.average, grad, row);
    }
    lazyAdam.flush(lazy.params, lazy.average);
    for (let p = 0; p < SIZE; p++) {
      expect(lazy.params[p]).toBeCloseTo(dense.params[p], 5);
      expect(lazy.average[p]).toBeCloseTo(dense.average[p], 5);
    }
  });

  it('catches a row up over the steps it missed before its next update', () => {
    // Row 1 is touched at steps 1 and 9: at step 9 it first decays over steps 2..8, its moments too.
    const lazy = start(3);
    const lazyAdam = new LazyAdam(DIM, EMBEDDING_ROWS, SCALAR_ROWS, LR, DECAY, 0);
    const grad = new Float32Array(SIZE);
    const row = (values: Float32Array) => Array.from(values.subarray(DIM, 2 * DIM));
    lazyAdam.beginStep();
    grad.fill(1, DIM, 2 * DIM);
    lazyAdam.applyRow(lazy.params, lazy.average, grad, 1);
    const afterFirst = row(lazy.params);
    for (let step = 2; step <= 8; step++) lazyAdam.beginStep();
    lazyAdam.beginStep();
    grad.fill(0, DIM, 2 * DIM);
    lazyAdam.applyRow(lazy.params, lazy.average, grad, 1);
    // Reference: moments after step 1 (m = 0.1, v = 0.001), decayed for 7 steps, then step 9 with g = 0.
    const r = 1 - LR * DECAY;
    const m = 0.1 * 0.9 ** 7 * 0.9;
    const v = 0.001 * 0.999 ** 7 * 0.999;
    const update = (LR * m) / (1 - 0.9 ** 9) / (Math.sqrt(v / (1 - 0.999 ** 9)) + 1e-8);
    afterFirst.forEach((p, c) => expect(row(lazy.params)[c]).toBeCloseTo(p * r ** 7 * r - update, 5));
  });

  it('applyRows over a list is applyRow row by row, to the byte', () => {
    const one = start(4);
    const many = start(4);
    const a = new LazyAdam(DIM, EMBEDDING_ROWS, SCALAR_ROWS, LR, DECAY, AVERAGE);
    const b = new LazyAdam(DIM, EMBEDDING_ROWS, SCALAR_ROWS, LR, DECAY, AVERAGE);
    const gradA = new Float32Array(SIZE);
    const gradB = new Float32Array(SIZE);
    const lists = [[0, 2], [1], [], [0, 3], [2, 1, 0]];
    for (let step = 0; step < 12; step++) {
      const g = Float32Array.from({ length: SIZE }, () => one.rng.nextGaussian());
      gradA.set(g);
      gradB.set(g);
      const list = lists[step % lists.length];
      a.beginStep();
      b.beginStep();
      // Embedding rows from the list, then the scalar rows offset past them.
      for (const row of list) a.applyRow(one.params, one.average, gradA, row);
      for (const row of list.filter((r) => r < SCALAR_ROWS)) a.applyRow(one.params, one.average, gradA, EMBEDDING_ROWS + row);
      b.applyRows(many.params, many.average, gradB, Int32Array.from(list), list.length, 0);
      const scalars = Int32Array.from(list.filter((r) => r < SCALAR_ROWS));
      b.applyRows(many.params, many.average, gradB, scalars, scalars.length, EMBEDDING_ROWS);
    }
    a.flush(one.params, one.average);
    b.flush(many.params, many.average);
    expect(Buffer.from(many.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
    expect(Buffer.from(many.average.buffer).equals(Buffer.from(one.average.buffer))).toBe(true);
  });
});
