import { sampleUsers } from '../../model/data/sampleUsers.ts';
import { splitPerUser } from '../../model/data/splitPerUser.ts';
import { evaluateRanking } from '../../model/eval/evaluateRanking.ts';
import type { ModelManifest } from '../../model/onnx/manifest.ts';
import { newItemVector } from '../../model/recommender/newItemVector.ts';
import { scoreItems, userVector } from '../../model/recommender/scoreHistory.ts';
import type { ScoringModel } from '../../model/types/scoringModel.ts';
import type { TrainingData } from '../../model/types/trainingData.ts';

/**
 * The quality gate: a candidate model and the served one are evaluated on the same held-out
 * interactions — the newest share of each user's — with the same protocol (evaluateRanking: each
 * user's earlier interactions are the history, the items they already have are excluded, only
 * items with a training interaction are ranked), and the candidate is published only if it is not
 * worse by more than a tolerance.
 */

/** Share of each user's interactions held out as the gate set: the newest ones. */
export const GATE_FRACTION = 0.1;

export interface GateSplit {
  /** Every user's interactions but the held-out newest ones: what the candidate trains on. */
  readonly train: TrainingData;
  /** The held-out interactions of the evaluated users (other users have no rows here). */
  readonly gate: TrainingData;
  /** Users with held-out interactions. */
  readonly gateUsers: number;
  /** Of those, the users evaluated (all, or a fixed-seed sample of maxUsers). */
  readonly evaluatedUsers: number;
  readonly gateInteractions: number;
}

/**
 * Holds out the newest GATE_FRACTION of each user's interactions (splitPerUser 'newest': users
 * with one interaction stay wholly in train) and keeps, when more users have held-out rows than
 * `maxUsers`, a fixed-seed sample of them, since evaluating costs users × items × dim per model.
 */
export function splitGate(data: TrainingData, options: { maxUsers: number; seed: number }): GateSplit {
  const { train, validation } = splitPerUser(data, GATE_FRACTION, 'newest');
  const userCount = validation.userIds.length;
  const withRows: number[] = [];
  for (let u = 0; u < userCount; u++) if (validation.userOffsets[u + 1] > validation.userOffsets[u]) withRows.push(u);
  const gateInteractions = validation.userItems.length;
  if (withRows.length <= options.maxUsers) {
    return { train, gate: validation, gateUsers: withRows.length, evaluatedUsers: withRows.length, gateInteractions };
  }
  return {
    train,
    gate: sampleUsers(validation, options.maxUsers, options.seed),
    gateUsers: withRows.length,
    evaluatedUsers: options.maxUsers,
    gateInteractions,
  };
}

/** Ranking metrics at 10 on the gate set (evaluateRanking's, under stable names). */
export interface GateMetrics {
  readonly ndcgAt10: number;
  readonly recallAt10: number;
  readonly coverageAt10: number;
  readonly precisionAt10: number;
  readonly hrAt10: number;
  readonly mapAt10: number;
  readonly users: number;
}

/** Writes user u's score of every item of `split.train` into `out` (NaN: never ranked). */
export type GateScorer = (user: number, out: Float32Array) => void;

export function evaluateOnGate(split: GateSplit, score: GateScorer): GateMetrics {
  const m = evaluateRanking({ train: split.train, test: split.gate, score });
  return {
    ndcgAt10: m.ndcgAt10,
    recallAt10: m.recallAt10,
    coverageAt10: m.coverageAt10,
    precisionAt10: m.precisionAt10,
    hrAt10: m.hrAt10,
    mapAt10: m.mapAt10,
    users: m.users,
  };
}

/** The candidate: its user vector from the user's training interactions, every item scored. */
export function candidateScorer(model: ScoringModel, train: TrainingData): GateScorer {
  const user = new Float32Array(model.dim);
  const none = new Int32Array(0);
  return (u, out) => {
    const from = train.userOffsets[u];
    const to = train.userOffsets[u + 1];
    userVector(model, train.userItems.subarray(from, to), train.userWeights.subarray(from, to), none, user);
    scoreItems(model, user, out);
  };
}

/** What mapping the served model onto the new item index found. */
export interface ServedMapping {
  /** Items of the new index the served model holds. */
  readonly knownItems: number;
  /** Items it does not hold but scores from their content features, as serving scores new titles. */
  readonly contentItems: number;
  /** Items it cannot score at all (never ranked for it). */
  readonly unscoredItems: number;
}

