// Tunes the ranking model (linear denoising autoencoder, full softmax) on a validation split of
// ml-100k-ranking/train.tsv, and measures the chosen defaults once on the real split. Prints
// figures; asserts nothing.
//
//   node infra/cli/run-ts.mjs bench/tuneRanking.ts [--grid name] [--part i/n] [--json]
//       trains each configuration of a named grid (see GRIDS; default 'defaults') on the validation
//       split, evaluating nDCG@10 / P@10 after every epoch; prints one line per configuration:
//       hyper-parameters, best validation nDCG@10 and the P@10 of that epoch, best epoch, seconds.
//       `--part i/n` runs every n-th configuration from the i-th (1-based), to share a grid between
//       two processes.
//   … --set lr=0.003,weightDecay=3,dim=128     one configuration (keys of Config below)
//   … --final [--set …]   ONCE, after choosing: trains on train.tsv (u.item features) and evaluates
//       on test.tsv, (a) for a fixed epoch count (`epochs=`), (b) with trainRecommender's own
//       validationFraction / refit early stopping (model defaults for fraction, patience, maxEpochs).
//   … --final-stopping [--set …]   (b) only.
//   … --check   the copied training loop against trainRecommender (2 epochs, must print Δ = 0).
//
// The search never reads test.tsv: each user's train.tsv rows are split 75/25 at random (seeded,
// splitPerUser, as the real split was made from u.data) into validation-train and validation-test,
// on the same user / item / feature indices, and scored with evaluateRanking as the real protocol.
// The training loop is a copy of trainRecommender's `fit` (same RNG draws, same kernels), because
// trainRecommender cannot be given an external validation set; `--check` verifies the copy gives
// bit-identical parameters to trainRecommender. The copy also carries a few experimental levers
// that the model does not have (see Config: weighting, userNorm, invertedDropout, ensemble, ema).
// The datasets folder is MARQUEE_DATASETS, or ../shared/datasets from the project root.
import { resolve } from 'node:path';
import { readItemsFile } from '../model/data/itemsFile.ts';
import { readRatingsFile } from '../model/data/ratingsFile.ts';
import { splitPerUser } from '../model/data/splitPerUser.ts';
import { buildTrainingData } from '../model/data/trainingData.ts';
import { evaluateRanking, type RankingEvaluation } from '../model/eval/evaluateRanking.ts';
import { Random } from '../model/random.ts';
import { Adam } from '../model/recommender/adam.ts';
import { DEFAULT_RECOMMENDER_HYPER_PARAMETERS, type RecommenderHyperParameters } from '../model/recommender/hyperParameters.ts';
import { MiniBatch } from '../model/recommender/miniBatch.ts';
import { RecommenderParameters } from '../model/recommender/recommenderParameters.ts';
import { scoreItems, userVector } from '../model/recommender/scoreHistory.ts';
import { softmaxGradient, SoftmaxWorkspace } from '../model/recommender/softmaxGradient.ts';
import { trainRecommender } from '../model/recommender/trainRecommender.ts';
import type { CatalogItem } from '../model/types/catalog.ts';
import type { ScoringModel } from '../model/types/scoringModel.ts';
import type { TrainingData } from '../model/types/trainingData.ts';

/** The model's hyper-parameters plus levers only this script has. */
interface Config extends RecommenderHyperParameters {
  /** Item features (genres, decade) from u.item, or no catalog at all. */
  readonly features: boolean;
  /** Interaction weights: 1 each (what the loaders give), or rating / mean rating. */
  readonly weighting: 'ones' | 'rating';
  /** Each user's target weights are divided by (Σ target weights)^userNorm (0: as the model). */
  readonly userNorm: number;
  /** Kept input weights are divided by (1 − historyDropout) while training (inverted dropout). */
  readonly invertedDropout: boolean;
  /** Models of seeds seed, seed+1, … whose scores are averaged (each at its own best epoch). */
  readonly ensemble: number;
  /**
   * Exponential moving average of the parameters over steps, p̄ ← ema·p̄ + (1 − ema)·p, evaluated and
   * returned instead of the last iterate (0: off). Smooths the last mini-batches' pull.
   */
  readonly ema: number;
}

