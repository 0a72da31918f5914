import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { trainModel, writeModelFiles } from '../../../model/index.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { objectiveOption, optionalNumber, parseOptions, required } from '../parseOptions.ts';
import { Progress } from '../progress.ts';
import { readTrainingFiles } from '../readTrainingFiles.ts';
import { modelVersion } from '../modelVersion.ts';

export const TRAIN_COMMAND = {
  name: 'train',
  usage:
    'marquee train --train <ratings file> [--items <u.item|movies.csv>] --out <dir> [--seed N] [--dim N] [--objective full|sampled|auto] [--json]',
  summary: 'Trains on a ratings file and writes model.onnx, similar.onnx and manifest.json into --out.',
  options: {
    train: {
      type: 'string',
      value: '<ratings file>',
      description: 'u.data TSV, ratings.csv or NDJSON events (required)',
      example: 'ml-100k/u.data',
    },
    items: { type: 'string', value: '<u.item|movies.csv>', description: 'title metadata for content features', example: 'ml-100k/u.item' },
    out: { type: 'string', value: '<dir>', description: 'the folder to write the model into (required)', example: 'model-out' },
    seed: SHARED_OPTIONS.seed,
    dim: { type: 'string', value: 'N', description: 'embedding dimension', defaultText: '64', example: '32' },
    objective: SHARED_OPTIONS.objective,
    json: SHARED_OPTIONS.json,
  },
  examples: ['npx marquee train --train ml-100k/u.data --items ml-100k/u.item --out model-out'],
} as const satisfies CommandSpec;

/** Trains on a ratings file and writes model.onnx, similar.onnx and manifest.json into --out. */
export async function trainCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, TRAIN_COMMAND.options);
  const trainPath = required(values, 'train');
  const out = resolve(required(values, 'out'));
  const seed = optionalNumber(values, 'seed');
  const dim = optionalNumber(values, 'dim');
  const progress = new Progress(values.json === true);

  progress.message(`reading ${trainPath}${values.items ? ` and ${values.items}` : ''}`);
  const { data, catalog } = await readTrainingFiles(trainPath, values.items);
  const trained = trainModel(data, {
    seed,
    ranking: { objective: objectiveOption(values), ...(dim === undefined ? {} : { dim }) },
    onRankingEpoch: progress.rankingEpoch,
    onRatingEpoch: progress.ratingEpoch,
  });
  const snapshot = `${basename(trainPath)}@sha256:${createHash('sha256')
    .update(await readFile(trainPath))
    .digest('hex')
    .slice(0, 16)}`;
  const manifest = await writeModelFiles(out, {
    model: trained.model,
    manifestFields: {
      version: modelVersion(new Date()),
      createdAt: new Date().toISOString(),
      trainingData: { snapshot, users: data.userIds.length, items: data.itemIds.length, interactions: data.userItems.length },
      hyperParameters: { ranking: trained.ranking.hyperParameters, ...(trained.rating ? { rating: 'default' } : {}) },
      metrics: {
        validationNdcgAt10: trained.ranking.validationNdcgAt10 ?? null,
        rankingEpochs: trained.ranking.epochs,
        trainSeconds: trained.trainSeconds,
        catalogItems: catalog.length,
      },
      itemIds: data.itemIds,
      vocabulary: data.vocabulary,
    },
  });
  const summary = {
    out,
    version: manifest.version,
    users: manifest.trainingData.users,
    items: manifest.trainingData.items,
    interactions: manifest.trainingData.interactions,
    features: manifest.vocabulary.length,
    ratingHead: trained.rating !== undefined,
    ...manifest.metrics,
    files: manifest.files,
  };
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  return 0;
}

function formatSummary(summary: Record<string, unknown>): string {
  return `${Object.entries(summary)
    .filter(([key]) => key !== 'files')
    .map(([key, value]) => `${key.padEnd(20)} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value)}`)
    .join('\n')}\n`;
}
