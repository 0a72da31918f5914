import { describe, expect, it } from 'vitest';
import {
  exportedScoringModel,
  exportRecommendGraph,
  exportSimilarGraph,
  ModelError,
  OnnxRecommender,
  scoreItems,
  topK,
  userVector,
} from '../../../model/index.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';

describe('OnnxRecommender', () => {
  const model = randomScoringModel({ items: 3000, features: 20, dim: 8, seed: 11 });

  it('creates sessions for one graph only; the other method throws ModelError', async () => {
    const recommendOnly = await OnnxRecommender.fromGraphs({ recommend: exportRecommendGraph(model) }, model.itemCount, model.featureCount);
    const similarOnly = await OnnxRecommender.fromGraphs({ similar: exportSimilarGraph(model) }, model.itemCount, model.featureCount);
    try {
      expect([recommendOnly.hasRecommend, recommendOnly.hasSimilar, similarOnly.hasRecommend, similarOnly.hasSimilar]).toEqual([
        true,
        false,
        false,
        true,
      ]);
      await expect(recommendOnly.similar(0, 3)).rejects.toThrow(ModelError);
      await expect(
        similarOnly.recommend({
          historyItems: new Int32Array(0),
          historyWeights: new Float32Array(0),
          preferences: new Int32Array(0),
          exclude: new Int32Array(0),
          k: 1,
        }),
      ).rejects.toThrow(ModelError);
      expect((await similarOnly.similar(2999, 3)).items).toHaveLength(3);
    } finally {
      await Promise.all([recommendOnly.release(), similarOnly.release()]);
    }
  });

  it('passes indices beyond 2^16 and long exclusion lists through int64 tensors exactly (reference top-k)', async () => {
    const big = exportedScoringModel(randomScoringModel({ items: 70_000, features: 4, dim: 4, seed: 5 }));
    const onnx = await OnnxRecommender.fromGraphs({ recommend: exportRecommendGraph(big) }, big.itemCount, big.featureCount);
    try {
      const historyItems = Int32Array.of(69_999, 65_536, 12);
      const historyWeights = Float32Array.of(1, 0.5, 2);
      // Exclude every third title, and the history.
      const exclude = Int32Array.from({ length: 70_000 / 3 }, (_, i) => i * 3);
      const result = await onnx.recommend({ historyItems, historyWeights, preferences: Int32Array.of(3), exclude, k: 20 });
      const user = new Float32Array(big.dim);
      userVector(big, historyItems, historyWeights, Int32Array.of(3), user);
      const scores = new Float32Array(big.itemCount);
      scoreItems(big, user, scores);
      for (const e of exclude) scores[e] = Number.NEGATIVE_INFINITY;
      const top = new Int32Array(20);
      const topScores = new Float32Array(20);
      topK(scores, 20, top, topScores);
      expect(Array.from(result.items)).toEqual(Array.from(top));
      result.scores.forEach((score, t) => expect(score).toBeCloseTo(topScores[t], 4));
      expect(Array.from(result.items).some((i) => i >= 65_536)).toBe(true);
    } finally {
      await onnx.release();
    }
  });
});
