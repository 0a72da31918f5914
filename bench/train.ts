// Training speed of the ranking model. Prints figures; asserts nothing.
//
//   npm run bench:train [-- --json] [-- --threads 1,2] [-- --epochs 8] [-- --no-default]
//       [-- --objective full,sampled] [-- --titles N --viewers N --per-viewer N]
//       [-- --hyper '{"sampledBatchUsers":512}'] (hyper-parameters over the defaults, for tuning)
//
// Each objective in --objective (default both) is measured in turn; `auto` is the trainer's choice.
// --titles generates a demo catalog of that many titles (--viewers, default 25 000; --per-viewer
// mean events, default 40) instead of reading ml-100k: the epoch cost at catalog sizes ml-100k
// does not reach (5 k against 50 k titles for the same events).
//
// For each thread count (default 1 and 2; 1 is the in-process path, more use worker threads):
//   1. throughput: trainRecommender at dimension 64 for `--epochs` epochs without validation;
//      examples/second = training examples (positive interactions) per epoch / median epoch
//      seconds, the first epoch (JIT warm-up) left out; scoredPairsPerSecond = (user, title)
//      logits per epoch (the full softmax scores every user against every title, so each pair is a
//      term of the loss and of its gradient: the count a sampled objective's negatives are
//      compared with) / the same seconds;
//   2. unless --no-default: the wall time to train the default model (default hyper-parameters:
//      early stopping on a validation share, then refit) and its test figures.
// Data: ml-100k-ranking (train.tsv with u.item features, evaluated on test.tsv) when
// MARQUEE_DATASETS is set; otherwise a generated demo catalog of ml-100k's size (1 700 titles,
// 950 viewers, about 100 k events), split 75/25 per viewer.
// With --json: one JSON object per thread count, one per line:
//   {"examplesPerSecond","threads","dim","epochs","trainSeconds", …}
// where `epochs` is the epoch count of the trained default model (early stopping's choice) and
// `trainSeconds` its wall time, both absent with --no-default. Progress goes to stderr.
import { join } from 'node:path';
import {
  buildTrainingData,
  generateDemoInteractions,
  InteractionTableBuilder,
  readItemsFile,
  readRatingsFile,
  splitPerUser,
} from '../model/data/index.ts';
import { evaluateRanking } from '../model/eval/evaluateRanking.ts';
import { Random } from '../model/random.ts';
import { scoreItems, userVector } from '../model/recommender/scoreHistory.ts';
import type { RecommenderHyperParameters } from '../model/recommender/hyperParameters.ts';
import { trainRecommender, type TrainedRecommender } from '../model/recommender/trainRecommender.ts';
import type { TrainingData } from '../model/types/trainingData.ts';

const DIM = 64;
const args = process.argv.slice(2);
const json = args.includes('--json');
const threadCounts = option('--threads', '1,2').split(',').map(Number);
const epochs = Number(option('--epochs', '8'));
const trainDefault = !args.includes('--no-default');
const objectives = option('--objective', 'full,sampled').split(',') as ('full' | 'sampled' | 'auto')[];
const hyper = JSON.parse(option('--hyper', '{}')) as Partial<RecommenderHyperParameters>;

function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface Split {
  readonly name: string;
  readonly train: TrainingData;
  readonly test: TrainingData;
}

async function readSplit(): Promise<Split> {
  const datasets = process.env.MARQUEE_DATASETS;
  const titles = Number(option('--titles', '0'));
  if (titles > 0) {
    const viewers = Number(option('--viewers', '25000'));
    const perViewer = Number(option('--per-viewer', '40'));
    const builder = new InteractionTableBuilder();
    const { items } = generateDemoInteractions({ seed: 1, items: titles, users: viewers, interactionsPerUser: perViewer }, builder);
    const data = buildTrainingData(builder.build(), items);
    const { train, validation } = splitPerUser(data, 0.1, new Random(7));
    return { name: `demo (${titles} titles, ${viewers} viewers, ${perViewer} events each)`, train, test: validation };
  }
  if (datasets) {
    const folder = join(datasets, 'ml-100k-ranking');
    const train = buildTrainingData(
      await readRatingsFile(join(folder, 'train.tsv')),
      await readItemsFile(join(datasets, 'ml-100k', 'u.item')),
    );
    const test = buildTrainingData(await readRatingsFile(join(folder, 'test.tsv')), [], {
      itemIds: train.itemIds,
      userIds: train.userIds,
      vocabulary: train.vocabulary,
    });
    return { name: 'ml-100k-ranking', train, test };
  }
  progress('MARQUEE_DATASETS is not set: using a generated demo catalog of ml-100k size');
  const builder = new InteractionTableBuilder();
  const { items } = generateDemoInteractions({ seed: 1, items: 1700, users: 950, interactionsPerUser: 110 }, builder);
  const data = buildTrainingData(builder.build(), items);
  const { train, validation } = splitPerUser(data, 0.25, new Random(7));
  return { name: 'demo (1700 titles, 950 viewers)', train, test: validation };
}