const BASE: Config = {
  ...DEFAULT_RECOMMENDER_HYPER_PARAMETERS,
  maxEpochs: 80,
  patience: 8,
  validationFraction: 0,
  features: true,
  weighting: 'ones',
  userNorm: 0,
  invertedDropout: false,
  ensemble: 1,
  ema: 0,
};

const VALIDATION_FRACTION = 0.25;
const SPLIT_SEED = 20240607;

/** Named grids: lists of changes from BASE (later entries may build on the findings of earlier ones). */
const GRIDS: Record<string, readonly Partial<Config>[]> = {
  defaults: [{}],
  lr: [0.001, 0.002, 0.004, 0.007, 0.01].map((learningRate) => ({ learningRate })),
  wd: [0.3, 1, 3, 10].map((weightDecay) => ({ weightDecay })),
  dropout: [0.2, 0.35, 0.5, 0.65, 0.8].map((historyDropout) => ({ historyDropout })),
  targets: [{ targets: 'dropped' }, { targets: 'all' }],
  batch: [16, 32, 64, 128].map((batchUsers) => ({ batchUsers })),
  dim: [64, 128, 200].map((dim) => ({ dim })),
  beta: [0.3, 0.5, 0.75, 1].map((historyExponent) => ({ historyExponent })),
  init: [0.01, 0.05, 0.1].map((initScale) => ({ initScale })),
  features: [{ features: false }, { features: true }],
  ema: [0.99, 0.997].map((ema) => ({ ema })),
  extras: [{ weighting: 'rating' }, { userNorm: 0.5 }, { userNorm: 1 }, { invertedDropout: true }],
};

const datasets = process.env.MARQUEE_DATASETS ?? resolve('../shared/datasets');
const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const overrides = parseSet(option('--set') ?? '');

if (args.includes('--check')) await check();
else if (args.includes('--final')) await final({ ...BASE, ...overrides });
else if (args.includes('--final-stopping')) await final({ ...BASE, ...overrides }, true);
else await search(option('--grid') ?? 'defaults', option('--part'));

function parseSet(text: string): Partial<Config> {
  const out: Record<string, unknown> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (key === 'epochs') {
      out.maxEpochs = Number(value);
      continue;
    }
    if (!(key in BASE)) throw new Error(`unknown hyper-parameter ${key}`);
    const base = BASE[key as keyof Config];
    out[key] = typeof base === 'number' ? Number(value) : typeof base === 'boolean' ? value === 'true' || value === '1' : value;
  }
  return out as Partial<Config>;
}

// ---------------------------------------------------------------------------------------------
// Data

async function readCatalog(): Promise<CatalogItem[]> {
  return readItemsFile(`${datasets}/ml-100k/u.item`);
}

interface Split {
  readonly train: TrainingData;
  readonly test: TrainingData;
}

/** Validation split of train.tsv: 75/25 per user at random, same indices on both halves. */
async function validationSplit(features: boolean): Promise<Split> {
  const table = await readRatingsFile(`${datasets}/ml-100k-ranking/train.tsv`);
  const data = buildTrainingData(table, features ? await readCatalog() : []);
  const { train, validation } = splitPerUser(data, VALIDATION_FRACTION, new Random(SPLIT_SEED));
  return { train, test: validation };
}

/** The real split: train.tsv (+ u.item features) and test.tsv on train's indices. */
async function realSplit(features: boolean): Promise<Split> {
  const train = buildTrainingData(await readRatingsFile(`${datasets}/ml-100k-ranking/train.tsv`), features ? await readCatalog() : []);
  const test = buildTrainingData(await readRatingsFile(`${datasets}/ml-100k-ranking/test.tsv`), [], {
    itemIds: train.itemIds,
    userIds: train.userIds,
    vocabulary: train.vocabulary,
  });
  return { train, test };
}

/** `data` with rating-derived weights (rating / mean rating) when the config asks for them. */
function weighted(data: TrainingData, config: Config): TrainingData {
  if (config.weighting === 'ones') return data;
  let sum = 0;
  for (const r of data.userRatings) sum += r;
  const mean = sum / data.userRatings.length;
  return { ...data, userWeights: data.userRatings.map((r) => r / mean) };
}

