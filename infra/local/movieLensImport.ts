import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { putCatalogItems } from '../../functions/commons/catalogStore.ts';
import { putEventBatch, type LoggedEvent } from '../../functions/commons/eventLog.ts';
import { rebuildHistory, type RebuildReport } from '../../functions/commons/historyRebuild.ts';
import { readId } from '../../functions/commons/idSchema.ts';
import { mapConcurrent } from '../../functions/commons/mapConcurrent.ts';
import { eventsBatchKey, keyTime } from '../../functions/commons/storageLayout.ts';
import { textSchema } from '../../functions/commons/textSchema.ts';
import type { UserHistoryStore } from '../../functions/commons/userHistoryStore.ts';
import { readItemsFile } from '../../model/data/itemsFile.ts';
import { readRatingsFile } from '../../model/data/ratingsFile.ts';

/** The two MovieLens layouts: 100K (`u.data` + `u.item`) and the CSV releases (`ratings.csv` + `movies.csv`, e.g. ml-latest-small). */
export type MovieLensLayout = 'ml-100k' | 'ml-csv';

export interface MovieLensFiles {
  readonly layout: MovieLensLayout;
  readonly ratings: string;
  readonly items: string;
}

export interface MovieLensImportOptions {
  readonly files: MovieLensFiles;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly history: UserHistoryStore;
  /** HISTORY_LENGTH and the row TTL, as the functions use them. */
  readonly historyLength: number;
  readonly historyTtlSeconds: number;
  /** Events per NDJSON object (default 10,000). */
  readonly eventsPerObject?: number;
  readonly now?: Date;
  readonly onProgress?: (step: 'catalog' | 'events' | 'history', done: number, total: number) => void;
}

export interface MovieLensImportReport {
  readonly layout: MovieLensLayout;
  readonly titles: number;
  readonly users: number;
  readonly events: number;
  readonly eventObjects: number;
  readonly history: RebuildReport;
}

/** Titles per catalog write (one change record each). */
const ITEMS_PER_WRITE = 500;

/** The ratings and titles files of a MovieLens folder, or an error saying what is missing. */
export async function findMovieLensFiles(folder: string): Promise<MovieLensFiles> {
  const exists = (name: string) =>
    access(join(folder, name)).then(
      () => true,
      () => false,
    );
  if ((await exists('u.data')) && (await exists('u.item')))
    return { layout: 'ml-100k', ratings: join(folder, 'u.data'), items: join(folder, 'u.item') };
  if ((await exists('ratings.csv')) && (await exists('movies.csv')))
    return { layout: 'ml-csv', ratings: join(folder, 'ratings.csv'), items: join(folder, 'movies.csv') };
  throw new MovieLensImportError(`${folder} holds neither u.data + u.item (MovieLens 100K) nor ratings.csv + movies.csv (ml-latest-small)`);
}

export class MovieLensImportError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MovieLensImportError';
  }
}

/**
 * Loads a MovieLens release into the service's stores as its own functions would have stored it
 * (ids and titles checked first by the routes' rules, idSchema and textSchema):
 * 1. the titles (genres, year from the title or release date) into the catalog — catalogStore,
 *    the items function's writer, so serving and retraining read them as any upsert;
 * 2. every rating as a `rating` event (stars as value, the original timestamp, an eventId from
 *    user, title and time) in NDJSON objects of the events layout (`events/<yyyy>/…/<batch>.ndjson`,
 *    the events function's writer) — a re-import within the idempotency window is dropped by
 *    every reader as duplicates;
 * 3. the user-history table rebuilt from the event log (historyRebuild), so recommendations for a
 *    MovieLens user are personal at once, before any retrain.
 */
export async function importMovieLens(options: MovieLensImportOptions): Promise<MovieLensImportReport> {
  const { files, s3, bucket } = options;
  const now = options.now ?? new Date();
  const progress = options.onProgress ?? (() => undefined);
  const [items, table] = await Promise.all([readItemsFile(files.items), readRatingsFile(files.ratings)]);
  if (table.size === 0) throw new MovieLensImportError(`${files.ratings} holds no ratings`);
  checkIds(files.ratings, 'user id', table.userIds);
  checkIds(files.ratings, 'item id', table.itemIds);
  checkIds(
    files.items,
    'item id',
    items.map((item) => item.itemId),
  );
  for (const item of items) {
    const title = titleSchema.safeParse(item.title);
    if (!title.success)
      throw new MovieLensImportError(`${files.items}: the title of item ${JSON.stringify(item.itemId)} ${title.error.issues[0].message}`);
  }

  const itemChunks = chunks(items, ITEMS_PER_WRITE);
  let written = 0;
  progress('catalog', 0, items.length);
  for (const chunk of itemChunks) {
    await putCatalogItems(s3, bucket, chunk, now);
    progress('catalog', (written += chunk.length), items.length);
  }

  const perObject = options.eventsPerObject ?? 10_000;
  const objects = Math.ceil(table.size / perObject);
  let eventsWritten = 0;
  progress('events', 0, table.size);
  await mapConcurrent(
    Array.from({ length: objects }, (_, o) => o),
    4,
    async (o) => {
      const events: LoggedEvent[] = [];
      for (let r = o * perObject; r < Math.min(table.size, (o + 1) * perObject); r++) {
        const userId = table.userIds[table.users[r]];
        const itemId = table.itemIds[table.items[r]];
        const timestamp = table.timestamps[r];
        const stars = table.ratings[r];
        events.push({
          eventId: `ml-${userId}-${itemId}-${timestamp}`,
          userId,
          itemId,
          type: 'rating',
          ...(Number.isNaN(stars) ? {} : { value: stars }),
          timestamp,
        });
      }
      const batchId = `${keyTime(now)}-${randomBytes(8).toString('hex')}`;
      await putEventBatch(s3, bucket, eventsBatchKey(now, batchId), events);
      progress('events', (eventsWritten += events.length), table.size);
    },
  );

  const history = await rebuildHistory({
    s3,
    bucket,
    history: options.history,
    maxLength: options.historyLength,
    ttlSeconds: options.historyTtlSeconds,
    now,
    onProgress: (done, total) => progress('history', done, total),
  });
  return { layout: files.layout, titles: items.length, users: table.userIds.length, events: table.size, eventObjects: objects, history };
}

const titleSchema = textSchema(500);

/** The ids of a file under the API's one id rule (readId), so an import stores nothing a route would refuse. */
function checkIds(file: string, what: string, ids: readonly string[]): void {
  for (const id of ids) {
    const read = readId(id);
    if ('error' in read) throw new MovieLensImportError(`${file}: ${what} ${JSON.stringify(id)} ${read.error}`);
  }
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < list.length; i += size) result.push(list.slice(i, i + size));
  return result;
}
