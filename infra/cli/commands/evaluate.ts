import {
  buildTrainingData,
  clampRating,
  evaluateRanking,
  evaluateRating,
  predictRating,
  readRatingsFile,
  scoreItems,
  trainModel,
  trainRatingModel,
  userVector,
  type InteractionTable,
  type RatingModel,
  type TrainingData,
} from '../../../model/index.ts';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { objectiveOption, optionalNumber, parseOptions, required } from '../parseOptions.ts';
import { Progress } from '../progress.ts';
import { readTrainingFiles } from '../readTrainingFiles.ts';

export const EVALUATE_COMMAND = {
  name: 'evaluate',
  usage:
    'marquee evaluate --protocol ranking|rating --train <file> --test <file> [--items <file>] [--seed N] [--objective full|sampled|auto] [--json]',
  summary:
    'Trains on --train and evaluates on --test: ranking → precision, recall, nDCG, MAP, HR and coverage at 10 (and trainSeconds); rating → RMSE and MAE.',
  options: {
    protocol: { type: 'string', value: 'ranking|rating', description: 'what to measure (required)', example: 'ranking' },
    train: {
      type: 'string',
      value: '<file>',
      description: 'training ratings: u.data TSV, ratings.csv or NDJSON events (required)',
      example: 'ml-100k-ranking/train.tsv',
    },
    test: { type: 'string', value: '<file>', description: 'test ratings, same formats (required)', example: 'ml-100k-ranking/test.tsv' },
    items: {
      type: 'string',
      value: '<file>',
      description: 'title metadata for content features: u.item or movies.csv',
      example: 'ml-100k/u.item',
    },
    seed: SHARED_OPTIONS.seed,
    objective: SHARED_OPTIONS.objective,
    json: SHARED_OPTIONS.json,
  },
  examples: [
    'npx marquee evaluate --protocol ranking --train ml-100k-ranking/train.tsv --test ml-100k-ranking/test.tsv --items ml-100k/u.item --json',
    'npx marquee evaluate --protocol rating --train ml-100k/u1.base --test ml-100k/u1.test',
  ],
} as const satisfies CommandSpec;

/**
 * Trains on --train and evaluates on --test with the protocols of the datasets README:
 * ranking → precision/recall/nDCG/MAP/HR/coverage at 10; rating → RMSE and MAE.
 */
export async function evaluateCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, EVALUATE_COMMAND.options);
  const protocol = required(values, 'protocol');
  if (protocol !== 'ranking' && protocol !== 'rating') throw new CliUsageError(`--protocol must be ranking or rating, got ${protocol}`);
  const seed = optionalNumber(values, 'seed');
  const progress = new Progress(values.json === true);
  const [{ data: train }, testTable] = await Promise.all([
    readTrainingFiles(required(values, 'train'), values.items),
    readRatingsFile(required(values, 'test')),
  ]);

  const result =
    protocol === 'ranking'
      ? evaluateRankingProtocol(train, testTable, seed, objectiveOption(values), progress)
      : evaluateRatingProtocol(train, testTable, seed, progress);
  process.stdout.write(
    values.json
      ? `${JSON.stringify(result)}\n`
      : `${Object.entries(result)
          .map(([key, value]) => `${key.padEnd(14)} ${typeof value === 'number' ? value.toFixed(4) : value}`)
          .join('\n')}\n`,
  );
  return 0;
}

function evaluateRankingProtocol(
  train: TrainingData,
  testTable: InteractionTable,
  seed: number | undefined,
  objective: 'full' | 'sampled' | 'auto',
  progress: Progress,
) {
  const trained = trainModel(train, { seed, rating: false, ranking: { objective }, onRankingEpoch: progress.rankingEpoch });
  // Test items never seen in train still count as relevant (they can never be hit).
  const known = new Set(train.itemIds);
  const itemIds = [...train.itemIds, ...testTable.itemIds.filter((id) => !known.has(id))];
  const test = buildTrainingData(testTable, [], { itemIds, userIds: train.userIds });
  const { model } = trained;
  const user = new Float32Array(model.dim);
  const none = new Int32Array(0);
  const metrics = evaluateRanking({
    train,
    test,
    score: (u, out) => {
      const from = train.userOffsets[u];
      const to = train.userOffsets[u + 1];
      userVector(model, train.userItems.subarray(from, to), train.userWeights.subarray(from, to), none, user);
      scoreItems(model, user, out);
    },
  });
  return {
    precisionAt10: metrics.precisionAt10,
    recallAt10: metrics.recallAt10,
    ndcgAt10: metrics.ndcgAt10,
    mapAt10: metrics.mapAt10,
    hrAt10: metrics.hrAt10,
    coverageAt10: metrics.coverageAt10,
    trainSeconds: trained.trainSeconds,
    objective: trained.ranking.hyperParameters.objective,
    epochs: trained.ranking.epochs,
  };
}

function evaluateRatingProtocol(train: TrainingData, testTable: InteractionTable, seed: number | undefined, progress: Progress) {
  const started = performance.now();
  const rating = trainRatingModel(train, { seed, onEpoch: progress.ratingEpoch });
  const trainSeconds = (performance.now() - started) / 1000;
  // Every test row is predicted: unknown users or items fall back to the biases that are known.
  const userIndex = new Map(train.userIds.map((id, u) => [id, u]));
  const itemIndex = new Map(train.itemIds.map((id, i) => [id, i]));
  const users = new Int32Array(testTable.size);
  const items = new Int32Array(testTable.size);
  for (let r = 0; r < testTable.size; r++) {
    users[r] = userIndex.get(testTable.userIds[testTable.users[r]]) ?? -1;
    items[r] = itemIndex.get(testTable.itemIds[testTable.items[r]]) ?? -1;
  }
  const metrics = evaluateRating({
    test: { users, items, ratings: testTable.ratings },
    predict: (u, i) => predictWithFallback(rating, u, i),
  });
  return { rmse: metrics.rmse, mae: metrics.mae, trainSeconds };
}

function predictWithFallback(model: RatingModel, user: number, item: number): number {
  if (user >= 0 && item >= 0) return predictRating(model, user, item);
  const userBias = user >= 0 ? model.userBias[user] : 0;
  const itemBias = item >= 0 ? model.head.itemBias[item] : 0;
  return clampRating(model.head.globalMean + userBias + itemBias);
}