/**
 * Examples per second at DIM over `epochs` epochs of plain training (no validation), and the CPU
 * seconds per epoch of the whole process, all threads, after the first epoch (on a loaded machine
 * wall time overstates the cost; CPU time shows what the threads themselves spent).
 */
function throughput(
  train: TrainingData,
  threads: number,
  objective: 'full' | 'sampled' | 'auto',
): { examplesPerSecond: number; epochSeconds: number; cpuSecondsPerEpoch: number } {
  const cpuAtEpoch: number[] = [];
  const trained = trainRecommender(train, {
    hyperParameters: { ...hyper, dim: DIM, maxEpochs: epochs, validationFraction: 0, objective },
    threads,
    onEpoch: (log) => {
      const used = process.cpuUsage();
      cpuAtEpoch.push((used.user + used.system) / 1e6);
      progress(`  ${objective}, threads ${threads}: epoch ${log.epoch} ${log.seconds.toFixed(3)} s`);
    },
  });
  const seconds = trained.log
    .slice(epochs > 1 ? 1 : 0)
    .map((log) => log.seconds)
    .sort((a, b) => a - b);
  const epochSeconds = seconds[Math.floor(seconds.length / 2)];
  const cpuSecondsPerEpoch = cpuAtEpoch.length > 1 ? (cpuAtEpoch[cpuAtEpoch.length - 1] - cpuAtEpoch[0]) / (cpuAtEpoch.length - 1) : NaN;
  return { examplesPerSecond: trained.examplesPerEpoch / epochSeconds, epochSeconds, cpuSecondsPerEpoch };
}

function testNdcg(trained: TrainedRecommender, train: TrainingData, test: TrainingData): number {
  const { model } = trained;
  const user = new Float32Array(model.dim);
  const none = new Int32Array(0);
  return evaluateRanking({
    train,
    test,
    score: (u, out) => {
      const from = train.userOffsets[u];
      const to = train.userOffsets[u + 1];
      userVector(model, train.userItems.subarray(from, to), train.userWeights.subarray(from, to), none, user);
      scoreItems(model, user, out);
    },
  }).ndcgAt10;
}

const split = await readSplit();
const { train } = split;
progress(
  `${split.name}: ${train.userIds.length} users, ${train.itemIds.length} items, ${train.vocabulary.length} features, ` +
    `${train.userItems.length} training examples per epoch`,
);
for (const objective of objectives)
  for (const threads of threadCounts) {
    if (objective === 'sampled' && threads > 1) {
      // The sampled objective trains on one thread (ParallelTrainer splits the full softmax only).
      progress(`sampled, threads ${threads}: skipped (the sampled objective trains on one thread)`);
      continue;
    }
    const speed = throughput(train, threads, objective);
    let defaults: { epochs: number; epochsRun: number; trainSeconds: number; ndcgAt10: number } | undefined;
    if (trainDefault) {
      const started = performance.now();
      const trained = trainRecommender(train, { threads, hyperParameters: { ...hyper, objective } });
      const trainSeconds = (performance.now() - started) / 1000;
      defaults = { epochs: trained.epochs, epochsRun: trained.log.length, trainSeconds, ndcgAt10: testNdcg(trained, train, split.test) };
    }
    const row = {
      examplesPerSecond: Math.round(speed.examplesPerSecond),
      threads,
      objective,
      dim: DIM,
      ...(defaults ? { epochs: defaults.epochs, trainSeconds: round(defaults.trainSeconds, 2) } : {}),
      dataset: split.name,
      examplesPerEpoch: train.userItems.length,
      scoredPairsPerSecond: Math.round((train.userIds.length * train.itemIds.length) / speed.epochSeconds),
      epochSeconds: round(speed.epochSeconds, 4),
      cpuSecondsPerEpoch: round(speed.cpuSecondsPerEpoch, 4),
      ...(defaults ? { epochsRun: defaults.epochsRun, testNdcgAt10: round(defaults.ndcgAt10, 4) } : {}),
    };
    if (json) console.log(JSON.stringify(row));
    else {
      const line =
        `${objective}, threads ${threads}: ${row.examplesPerSecond} examples/s at dim ${DIM}, ${row.scoredPairsPerSecond} scored (user, title) pairs/s ` +
        `(median epoch ${row.epochSeconds} s, ${row.cpuSecondsPerEpoch} CPU s per epoch)`;
      console.log(
        defaults
          ? `${line}; default model: ${defaults.epochs} epochs chosen, ${defaults.epochsRun} run, ` +
              `${row.trainSeconds} s, test nDCG@10 ${row.testNdcgAt10}`
          : line,
      );
    }
  }

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
