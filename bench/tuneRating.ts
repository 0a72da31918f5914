// Tunes the explicit-rating head on a validation split of MovieLens 100K u1.base, and reports the
// five-fold test RMSE of the defaults. Prints figures; asserts nothing.
//
//   node infra/cli/run-ts.mjs bench/tuneRating.ts                 coordinate search on the validation split
//   node infra/cli/run-ts.mjs bench/tuneRating.ts --set dim=100,epochs=80    one configuration on it
//   node infra/cli/run-ts.mjs bench/tuneRating.ts --set dim=100 --search [--only dim,initStd]
//                                                 the search from that start, over some keys only
//   node infra/cli/run-ts.mjs bench/tuneRating.ts --fixed [--set …]   the defaults as they are (fixed
//                                                 epochs, no early stopping) on the validation split
//   node infra/cli/run-ts.mjs bench/tuneRating.ts --folds [--set …]          u1…u5 test RMSE (defaults)
//
// The search never reads a uN.test file: it trains on 90 % of u1.base (random, seeded) and measures
// the other 10 % with early stopping; `epochs` of a result is the best validation epoch.
// The datasets folder is MARQUEE_DATASETS, or ../shared/datasets from the project root.
import { resolve } from 'node:path';
import {
  DEFAULT_RATING_HYPER_PARAMETERS,
  ratingRmse,
  trainRatingModel,
  type RatingHyperParameters,
  type RatingModel,
} from '../model/rating/index.ts';
import type { TrainingData } from '../model/types/trainingData.ts';
import { ratingTrainingData, readRatingsTsv, splitRatingRows } from '../test/helpers/ratingsTsv.ts';

type Config = RatingHyperParameters;
type Key = keyof RatingHyperParameters;

const VALIDATION_FRACTION = 0.1;
const SPLIT_SEED = 20240601;
const TRAIN_SEED = 1;

/** Candidate values per hyper-parameter, visited in this order, in each round of the search. */
const SEARCH_SPACE: Partial<Record<Key, readonly number[]>> = {
  factorRegularization: [0.03, 0.05, 0.08, 0.1, 0.12, 0.15],
  historyRegularization: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
  biasRegularization: [0.005, 0.01, 0.02, 0.05, 0.1],
  learningRate: [0.005, 0.007, 0.01, 0.015],
  historyLearningRate: [0.003, 0.005, 0.007, 0.01, 0.015, 0.02, 0.03],
  biasLearningRate: [0.003, 0.005, 0.007, 0.01, 0.015],
  learningRateDecay: [0.9, 0.95, 0.97, 0.98, 0.99],
  initStd: [0.01, 0.05, 0.1],
  dim: [20, 50, 100, 200],
};
const ROUNDS = 2;

const datasets = process.env.MARQUEE_DATASETS ?? resolve('../shared/datasets');
const args = process.argv.slice(2);
const setArg = args.indexOf('--set');
const overrides = setArg >= 0 ? parseSet(args[setArg + 1] ?? '') : {};
const start: Config = { ...DEFAULT_RATING_HYPER_PARAMETERS, ...overrides };

const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',') : undefined;

if (args.includes('--folds')) folds(start);
else if (args.includes('--fixed')) fixed(start);
else if (setArg >= 0 && !args.includes('--search')) {
  const { train, validation } = validationSplit();
  console.log(JSON.stringify(evaluate(start, train, validation)));
} else search(start);

function parseSet(text: string): Partial<Config> {
  const out: Record<string, number> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!(key in DEFAULT_RATING_HYPER_PARAMETERS)) throw new Error(`unknown hyper-parameter ${key}`);
    out[key] = Number(value);
  }
  return out as Partial<Config>;
}

function validationSplit(): { train: TrainingData; validation: TrainingData } {
  const rows = readRatingsTsv(`${datasets}/ml-100k/u1.base`);
  const [trainRows, validationRows] = splitRatingRows(rows, VALIDATION_FRACTION, SPLIT_SEED);
  const [train, validation] = ratingTrainingData([trainRows, validationRows]);
  return { train, validation };
}

interface Result {
  readonly config: Config;
  readonly validationRmse: number;
  readonly bestEpoch: number;
  readonly seconds: number;
}