// ---------------------------------------------------------------------------------------------
// Training (a copy of trainRecommender's fit, with per-epoch evaluation on an external set)

interface EpochScore {
  readonly epoch: number;
  readonly loss: number;
  readonly metrics: RankingEvaluation;
}

interface FitResult {
  readonly best: EpochScore;
  readonly model: ScoringModel;
  readonly history: readonly EpochScore[];
}

function fit(data: TrainingData, validation: TrainingData | undefined, config: Config, seed: number): FitResult {
  const hp = config;
  const itemCount = data.itemIds.length;
  const userCount = data.userIds.length;
  const featureCount = data.vocabulary.length;
  const rng = new Random(seed);
  const params = new RecommenderParameters(hp.dim, itemCount, featureCount);
  params.initialise(rng, hp.initScale);
  const grad = params.like();
  const optimiser = new Adam(params.values.length, hp.learningRate, hp.weightDecay);
  const batch = new MiniBatch(hp.batchUsers);
  const workspace = new SoftmaxWorkspace(hp.dim, itemCount, hp.batchUsers);
  const order = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) order[u] = u;
  const keep = hp.historyDropout;
  const keepEntry = (): boolean => rng.next() >= keep;
  const targetAll = hp.targets === 'all';
  const inputScale = hp.invertedDropout ? 1 / (1 - keep) : 1;
  const averaged = hp.ema > 0 ? new RecommenderParameters(hp.dim, itemCount, featureCount, params.values.slice()) : params;
  const scoring = (): ScoringModel =>
    averaged.toScoringModel(data.itemFeatureOffsets, data.itemFeatures, hp.historyExponent, hp.preferenceWeight);

  const history: EpochScore[] = [];
  let best: EpochScore | undefined;
  let bestModel: ScoringModel | undefined;
  for (let epoch = 1; epoch <= hp.maxEpochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < userCount; start += hp.batchUsers) {
      batch.clear();
      const end = Math.min(start + hp.batchUsers, userCount);
      for (let k = start; k < end; k++) {
        const u = order[k];
        const from = data.userOffsets[u];
        const to = data.userOffsets[u + 1];
        if (to > from) batch.addUser(data.userItems, data.userWeights, from, to, keepEntry, targetAll);
      }
      if (batch.count === 0) continue;
      adjustBatch(batch, inputScale, hp.userNorm);
      grad.values.fill(0);
      lossSum += softmaxGradient(params, data.itemFeatureOffsets, data.itemFeatures, batch, hp.historyExponent, workspace, grad);
      batches++;
      optimiser.apply(params.values, grad.values);
      if (averaged !== params) {
        const a = hp.ema;
        const mean = averaged.values;
        const current = params.values;
        for (let p = 0; p < mean.length; p++) mean[p] = a * mean[p] + (1 - a) * current[p];
      }
    }
    const loss = lossSum / Math.max(batches, 1);
    if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at epoch ${epoch}`);
    if (!validation) continue;
    const model = scoring();
    const entry: EpochScore = { epoch, loss, metrics: evaluate([model], data, validation) };
    history.push(entry);
    if (!best || entry.metrics.ndcgAt10 > best.metrics.ndcgAt10) {
      best = entry;
      bestModel = model;
    }
    if (epoch - best.epoch >= hp.patience) break;
  }
  const finalModel = scoring();
  return {
    best: best ?? { epoch: hp.maxEpochs, loss: NaN, metrics: undefined as unknown as RankingEvaluation },
    model: bestModel ?? finalModel,
    history,
  };
}

/** Inverted-dropout input scaling and per-user target normalisation, applied to a filled batch. */
function adjustBatch(batch: MiniBatch, inputScale: number, userNorm: number): void {
  if (inputScale !== 1) {
    const end = batch.inputOffsets[batch.count];
    for (let p = 0; p < end; p++) batch.inputWeights[p] *= inputScale;
  }
  if (userNorm !== 0) {
    for (let b = 0; b < batch.count; b++) {
      let total = 0;
      for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) total += batch.targetWeights[p];
      if (total <= 0) continue;
      const scale = 1 / total ** userNorm;
      for (let p = batch.targetOffsets[b]; p < batch.targetOffsets[b + 1]; p++) batch.targetWeights[p] *= scale;
    }
  }
}

/** evaluateRanking of the mean score of `models` (one model: the model's own scores). */
function evaluate(models: readonly ScoringModel[], train: TrainingData, test: TrainingData): RankingEvaluation {
  const none = new Int32Array(0);
  const users = models.map((m) => new Float32Array(m.dim));
  const member = new Float32Array(train.itemIds.length);
  return evaluateRanking({
    train,
    test,
    score: (u, out) => {
      const from = train.userOffsets[u];
      const to = train.userOffsets[u + 1];
      const items = train.userItems.subarray(from, to);
      const weights = train.userWeights.subarray(from, to);
      for (let m = 0; m < models.length; m++) {
        userVector(models[m], items, weights, none, users[m]);
        if (m === 0) scoreItems(models[m], users[m], out);
        else {
          scoreItems(models[m], users[m], member);
          for (let i = 0; i < out.length; i++) out[i] += member[i];
        }
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Modes

interface Row {
  readonly config: Partial<Config>;
  readonly ndcgAt10: number;
  readonly precisionAt10: number;
  readonly epochs: number;
  /** Best 3-epoch moving average of nDCG@10 (less noisy than the best single epoch). */
  readonly smoothedNdcgAt10: number;
  readonly seconds: number;
  readonly members?: readonly number[];
}

async function search(gridName: string, part: string | undefined): Promise<void> {
  const grid = GRIDS[gridName];
  if (!grid) throw new Error(`unknown grid ${gridName}; known: ${Object.keys(GRIDS).join(', ')}`);
  const [index, parts] = part ? part.split('/').map(Number) : [1, 1];
  const splits = new Map<boolean, Split>();
  for (let c = index - 1; c < grid.length; c += parts) {
    const change = { ...grid[c], ...overrides };
    const config: Config = { ...BASE, ...change };
    let split = splits.get(config.features);
    if (!split) {
      split = await validationSplit(config.features);
      splits.set(config.features, split);
    }
    const train = weighted(split.train, config);
    const began = performance.now();
    const fits: FitResult[] = [];
    for (let m = 0; m < config.ensemble; m++) fits.push(fit(train, split.test, config, config.seed + m));
    const metrics =
      fits.length === 1
        ? fits[0].best.metrics
        : evaluate(
            fits.map((f) => f.model),
            train,
            split.test,
          );
    const row: Row = {
      config: change,
      ndcgAt10: round(metrics.ndcgAt10),
      precisionAt10: round(metrics.precisionAt10),
      epochs: Math.max(...fits.map((f) => f.best.epoch)),
      smoothedNdcgAt10: round(smoothed(fits[0].history)),
      seconds: round((performance.now() - began) / 1000, 1),
      ...(fits.length > 1 ? { members: fits.map((f) => round(f.best.metrics.ndcgAt10)) } : {}),
    };
    if (json) console.log(JSON.stringify(row));
    else {
      console.log(
        `nDCG ${row.ndcgAt10.toFixed(4)}  smooth ${row.smoothedNdcgAt10.toFixed(4)}  P ${row.precisionAt10.toFixed(4)}  epoch ${String(row.epochs).padStart(3)}  ` +
          `${row.seconds.toFixed(1).padStart(6)} s  ${JSON.stringify(change)}` +
          (row.members ? `  members ${row.members.join(' ')}` : ''),
      );
      const curve = fits[0].history.map((h) => h.metrics.ndcgAt10.toFixed(3)).join(' ');
      console.log(`   curve ${curve}`);
    }
  }
}

/** Trains on the real train.tsv and evaluates on test.tsv: fixed epochs, then trainRecommender's early stopping. */
async function final(config: Config, stoppingOnly = false): Promise<void> {
  const split = await realSplit(config.features);
  const train = weighted(split.train, config);
  const report = (label: string, model: ScoringModel | readonly ScoringModel[], seconds: number, epochs: number): void => {
    const m = evaluate(Array.isArray(model) ? model : [model as ScoringModel], train, split.test);
    const figures = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k === 'users' ? v : round(v)]));
    console.log(JSON.stringify({ run: label, epochs, seconds: round(seconds, 1), ...figures }));
  };
  const { features, weighting, userNorm, invertedDropout, ensemble, ema, ...hyperParameters } = config;
  console.log(JSON.stringify({ hyperParameters, features, weighting, userNorm, invertedDropout, ensemble, ema }));
  const model = weighting === 'ones' && userNorm === 0 && !invertedDropout && ema === 0 && ensemble === 1;

  // (a) fixed epoch count, no validation.
  let began = performance.now();
  if (stoppingOnly) {
    // (b) only.
  } else if (model) {
    const trained = trainRecommender(train, { hyperParameters: { ...hyperParameters, validationFraction: 0 } });
    report('fixed-epochs trainRecommender', trained.model, (performance.now() - began) / 1000, trained.epochs);
  } else {
    const fits = Array.from({ length: ensemble }, (_, m) => fit(train, undefined, config, config.seed + m));
    report(
      `fixed-epochs copy x${ensemble}`,
      fits.map((f) => f.model),
      (performance.now() - began) / 1000,
      config.maxEpochs,
    );
  }
  if (!model) return;

  // (b) trainRecommender's own early stopping on 10 % of train, then refit on all of it.
  began = performance.now();
  const stopped = trainRecommender(train, {
    hyperParameters: {
      ...hyperParameters,
      validationFraction: DEFAULT_RECOMMENDER_HYPER_PARAMETERS.validationFraction,
      patience: DEFAULT_RECOMMENDER_HYPER_PARAMETERS.patience,
      maxEpochs: DEFAULT_RECOMMENDER_HYPER_PARAMETERS.maxEpochs,
      refit: true,
    },
  });
  report(
    `early-stopping+refit (val nDCG ${round(stopped.validationNdcgAt10 ?? NaN)})`,
    stopped.model,
    (performance.now() - began) / 1000,
    stopped.epochs,
  );
}

/** The copied loop must give exactly trainRecommender's parameters for the same settings. */
async function check(): Promise<void> {
  const { train } = await validationSplit(true);
  const config: Config = { ...BASE, maxEpochs: 2, ...overrides };
  const { features, weighting, userNorm, invertedDropout, ensemble, ema, ...hyperParameters } = config;
  void features, weighting, userNorm, invertedDropout, ensemble, ema;
  const theirs = trainRecommender(train, { hyperParameters: { ...hyperParameters, validationFraction: 0 } }).model;
  const ours = fit(train, undefined, config, config.seed).model;
  // trainRecommender re-represents items without interactions by their content afterwards; those are
  // never ranked by evaluateRanking, so only items seen in train are compared.
  const seen = new Uint8Array(ours.itemCount);
  for (const item of train.userItems) seen[item] = 1;
  let maxDiff = 0;
  for (let i = 0; i < ours.itemCount; i++) {
    if (!seen[i]) continue;
    maxDiff = Math.max(maxDiff, Math.abs(ours.itemBias[i] - theirs.itemBias[i]));
    for (const key of ['historyVectors', 'itemVectors'] as const) {
      for (let c = 0; c < ours.dim; c++) maxDiff = Math.max(maxDiff, Math.abs(ours[key][i * ours.dim + c] - theirs[key][i * ours.dim + c]));
    }
  }
  console.log(`copy vs trainRecommender after ${config.maxEpochs} epochs, items seen in train: max |Δ| = ${maxDiff}`);
}

function smoothed(history: readonly EpochScore[]): number {
  let best = history.length > 0 ? history[0].metrics.ndcgAt10 : NaN;
  for (let e = 2; e < history.length; e++) {
    best = Math.max(best, (history[e - 2].metrics.ndcgAt10 + history[e - 1].metrics.ndcgAt10 + history[e].metrics.ndcgAt10) / 3);
  }
  return best;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
