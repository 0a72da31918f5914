// Tunes trainRecommender as it runs (its own early stopping on a validation share, then refit)
// on a validation split of ml-100k-ranking/train.tsv. Prints figures; asserts nothing.
//
//   node infra/cli/run-ts.mjs bench/tuneObjective.ts '{"objective":"sampled","sampledLearningRate":0.04}' [more configs…]
//
// Each argument is a JSON object of hyper-parameters (RecommenderHyperParameters, defaults for the
// rest). Like bench/tuneRanking.ts, the search never reads test.tsv: each user's train.tsv rows are
// split 75/25 (splitPerUser, seed 20240607) into validation-train and validation-test. One JSON line
// per configuration: {hp, ndcg (validation-test nDCG@10), epochs (chosen), run (epochs run),
// val (trainRecommender's own validation nDCG@10), secs (wall), cpu (process CPU seconds)}.
// The datasets folder is MARQUEE_DATASETS, or ../shared/datasets from the project root.
import { join, resolve } from 'node:path';
import { buildTrainingData, readItemsFile, readRatingsFile, splitPerUser } from '../model/data/index.ts';
import { evaluateRanking } from '../model/eval/evaluateRanking.ts';
import { Random } from '../model/random.ts';
import { BlockScorer } from '../model/recommender/blockScorer.ts';
import type { RecommenderHyperParameters } from '../model/recommender/hyperParameters.ts';
import { trainRecommender } from '../model/recommender/trainRecommender.ts';

const datasets = process.env.MARQUEE_DATASETS ?? resolve('../shared/datasets');
const all = buildTrainingData(
  await readRatingsFile(join(datasets, 'ml-100k-ranking', 'train.tsv')),
  await readItemsFile(join(datasets, 'ml-100k', 'u.item')),
);
const { train, validation: test } = splitPerUser(all, 0.25, new Random(20240607));
for (const arg of process.argv.slice(2)) {
  const hp = JSON.parse(arg) as Partial<RecommenderHyperParameters>;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const trained = trainRecommender(train, { hyperParameters: hp });
  const secs = (performance.now() - started) / 1000;
  const scorer = new BlockScorer(trained.model.dim, trained.model.itemCount);
  scorer.load(trained.model, train, test);
  const ndcg = evaluateRanking({ train, test, score: scorer.score }).ndcgAt10;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      hp,
      ndcg: Math.round(ndcg * 1e4) / 1e4,
      epochs: trained.epochs,
      run: trained.log.length,
      val: trained.validationNdcgAt10?.toFixed(4),
      secs: Math.round(secs * 10) / 10,
      cpu: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    }),
  );
}