/** Trains with early stopping (patience 10 over at most 200 epochs) and reports the best epoch. */
function evaluate(config: Config, train: TrainingData, validation: TrainingData): Result {
  const bestRmse: number[] = [];
  const bestEpoch: number[] = [];
  const began = performance.now();
  const model = trainRatingModel(train, {
    ...config,
    epochs: 200,
    patience: 10,
    seed: TRAIN_SEED,
    validation,
    onEpoch: ({ member, epoch, validationRmse = Infinity }) => {
      if (process.env.TRACE) console.log(member, epoch, validationRmse.toFixed(5));
      if (!(validationRmse >= bestRmse[member])) {
        bestRmse[member] = validationRmse;
        bestEpoch[member] = epoch;
      }
    },
  });
  const seconds = (performance.now() - began) / 1000;
  const epochs = Math.max(...bestEpoch);
  return { config: { ...config, epochs }, validationRmse: ratingRmse(model, validation), bestEpoch: epochs, seconds };
}

function search(initial: Config): void {
  const { train, validation } = validationSplit();
  const cache = new Map<string, Result>();
  const run = (config: Config): Result => {
    const key = JSON.stringify({ ...config, epochs: 0, patience: 0 });
    let result = cache.get(key);
    if (result === undefined) {
      result = evaluate(config, train, validation);
      cache.set(key, result);
      const changed = Object.entries(config).filter(([k, v]) => v !== DEFAULT_RATING_HYPER_PARAMETERS[k as Key]);
      console.log(
        `rmse ${result.validationRmse.toFixed(5)}  epoch ${String(result.bestEpoch).padStart(3)}  ` +
          `${result.seconds.toFixed(1).padStart(5)} s  ${changed.map(([k, v]) => `${k}=${v}`).join(',')}`,
      );
    }
    return result;
  };
  let best = run(initial);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [key, values] of Object.entries(SEARCH_SPACE) as [Key, readonly number[]][]) {
      if (only !== undefined && !only.includes(key)) continue;
      for (const value of values) {
        const result = run({ ...best.config, [key]: value });
        if (result.validationRmse < best.validationRmse) best = result;
      }
    }
    console.log(`round ${round} best ${best.validationRmse.toFixed(5)} ${JSON.stringify(best.config)}`);
  }
}

/** The exported head alone (b_u = 0, p_u = 0), fed each user's training history. */
function historyOnly(model: RatingModel): RatingModel {
  return { ...model, userBias: new Float32Array(model.userCount), userFactors: new Float32Array(model.userFactors.length) };
}

function fixed(config: Config): void {
  const { train, validation } = validationSplit();
  const began = performance.now();
  const model = trainRatingModel(train, { ...config, seed: TRAIN_SEED });
  const seconds = (performance.now() - began) / 1000;
  console.log(`defaults ${JSON.stringify(config)}`);
  console.log(
    `validation RMSE ${ratingRmse(model, validation).toFixed(5)}  ` +
      `history-only head ${ratingRmse(historyOnly(model), validation).toFixed(5)}  train ${seconds.toFixed(1)} s`,
  );
}

function folds(config: Config): void {
  console.log(`defaults ${JSON.stringify(config)}`);
  const rmses: number[] = [];
  let totalSeconds = 0;
  for (let fold = 1; fold <= 5; fold++) {
    const [train, test] = ratingTrainingData([
      readRatingsTsv(`${datasets}/ml-100k/u${fold}.base`),
      readRatingsTsv(`${datasets}/ml-100k/u${fold}.test`),
    ]);
    const began = performance.now();
    const model = trainRatingModel(train, { ...config, seed: TRAIN_SEED });
    const seconds = (performance.now() - began) / 1000;
    const rmse = ratingRmse(model, test);
    const headRmse = ratingRmse(historyOnly(model), test);
    rmses.push(rmse);
    totalSeconds += seconds;
    console.log(`u${fold}  test RMSE ${rmse.toFixed(4)}  history-only head ${headRmse.toFixed(4)}  train ${seconds.toFixed(1)} s`);
  }
  const mean = rmses.reduce((a, b) => a + b, 0) / rmses.length;
  console.log(`mean test RMSE ${mean.toFixed(4)}  total train ${totalSeconds.toFixed(1)} s`);
}
