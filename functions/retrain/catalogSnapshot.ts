import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { CatalogItem } from '../../model/types/catalog.ts';
import { mapConcurrent } from '../commons/mapConcurrent.ts';
import { CATALOG_ITEMS_PREFIX } from '../commons/storageLayout.ts';

export interface CatalogSnapshot {
  readonly items: readonly CatalogItem[];
  /** Objects under catalog/items/ that are not a catalog item (bad JSON, no itemId): skipped. */
  readonly invalid: number;
}

/**
 * Every title under catalog/items/ (one JSON object each, as catalogStore.putCatalogItems writes
 * them), read `concurrency` at a time. Lists of names that are missing or hold other things than
 * strings read as what strings they hold; an object without a string itemId is skipped and counted.
 */
export async function readCatalogSnapshot(s3: S3Client, bucket: string, options: { concurrency?: number } = {}): Promise<CatalogSnapshot> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: CATALOG_ITEMS_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const read = await mapConcurrent(keys, options.concurrency ?? 32, async (key): Promise<CatalogItem | undefined> => {
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return catalogItem(JSON.parse(Body ? await Body.transformToString('utf8') : 'null'));
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey' || error instanceof SyntaxError) return undefined;
      throw error;
    }
  });
  const items = read.filter((item): item is CatalogItem => item !== undefined);
  return { items, invalid: keys.length - items.length };
}

function catalogItem(value: unknown): CatalogItem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.itemId !== 'string' || record.itemId.length === 0) return undefined;
  const strings = (field: unknown): string[] => (Array.isArray(field) ? field.filter((s): s is string => typeof s === 'string') : []);
  return {
    itemId: record.itemId,
    title: typeof record.title === 'string' ? record.title : '',
    genres: strings(record.genres),
    cast: strings(record.cast),
    directors: strings(record.directors),
    ...(typeof record.year === 'number' && Number.isFinite(record.year) ? { year: record.year } : {}),
    tags: strings(record.tags),
  };
}
