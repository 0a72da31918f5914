import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSimilarGraph } from '../../../model/onnx/exportSimilarGraph.ts';
import { Random } from '../../../model/random.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { similarItems } from '../../../model/recommender/similarItems.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';
import { checkOnnxModel } from '../../helpers/onnxChecker.ts';

/** |onnx − ts| ≤ 1e-5 · max(1, |ts|); cosines are at most 1 in magnitude, so this is absolute 1e-5. */
const TOLERANCE = 1e-5;

const int64 = (values: ArrayLike<number>): ort.Tensor =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(Array.from(values), (v) => BigInt(v)),
    [values.length],
  );

async function runSimilar(
  session: ort.InferenceSession,
  item: number,
  exclude: Int32Array,
  k: number,
): Promise<{ items: number[]; scores: number[] }> {
  const out = await session.run({ item: int64([item]), exclude: int64(exclude), k: int64([k]) });
  return {
    items: Array.from(out.items.data as BigInt64Array, (v) => Number(v)),
    scores: Array.from(out.scores.data as Float32Array),
  };
}

/** Cosine of two itemVectors rows, computed directly (0 for a zero row). */
function cosine(model: ScoringModel, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < model.dim; d++) {
    const x = model.itemVectors[a * model.dim + d];
    const y = model.itemVectors[b * model.dim + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

for (const dim of [16, 64]) {
  describe(`exportSimilarGraph: onnxruntime vs similarItems (300 items, dim ${dim})`, () => {
    const model = randomScoringModel({ items: 300, features: 40, dim, seed: 20 + dim });
    const bytes = exportSimilarGraph(model);
    let session: ort.InferenceSession;
    beforeAll(async () => {
      session = await ort.InferenceSession.create(bytes);
    });
    afterAll(async () => {
      await session.release();
    });

    it('declares the documented inputs and outputs', () => {
      expect(session.inputNames).toEqual(['item', 'exclude', 'k']);
      expect(session.outputNames).toEqual(['items', 'scores']);
    });

    it('passes onnx.checker.check_model (full check)', () => {
      expect(() => checkOnnxModel(bytes)).not.toThrow();
    });

    it('agrees on random query items, exclusions and k', async () => {
      const random = new Random(dim);
      const n = model.itemCount;
      let maxError = 0;
      let tieSwaps = 0;
      let positions = 0;
      for (let c = 0; c < 150; c++) {
        const item = random.nextInt(n);
        const exclude =
          random.next() < 0.3 ? new Int32Array(0) : Int32Array.from({ length: 1 + random.nextInt(20) }, () => random.nextInt(n));
        const remaining = n - new Set([item, ...exclude]).size;
        const k = [1, 10, remaining, n + 5, 1 + random.nextInt(n)][random.nextInt(5)];
        const capacity = Math.min(k, n);
        const refItems = new Int32Array(capacity);
        const refScores = new Float32Array(capacity);
        const count = similarItems(model, item, capacity, refItems, refScores, exclude);

        const out = await runSimilar(session, item, exclude, k);
        expect(out.items).toHaveLength(count);
        expect(out.items.includes(item)).toBe(false);
        expect(out.items.some((i) => exclude.includes(i))).toBe(false);
        expect(new Set(out.items).size).toBe(count);
        for (let r = 0; r < count; r++) {
          const expected = cosine(model, item, out.items[r]);
          if (out.items[r] !== refItems[r]) {
            expect(Math.abs(expected - cosine(model, item, refItems[r]))).toBeLessThanOrEqual(TOLERANCE);
            tieSwaps++;
          }
          maxError = Math.max(maxError, Math.abs(out.scores[r] - expected));
        }
        positions += count;
      }
      expect(maxError).toBeLessThanOrEqual(TOLERANCE);
      expect(tieSwaps).toBeLessThanOrEqual(positions / 1000);
    });

    it('works without exclusions, and with k = 1', async () => {
      const all = await runSimilar(session, 5, new Int32Array(0), 300);
      expect(all.items).toHaveLength(299);
      const one = await runSimilar(session, 5, new Int32Array(0), 1);
      expect(one.items).toEqual([all.items[0]]);
      expect(one.scores[0]).toBeCloseTo(cosine(model, 5, all.items[0]), 5);
    });
  });
}

describe('exportSimilarGraph', () => {
  it('scores a zero item vector 0 against everything (and the query is never its own neighbour)', async () => {
    // Items 0 and 1 point the same way (cosine 1), 2 is orthogonal, 3 opposite, 4 all zeros.
    const model: ScoringModel = {
      ...randomScoringModel({ items: 5, features: 0, dim: 2, seed: 1 }),
      itemVectors: Float32Array.of(1, 0, 3, 0, 0, 2, -1, 0, 0, 0),
    };
    const bytes = exportSimilarGraph(model);
    expect(() => checkOnnxModel(bytes)).not.toThrow();
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await runSimilar(session, 0, new Int32Array(0), 10);
      expect(out.items).toEqual([1, 2, 4, 3]);
      expect(out.scores[0]).toBeCloseTo(1, 6);
      expect(out.scores[1]).toBeCloseTo(0, 6);
      expect(out.scores[2]).toBe(0);
      expect(out.scores[3]).toBeCloseTo(-1, 6);
      const fromZero = await runSimilar(session, 4, Int32Array.of(3), 10);
      expect(fromZero.items).toEqual([0, 1, 2]);
      expect(fromZero.scores).toEqual([0, 0, 0]);
    } finally {
      await session.release();
    }
  });
});
