// Full against sampled softmax on a generated catalog: the quality the sampled objective gives up,
// and the time it saves. Prints figures; asserts nothing.
//
//   node infra/cli/run-ts.mjs bench/compareObjectives.ts [--titles 20000] [--viewers 5000]
//       [--per-viewer 40] [--max-epochs 40] [--objective sampled,full] [--hyper '{"sampledFeatureSteps":1}']
//
// A demo catalog (generateDemoInteractions, planted genre/people tastes) is split 80/20 per viewer
// (seeded); each objective trains with the default hyper-parameters (early stopping on its own
// validation share of the 80 %, then refit) and is scored by evaluateRanking on the 20 %.
// One JSON line per objective: {objective, titles, viewers, events, epochs, trainSeconds, ndcgAt10}.
import { buildTrainingData, generateDemoInteractions, InteractionTableBuilder, splitPerUser } from '../model/data/index.ts';
import { evaluateRanking } from '../model/eval/evaluateRanking.ts';
import { Random } from '../model/random.ts';
import { BlockScorer } from '../model/recommender/blockScorer.ts';
import type { RecommenderHyperParameters } from '../model/recommender/hyperParameters.ts';
import { trainRecommender } from '../model/recommender/trainRecommender.ts';

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}
const titles = Number(option('--titles', '20000'));
const viewers = Number(option('--viewers', '5000'));
const perViewer = Number(option('--per-viewer', '40'));
const maxEpochs = Number(option('--max-epochs', '40'));
const objectives = option('--objective', 'sampled,full').split(',') as ('full' | 'sampled')[];
const hyper = JSON.parse(option('--hyper', '{}')) as Partial<RecommenderHyperParameters>;

const builder = new InteractionTableBuilder();
const { items } = generateDemoInteractions({ seed: 3, items: titles, users: viewers, interactionsPerUser: perViewer }, builder);
const data = buildTrainingData(builder.build(), items);
const { train, validation: test } = splitPerUser(data, 0.2, new Random(17));
process.stderr.write(`${titles} titles, ${viewers} viewers, ${train.userItems.length} training events\n`);
for (const objective of objectives) {
  const started = performance.now();
  const trained = trainRecommender(train, {
    hyperParameters: { ...hyper, objective, maxEpochs },
    onEpoch: (log) =>
      process.stderr.write(
        `  ${objective} ${log.phase} ${log.epoch} ${log.seconds.toFixed(2)} s ${log.validationNdcgAt10?.toFixed(4) ?? ''}\n`,
      ),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const scorer = new BlockScorer(trained.model.dim, trained.model.itemCount);
  scorer.load(trained.model, train, test);
  const ndcgAt10 = evaluateRanking({ train, test, score: scorer.score }).ndcgAt10;
  console.log(
    JSON.stringify({
      objective,
      hyper,
      titles,
      viewers,
      events: train.userItems.length,
      epochs: trained.epochs,
      trainSeconds: Math.round(trainSeconds),
      ndcgAt10: Math.round(ndcgAt10 * 1e4) / 1e4,
    }),
  );
}
