import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CatalogItem } from '../../model/types/catalog.ts';
import { mapConcurrent } from './mapConcurrent.ts';
import { CATALOG_CHANGES_PREFIX, catalogChangeKey, catalogChangesStartAfter, catalogItemKey } from './storageLayout.ts';

/**
 * The catalog in S3: one JSON object per title under catalog/items/ (a CatalogItem plus
 * `updatedAt`), and one change record per upsert request under catalog/changes/, named by time, so
 * that serving finds the titles added since its last look with one ListObjectsV2 (StartAfter)
 * instead of listing the catalog.
 */
export interface StoredCatalogItem extends CatalogItem {
  /** ISO-8601 time of the last upsert. */
  readonly updatedAt: string;
}

/** One change record: the ids one request upserted. */
export interface CatalogChange {
  readonly key: string;
  /** ISO-8601 time the request wrote its items. */
  readonly changedAt: string;
  readonly itemIds: readonly string[];
}

/** Concurrent PUTs / GETs of one call. */
const CONCURRENCY = 16;

/**
 * Writes every item (replacing what was stored under its id), then one change record listing them:
 * a reader that finds a change record finds its items. A failure rejects; items already written
 * stay (an upsert is idempotent, so the caller retries the whole request).
 */
export async function putCatalogItems(
  s3: S3Client,
  bucket: string,
  items: readonly CatalogItem[],
  now: Date = new Date(),
): Promise<{ items: StoredCatalogItem[]; change: CatalogChange }> {
  const updatedAt = now.toISOString();
  const stored = items.map((item): StoredCatalogItem => ({ ...canonical(item), updatedAt }));
  await mapConcurrent(stored, CONCURRENCY, (item) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: catalogItemKey(item.itemId),
        Body: JSON.stringify(item),
        ContentType: 'application/json',
      }),
    ),
  );
  const change: CatalogChange = {
    key: catalogChangeKey(now, randomBytes(6).toString('hex')),
    changedAt: updatedAt,
    itemIds: stored.map((item) => item.itemId),
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: change.key,
      Body: JSON.stringify({ changedAt: change.changedAt, itemIds: change.itemIds }),
      ContentType: 'application/json',
    }),
  );
  return { items: stored, change };
}

/** The stored item, or undefined when the catalog has no such id. */
export async function getCatalogItem(s3: S3Client, bucket: string, itemId: string): Promise<StoredCatalogItem | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: catalogItemKey(itemId) }));
    return Body ? (JSON.parse(await Body.transformToString('utf8')) as StoredCatalogItem) : undefined;
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Whether the catalog holds a title under `itemId` (a HEAD, no body read). */
export async function catalogItemExists(s3: S3Client, bucket: string, itemId: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: catalogItemKey(itemId) }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

/** The stored items of `itemIds` that exist, in the order given. */
export async function getCatalogItems(s3: S3Client, bucket: string, itemIds: readonly string[]): Promise<StoredCatalogItem[]> {
  const found = await mapConcurrent(itemIds, CONCURRENCY, (itemId) => getCatalogItem(s3, bucket, itemId));
  return found.filter((item): item is StoredCatalogItem => item !== undefined);
}

/**
 * The change records written at or after `since` (to the millisecond), oldest first. Writers'
 * clocks differ and a request writes its record after its items, so a poller should ask from a
 * little before its previous look (e.g. a minute) and skip keys it has seen; reading a change
 * twice is harmless, since applying an upsert twice is.
 */
export async function catalogChangesSince(s3: S3Client, bucket: string, since: Date): Promise<CatalogChange[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: CATALOG_CHANGES_PREFIX,
        ...(token ? { ContinuationToken: token } : { StartAfter: catalogChangesStartAfter(since) }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const changes = await mapConcurrent(keys, CONCURRENCY, async (key): Promise<CatalogChange | undefined> => {
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const record = JSON.parse(Body ? await Body.transformToString('utf8') : '{}') as { changedAt?: unknown; itemIds?: unknown };
      if (typeof record.changedAt !== 'string' || !Array.isArray(record.itemIds)) return undefined;
      return { key, changedAt: record.changedAt, itemIds: record.itemIds.filter((id): id is string => typeof id === 'string') };
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey' || error instanceof SyntaxError) return undefined; // pruned or not ours
      throw error;
    }
  });
  return changes.filter((change): change is CatalogChange => change !== undefined);
}

/** The fields of a CatalogItem in a fixed order, optional year left out when absent. */
function canonical(item: CatalogItem): CatalogItem {
  return {
    itemId: item.itemId,
    title: item.title,
    genres: [...item.genres],
    cast: [...item.cast],
    directors: [...item.directors],
    ...(item.year === undefined ? {} : { year: item.year }),
    tags: [...item.tags],
  };
}