/**
 * The served model, scored as serving would score it today: a user's history is the user's training
 * interactions mapped from the new item index onto the served model's by item id (items it does not
 * hold are left out); items it holds get its scores; items it does not hold (new titles since) get
 * their content-feature score (newItemVector over the features it knows) when the model carries
 * feature item vectors, and are never ranked otherwise.
 */
export function servedModelScorer(
  served: { readonly model: ScoringModel; readonly manifest: Pick<ModelManifest, 'itemIds' | 'vocabulary'> },
  train: TrainingData,
): { score: GateScorer; mapping: ServedMapping } {
  const { model, manifest } = served;
  const { dim } = model;
  const servedIndex = new Map<string, number>();
  manifest.itemIds.forEach((id, i) => servedIndex.set(id, i));
  const servedFeature = new Map<string, number>();
  manifest.vocabulary.forEach((name, f) => servedFeature.set(name, f));

  const itemCount = train.itemIds.length;
  const toServed = new Int32Array(itemCount).fill(-1);
  /** Row of each content-scored item in `contentVectors`, -1 for the others. */
  const contentRow = new Int32Array(itemCount).fill(-1);
  const canScoreContent = model.featureItemVectors !== undefined && model.newItemBias !== undefined;
  const coldItems: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    const s = servedIndex.get(train.itemIds[i]);
    if (s !== undefined && s < model.itemCount) toServed[i] = s;
    else if (canScoreContent) coldItems.push(i);
  }
  const contentVectors = new Float32Array(coldItems.length * dim);
  const contentBias = new Float32Array(coldItems.length);
  const vector = new Float32Array(dim);
  coldItems.forEach((i, row) => {
    const features: number[] = [];
    for (let p = train.itemFeatureOffsets[i]; p < train.itemFeatureOffsets[i + 1]; p++) {
      const f = servedFeature.get(train.vocabulary[train.itemFeatures[p]]);
      if (f !== undefined && f < model.featureCount) features.push(f);
    }
    contentBias[row] = newItemVector(model, Int32Array.from(features), vector);
    contentVectors.set(vector, row * dim);
    contentRow[i] = row;
  });

  let longest = 0;
  for (let u = 0; u + 1 < train.userOffsets.length; u++) longest = Math.max(longest, train.userOffsets[u + 1] - train.userOffsets[u]);
  const historyItems = new Int32Array(longest);
  const historyWeights = new Float32Array(longest);
  const none = new Int32Array(0);
  const user = new Float32Array(dim);
  const servedScores = new Float32Array(model.itemCount);
  const score: GateScorer = (u, out) => {
    let n = 0;
    for (let r = train.userOffsets[u]; r < train.userOffsets[u + 1]; r++) {
      const s = toServed[train.userItems[r]];
      if (s < 0) continue;
      historyItems[n] = s;
      historyWeights[n] = train.userWeights[r];
      n++;
    }
    userVector(model, historyItems.subarray(0, n), historyWeights.subarray(0, n), none, user);
    scoreItems(model, user, servedScores);
    for (let i = 0; i < itemCount; i++) {
      const s = toServed[i];
      if (s >= 0) {
        out[i] = servedScores[s];
        continue;
      }
      const row = contentRow[i];
      if (row < 0) continue; // left NaN: never ranked
      const offset = row * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += user[d] * contentVectors[offset + d];
      out[i] = dot + contentBias[row];
    }
  };
  const knownItems = toServed.reduce((count, s) => count + (s >= 0 ? 1 : 0), 0);
  return { score, mapping: { knownItems, contentItems: coldItems.length, unscoredItems: itemCount - knownItems - coldItems.length } };
}

/** The popularity baseline: every user gets the items with the most training interactions. */
export function popularityScorer(train: TrainingData): GateScorer {
  const counts = new Float32Array(train.itemIds.length);
  for (let r = 0; r < train.userItems.length; r++) counts[train.userItems[r]]++;
  return (_u, out) => out.set(counts);
}

