import type { S3Client } from '@aws-sdk/client-s3';
import type { FetchedModelVersion } from '../../functions/commons/modelSource.ts';
import { publishModel, type ModelVersionFiles } from '../../functions/commons/modelPublisher.ts';
import { buildServingItems } from '../../functions/commons/servingItems.ts';
import type { CurrentModelPointer } from '../../functions/commons/storageLayout.ts';
import {
  buildManifest,
  exportedScoringModel,
  exportRecommendGraph,
  exportSimilarGraph,
  trainModel,
  type CatalogItem,
  type ScoringModel,
} from '../../model/index.ts';
import { demoTrainingData } from './demoTrainingData.ts';

export interface TestModel {
  readonly model: ScoringModel;
  readonly files: ModelVersionFiles;
  /** The demo catalog the model was trained on. */
  readonly catalog: readonly CatalogItem[];
}

export interface PublishedTestModel extends TestModel {
  readonly pointer: CurrentModelPointer;
}

export interface TestModelOptions {
  readonly version: string;
  /** Seeds the demo catalog's viewers and the training: two seeds give two different models. */
  readonly seed?: number;
  /** Train the rating head (the demo data has ratings). Default true. */
  readonly withRating?: boolean;
  /** Item ids as MovieLens has them (`12`) instead of the demo's (`m12`). */
  readonly numericIds?: boolean;
}

const trained = new Map<string, { model: ScoringModel; data: ReturnType<typeof demoTrainingData> }>();

/**
 * A small model trained on the demo catalog (150 titles, 120 viewers; small dimension and few
 * epochs, so it trains in about a second), with its files: manifest, graphs and items.json.
 * Training is memoised per seed within a test file.
 */
export function buildTestModel(options: TestModelOptions): TestModel {
  const seed = options.seed ?? 3;
  const withRating = options.withRating ?? true;
  const memoKey = `${seed}:${withRating}`;
  let entry = trained.get(memoKey);
  if (!entry) {
    const data = demoTrainingData({ seed });
    const { model } = trainModel(data.data, {
      seed,
      ranking: { dim: 16, maxEpochs: 12, validationFraction: 0, refit: false },
      rating: withRating ? { epochs: 10 } : false,
    });
    // The model as model.onnx stores it (item matrices rounded to float16): what serving scores.
    entry = { model: exportedScoringModel(model), data };
    trained.set(memoKey, entry);
  }
  const { model, data } = entry;
  const rename = options.numericIds ? (itemId: string) => itemId.replace(/^m/, '') : (itemId: string) => itemId;
  const itemIds = data.data.itemIds.map(rename);
  const servingItems = buildServingItems(data.data, data.items);
  const meta = { properties: { 'marquee.version': options.version } };
  const recommendGraph = exportRecommendGraph(model, meta);
  const similarGraph = exportSimilarGraph(model, meta);
  const manifest = buildManifest({
    version: options.version,
    createdAt: new Date().toISOString(),
    trainingData: {
      snapshot: `demo-seed-${seed}`,
      users: data.data.userIds.length,
      items: data.data.itemIds.length,
      interactions: data.data.userItems.length,
    },
    hyperParameters: { dim: model.dim },
    metrics: { testNdcgAt10: 0.5 },
    itemIds,
    vocabulary: data.data.vocabulary,
    files: { 'model.onnx': recommendGraph, 'similar.onnx': similarGraph },
  });
  return {
    model,
    catalog: data.items.map((item) => ({ ...item, itemId: rename(item.itemId) })),
    files: {
      manifest,
      recommendGraph,
      similarGraph,
      items: { items: servingItems.items.map((item) => ({ ...item, itemId: rename(item.itemId) })) },
    },
  };
}

/** Trains (see buildTestModel) and publishes a model version to the bucket with publishModel. */
export async function publishTestModel(
  s3: S3Client,
  bucket: string,
  options: TestModelOptions & { movePointer?: boolean },
): Promise<PublishedTestModel> {
  const model = buildTestModel(options);
  const pointer = await publishModel(s3, bucket, model.files, { movePointer: options.movePointer ?? true });
  return { ...model, pointer };
}

/** A test model's files as the loader hands them to a build (hashes taken as checked), without S3. */
export function fetchedTestVersion(test: TestModel): FetchedModelVersion {
  const { files } = test;
  return {
    pointer: { version: files.manifest.version, sha256: '0'.repeat(64) },
    manifest: files.manifest,
    files: new Map([
      ['model.onnx', files.recommendGraph],
      ['similar.onnx', files.similarGraph],
      ['items.json', Buffer.from(JSON.stringify(files.items))],
    ]),
    bytes: 0,
  };
}
