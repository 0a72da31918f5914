import { describe, expect, it } from 'vitest';
import {
  candidateScorer,
  decideGate,
  evaluateOnGate,
  firstNonFinite,
  popularityScorer,
  servedModelScorer,
  splitGate,
  type GateInput,
  type GateMetrics,
} from '../../../functions/retrain/qualityGate.ts';
import { buildTrainingData } from '../../../model/data/trainingData.ts';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { newItemVector } from '../../../model/recommender/newItemVector.ts';
import { scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import { trainModel } from '../../../model/trainModel.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';
import { demoTrainingData } from '../../helpers/demoTrainingData.ts';

/** Users u1…u4 with 1, 3, 10 and 20 interactions on distinct items, timestamps 1, 2, 3, … per user. */
function smallData() {
  const builder = new InteractionTableBuilder();
  const counts = [1, 3, 10, 20];
  counts.forEach((count, u) => {
    // Added newest first, so that the order of the rows is not the order of time.
    for (let k = count; k >= 1; k--) builder.add(`u${u + 1}`, `i${k}`, 1, Number.NaN, k);
  });
  return buildTrainingData(builder.build());
}

describe('splitGate', () => {
  it('holds out the newest tenth of each user with two or more interactions', () => {
    const data = smallData();
    const split = splitGate(data, { maxUsers: 100, seed: 1 });
    const gateItems = (u: number) =>
      Array.from(split.gate.userItems.subarray(split.gate.userOffsets[u], split.gate.userOffsets[u + 1]), (i) => data.itemIds[i]);
    const user = (id: string) => data.userIds.indexOf(id);
    expect(gateItems(user('u1'))).toEqual([]);
    expect(gateItems(user('u2'))).toEqual(['i3']);
    expect(gateItems(user('u3'))).toEqual(['i10']);
    expect(gateItems(user('u4'))).toEqual(['i19', 'i20']);
    expect(split).toMatchObject({ gateUsers: 3, evaluatedUsers: 3, gateInteractions: 4 });
    expect(split.train.userItems.length + split.gate.userItems.length).toBe(data.userItems.length);
  });

  it('evaluates a fixed-seed sample of maxUsers users, each with all of their held-out interactions', () => {
    const { data } = demoTrainingData({ seed: 3 });
    const full = splitGate(data, { maxUsers: 10_000, seed: 1 });
    const sampled = splitGate(data, { maxUsers: 25, seed: 1 });
    expect(sampled.gateUsers).toBe(full.gateUsers);
    expect(sampled.evaluatedUsers).toBe(25);
    expect(sampled.gateInteractions).toBe(full.gateInteractions);
    let users = 0;
    for (let u = 0; u < data.userIds.length; u++) {
      const rows = sampled.gate.userOffsets[u + 1] - sampled.gate.userOffsets[u];
      if (rows === 0) continue;
      users++;
      expect(rows).toBe(full.gate.userOffsets[u + 1] - full.gate.userOffsets[u]);
      expect(sampled.gate.userItems.subarray(sampled.gate.userOffsets[u], sampled.gate.userOffsets[u + 1])).toEqual(
        full.gate.userItems.subarray(full.gate.userOffsets[u], full.gate.userOffsets[u + 1]),
      );
    }
    expect(users).toBe(25);
    expect(splitGate(data, { maxUsers: 25, seed: 1 }).gate.userOffsets).toEqual(sampled.gate.userOffsets);
  });
});

describe('scoring on the gate set', () => {
  const { data } = demoTrainingData({ seed: 3 });
  const split = splitGate(data, { maxUsers: 10_000, seed: 1 });
  const { model } = trainModel(split.train, { seed: 5, ranking: { dim: 8, maxEpochs: 6, validationFraction: 0 }, rating: false });

  it('gives the served model the same metrics as the candidate when it is the same model under another item order', () => {
    const itemCount = model.itemCount;
    // Reverse the item index: row i of the served model is item itemCount-1-i.
    const reversed = (values: Float32Array, width: number) => {
      const out = new Float32Array(values.length);
      for (let i = 0; i < itemCount; i++) out.set(values.subarray((itemCount - 1 - i) * width, (itemCount - i) * width), i * width);
      return out;
    };
    const served: ScoringModel = {
      ...model,
      historyVectors: reversed(model.historyVectors, model.dim),
      itemVectors: reversed(model.itemVectors, model.dim),
      itemBias: reversed(model.itemBias, 1),
    };
    const servedManifest = { itemIds: [...data.itemIds].reverse(), vocabulary: data.vocabulary };
    const { score, mapping } = servedModelScorer({ model: served, manifest: servedManifest }, split.train);
    expect(mapping).toEqual({ knownItems: itemCount, contentItems: 0, unscoredItems: 0 });
    const asServed = evaluateOnGate(split, score);
    const asCandidate = evaluateOnGate(split, candidateScorer(model, split.train));
    for (const key of Object.keys(asCandidate) as (keyof GateMetrics)[]) expect(asServed[key]).toBeCloseTo(asCandidate[key], 9);
  });

  it('scores titles the served model lacks from their content features, as serving scores new titles', () => {
    const kept = model.itemCount - 5;
    const dim = model.dim;
    const older: ScoringModel = {
      ...model,
      itemCount: kept,
      historyVectors: model.historyVectors.slice(0, kept * dim),
      itemVectors: model.itemVectors.slice(0, kept * dim),
      itemBias: model.itemBias.slice(0, kept),
    };
    const { score, mapping } = servedModelScorer(
      { model: older, manifest: { itemIds: data.itemIds.slice(0, kept), vocabulary: data.vocabulary } },
      split.train,
    );
    expect(mapping).toEqual({ knownItems: kept, contentItems: 5, unscoredItems: 0 });

    // A user whose history holds none of the missing titles: the user vector is the full model's.
    const u = Array.from({ length: data.userIds.length }, (_, k) => k).find((k) => {
      const items = split.train.userItems.subarray(split.train.userOffsets[k], split.train.userOffsets[k + 1]);
      return items.length > 0 && items.every((i) => i < kept);
    }) as number;
    const out = new Float32Array(model.itemCount).fill(Number.NaN);
    score(u, out);
    const user = new Float32Array(dim);
    userVector(
      model,
      split.train.userItems.subarray(split.train.userOffsets[u], split.train.userOffsets[u + 1]),
      split.train.userWeights.subarray(split.train.userOffsets[u], split.train.userOffsets[u + 1]),
      new Int32Array(0),
      user,
    );
    const full = new Float32Array(model.itemCount);
    scoreItems(model, user, full);
    for (let i = 0; i < kept; i++) expect(out[i]).toBeCloseTo(full[i], 5);
    for (let i = kept; i < model.itemCount; i++) {
      const features = split.train.itemFeatures.subarray(split.train.itemFeatureOffsets[i], split.train.itemFeatureOffsets[i + 1]);
      const vector = new Float32Array(dim);
      const bias = newItemVector(model, features, vector);
      const expected = user.reduce((sum, value, d) => sum + value * vector[d], 0) + bias;
      expect(out[i]).toBeCloseTo(expected, 5);
    }

    // Without feature item vectors (a model exported before they existed) they are never ranked.
    const { featureItemVectors: _omitted, newItemBias: _bias, ...withoutContent } = older;
    const plain = servedModelScorer(
      { model: withoutContent, manifest: { itemIds: data.itemIds.slice(0, kept), vocabulary: data.vocabulary } },
      split.train,
    );
    expect(plain.mapping).toEqual({ knownItems: kept, contentItems: 0, unscoredItems: 5 });
    const unscored = new Float32Array(model.itemCount).fill(Number.NaN);
    plain.score(u, unscored);
    for (let i = kept; i < model.itemCount; i++) expect(unscored[i]).toBeNaN();
  });

  it('ranks by training interactions for the popularity baseline', () => {
    const out = new Float32Array(split.train.itemIds.length);
    popularityScorer(split.train)(0, out);
    const counts = new Float32Array(split.train.itemIds.length);
    for (const item of split.train.userItems) counts[item]++;
    expect(out).toEqual(counts);
  });
});

describe('decideGate', () => {
  const metrics = (ndcgAt10: number): GateMetrics => ({
    ndcgAt10,
    recallAt10: 0.2,
    coverageAt10: 0.5,
    precisionAt10: 0.1,
    hrAt10: 0.4,
    mapAt10: 0.1,
    users: 50,
  });
  const base: GateInput = {
    interactions: 5000,
    minInteractions: 1000,
    tolerance: 0.01,
    epochs: 10,
    gateUsers: 50,
    candidate: metrics(0.3),
    served: { kind: 'loaded', version: 'v1', metrics: metrics(0.305) },
  };

  it('passes a candidate within the tolerance of the served model, including exactly at it', () => {
    expect(decideGate(base).passed).toBe(true);
    expect(decideGate({ ...base, candidate: metrics(0.295) }).passed).toBe(true);
    expect(decideGate({ ...base, candidate: metrics(0.5) }).reasons[0]).toMatch(/not worse than the served model/);
  });

  it('rejects a candidate worse than the served model by more than the tolerance', () => {
    const decision = decideGate({ ...base, candidate: metrics(0.29) });
    expect(decision.passed).toBe(false);
    expect(decision.reasons[0]).toMatch(/^worse than the served model: candidate nDCG@10 0.2900 vs 0.3050/);
  });

  it('publishes the first model, and replaces a served model that cannot be read', () => {
    expect(decideGate({ ...base, served: { kind: 'none' } })).toMatchObject({
      passed: true,
      reasons: [expect.stringMatching(/first model/)],
    });
    expect(decideGate({ ...base, candidate: metrics(0.01), served: { kind: 'unreadable', reason: 'sha256 mismatch' } }).passed).toBe(true);
  });

  it('never passes too little data, no gate set, no epoch, non-finite parameters or metrics, or an unevaluated served model', () => {
    const rejected = (input: Partial<GateInput>) => decideGate({ ...base, served: { kind: 'none' }, ...input });
    expect(rejected({ interactions: 999 })).toMatchObject({
      passed: false,
      reasons: [expect.stringMatching(/999 interactions, fewer than the minimum of 1000/)],
    });
    expect(rejected({ gateUsers: 0 }).passed).toBe(false);
    expect(rejected({ epochs: 0 }).passed).toBe(false);
    expect(rejected({ nonFinite: 'itemBias[3] = NaN' }).reasons[0]).toMatch(/non-finite parameters \(itemBias\[3\] = NaN\)/);
    expect(rejected({ candidate: metrics(Number.NaN) }).passed).toBe(false);
    expect(rejected({ candidate: undefined }).passed).toBe(false);
    expect(decideGate({ ...base, served: { kind: 'loaded', version: 'v1' } }).passed).toBe(false);
    // Every failed check is named.
    expect(rejected({ interactions: 10, epochs: 0 }).reasons).toHaveLength(2);
  });
});

describe('firstNonFinite', () => {
  it('finds a NaN or infinity anywhere in the model, the rating head included', () => {
    const { data } = demoTrainingData({ seed: 3, items: 40, users: 30 });
    const { model } = trainModel(data, {
      seed: 1,
      ranking: { dim: 4, maxEpochs: 2, validationFraction: 0 },
      rating: { dim: 2, epochs: 1, ensembleSize: 1 },
    });
    expect(firstNonFinite(model)).toBeUndefined();
    const head = model.rating;
    if (!head) throw new Error('the demo data has ratings');
    const factors = head.itemFactors.slice();
    factors[7] = Number.POSITIVE_INFINITY;
    expect(firstNonFinite({ ...model, rating: { ...head, itemFactors: factors } })).toBe('rating.itemFactors[7] = Infinity');
    expect(firstNonFinite({ ...model, newItemBias: Number.NaN })).toBe('newItemBias = NaN');
  });
});