export interface GateInput {
  /** Positive (user, item) interactions in the data, gate set included. */
  readonly interactions: number;
  readonly minInteractions: number;
  readonly tolerance: number;
  /** Ranking epochs the candidate was trained for (0: none, e.g. no time left). */
  readonly epochs: number;
  /** Undefined when every model parameter is finite; else where the first bad one is. */
  readonly nonFinite?: string;
  /** Users with held-out interactions. */
  readonly gateUsers: number;
  readonly candidate?: GateMetrics;
  readonly served:
    | { readonly kind: 'none' }
    | { readonly kind: 'unreadable'; readonly reason: string }
    /** `metrics` absent: the served model could not be evaluated (no candidate was). */
    | { readonly kind: 'loaded'; readonly version: string; readonly metrics?: GateMetrics };
}

export interface GateDecision {
  readonly passed: boolean;
  /** Why, in words: every failed check when rejected, the deciding comparison when passed. */
  readonly reasons: readonly string[];
}

/**
 * Publish only when: there are at least `minInteractions` interactions; the candidate trained at
 * least one epoch; every parameter is finite; it was evaluated on a non-empty gate set with finite
 * metrics; and its nDCG@10 is at least the served model's minus `tolerance`. With no served model
 * (or one that cannot be read, which serving cannot load either) the checks before the comparison
 * decide alone: the first model is published.
 */
export function decideGate(input: GateInput): GateDecision {
  const failures: string[] = [];
  if (input.interactions < input.minInteractions) {
    failures.push(`${input.interactions} interactions, fewer than the minimum of ${input.minInteractions} (RETRAIN_MIN_INTERACTIONS)`);
  }
  if (input.gateUsers === 0 && input.interactions > 0) failures.push('no gate set: no user has two or more interactions to hold one out');
  if (input.epochs < 1) failures.push('the candidate was not trained for a single epoch');
  if (input.nonFinite !== undefined) failures.push(`the candidate has non-finite parameters (${input.nonFinite})`);
  const candidate = input.candidate;
  if (candidate && !Object.values(candidate).every(Number.isFinite)) failures.push("the candidate's gate metrics are not finite");
  if (failures.length > 0 || !candidate) {
    return { passed: false, reasons: failures.length > 0 ? failures : ['the candidate was not evaluated'] };
  }
  const ndcg = candidate.ndcgAt10.toFixed(4);
  switch (input.served.kind) {
    case 'none':
      return { passed: true, reasons: [`first model: none is published (candidate nDCG@10 ${ndcg})`] };
    case 'unreadable':
      return { passed: true, reasons: [`the served model cannot be read (${input.served.reason}); candidate nDCG@10 ${ndcg}`] };
    case 'loaded': {
      const current = input.served.metrics?.ndcgAt10;
      if (current === undefined || !Number.isFinite(current)) {
        return { passed: false, reasons: [`the served model ${input.served.version} could not be evaluated on the gate set`] };
      }
      const comparison = `candidate nDCG@10 ${ndcg} vs ${current.toFixed(4)} of the served model ${input.served.version} (tolerance ${input.tolerance})`;
      if (!(candidate.ndcgAt10 >= current - input.tolerance))
        return { passed: false, reasons: [`worse than the served model: ${comparison}`] };
      return { passed: true, reasons: [`not worse than the served model: ${comparison}`] };
    }
  }
}

/** Where the first non-finite number of a model is, or undefined when all are finite. */
export function firstNonFinite(model: ScoringModel): string | undefined {
  const arrays: [string, Float32Array | undefined][] = [
    ['historyVectors', model.historyVectors],
    ['preferenceVectors', model.preferenceVectors],
    ['itemVectors', model.itemVectors],
    ['itemBias', model.itemBias],
    ['featureItemVectors', model.featureItemVectors],
    ['rating.itemBias', model.rating?.itemBias],
    ['rating.itemFactors', model.rating?.itemFactors],
    ['rating.historyFactors', model.rating?.historyFactors],
  ];
  for (const [name, values] of arrays) {
    if (!values) continue;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return `${name}[${i}] = ${values[i]}`;
  }
  const scalars: [string, number | undefined][] = [
    ['historyExponent', model.historyExponent],
    ['preferenceWeight', model.preferenceWeight],
    ['newItemBias', model.newItemBias],
    ['rating.globalMean', model.rating?.globalMean],
  ];
  for (const [name, value] of scalars) if (value !== undefined && !Number.isFinite(value)) return `${name} = ${value}`;
  return undefined;
}
