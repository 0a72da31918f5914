import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { vi } from 'vitest';
import { putCatalogItems } from '../../../functions/commons/catalogStore.ts';
import { putEventBatch, type LoggedEvent } from '../../../functions/commons/eventLog.ts';
import { mapConcurrent } from '../../../functions/commons/mapConcurrent.ts';
import { CURRENT_MODEL_KEY, eventsBatchKey, keyTime, type CurrentModelPointer } from '../../../functions/commons/storageLayout.ts';
import type { RetrainConfig } from '../../../functions/retrain/retrainConfig.ts';
import type { RetrainDependencies } from '../../../functions/retrain/runRetrain.ts';
import { generateDemoCatalog, type DemoCatalogOptions } from '../../../model/data/demoCatalog.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';

let buckets = 0;

/** A new empty bucket on the suite's s3rver, so that each test starts from nothing. */
export async function freshBucket(s3: S3Client): Promise<string> {
  const bucket = `retrain-test-${process.pid}-${++buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/**
 * Writes events as the events function does: NDJSON objects of at most `perObject` events under
 * events/<yyyy>/<mm>/<dd>/<hh>/<batchId>.ndjson, in time order, each accepted in the hour of its
 * first event. Returns the keys written.
 */
export async function writeEvents(s3: S3Client, bucket: string, events: readonly LoggedEvent[], perObject = 100): Promise<string[]> {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const batches: { key: string; events: LoggedEvent[] }[] = [];
  for (let start = 0; start < sorted.length; start += perObject) {
    const batch = sorted.slice(start, start + perObject);
    const acceptedAt = new Date(batch[0].timestamp * 1000);
    const batchId = `${keyTime(acceptedAt)}-${String(batches.length).padStart(8, '0')}`;
    batches.push({ key: eventsBatchKey(acceptedAt, batchId), events: batch });
  }
  await mapConcurrent(batches, 16, (batch) => putEventBatch(s3, bucket, batch.key, batch.events));
  return batches.map((batch) => batch.key);
}

/** A demo catalog and its viewers' events, written to the bucket (events and catalog/items). */
export async function seedDemo(
  s3: S3Client,
  bucket: string,
  options: Partial<DemoCatalogOptions> = {},
): Promise<{ items: CatalogItem[]; events: LoggedEvent[]; keys: string[] }> {
  const demo = generateDemoCatalog({ seed: 7, items: 120, users: 140, interactionsPerUser: 30, ...options });
  const keys = await writeEvents(s3, bucket, demo.events);
  for (let start = 0; start < demo.items.length; start += 100) await putCatalogItems(s3, bucket, demo.items.slice(start, start + 100));
  return { items: demo.items, events: demo.events, keys };
}

/** Writes an object of raw lines under events/ (e.g. malformed ones). */
export async function writeRawEventObject(s3: S3Client, bucket: string, acceptedAt: Date, lines: readonly string[]): Promise<string> {
  const key = eventsBatchKey(acceptedAt, `${keyTime(acceptedAt)}-raw${lines.length}`);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${lines.join('\n')}\n` }));
  return key;
}

export function retrainConfig(bucket: string, overrides: Partial<RetrainConfig> = {}): RetrainConfig {
  return {
    bucketName: bucket,
    s3ForcePathStyle: true,
    idempotencyWindowSeconds: 24 * 3_600,
    gateTolerance: 0.01,
    minInteractions: 500,
    keepVersions: 5,
    gateMaxUsers: 20_000,
    reserveSeconds: 5,
    readConcurrency: 8,
    seed: 42,
    threads: 1,
    warmStart: true,
    objective: 'auto',
    ...overrides,
  };
}

/** Small, quick trainer settings: a real model of the demo data in a few seconds. */
export const QUICK_TRAINING: NonNullable<RetrainDependencies['training']> = {
  ranking: { dim: 16, maxEpochs: 25, patience: 4 },
  rating: { dim: 8, epochs: 4, ensembleSize: 1 },
};

/** The dependencies of a run against `bucket`, with spies for logs and metrics. */
export function retrainDependencies(s3: S3Client, bucket: string, overrides: Partial<RetrainDependencies> = {}) {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const metrics = { addMetric: vi.fn() };
  const deps: RetrainDependencies = {
    s3,
    config: retrainConfig(bucket),
    remainingMs: () => 15 * 60_000,
    logger,
    metrics,
    trigger: 'test',
    training: QUICK_TRAINING,
    ...overrides,
  };
  const metricCount = (name: string): number =>
    metrics.addMetric.mock.calls.filter(([metric]) => metric === name).reduce((sum, call) => sum + (call[2] as number), 0);
  return { deps, logger, metrics, metricCount };
}

export async function readPointer(s3: S3Client, bucket: string): Promise<CurrentModelPointer | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY }));
    return JSON.parse(await (Body as { transformToString(): Promise<string> }).transformToString()) as CurrentModelPointer;
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (Body as { transformToString(): Promise<string> }).transformToString();
}
