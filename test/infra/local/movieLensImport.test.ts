import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { getCatalogItem } from '../../../functions/commons/catalogStore.ts';
import { readEventLog } from '../../../functions/commons/eventLog.ts';
import type { LoggedEvent } from '../../../functions/commons/eventLog.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { findMovieLensFiles, importMovieLens, MovieLensImportError } from '../../../infra/local/movieLensImport.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

const U_ITEM = [
  '1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0',
  '2|GoldenEye (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?GoldenEye%20(1995)|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0',
  '3|Four Rooms (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Four%20Rooms%20(1995)|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0',
].join('\n');
const U_DATA = ['196\t1\t3\t881250949', '196\t2\t5\t881250950', '186\t3\t1\t891717742', '186\t1\t4\t891717743', '22\t2\t2\t878887116'].join(
  '\n',
);
const MOVIES_CSV = [
  'movieId,title,genres',
  '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
  '2,"American President, The (1995)",Comedy|Drama|Romance',
].join('\n');
const RATINGS_CSV = ['userId,movieId,rating,timestamp', '1,1,4.0,964982703', '1,2,4.5,964981247', '2,2,0.5,964982224'].join('\n');

describe('findMovieLensFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-ml-files-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the two layouts apart and names what a folder lacks', async () => {
    await expect(findMovieLensFiles(dir)).rejects.toThrow(MovieLensImportError);
    await writeFile(join(dir, 'ratings.csv'), RATINGS_CSV);
    await writeFile(join(dir, 'movies.csv'), MOVIES_CSV);
    expect(await findMovieLensFiles(dir)).toEqual({ layout: 'ml-csv', ratings: join(dir, 'ratings.csv'), items: join(dir, 'movies.csv') });
    await writeFile(join(dir, 'u.data'), U_DATA);
    await writeFile(join(dir, 'u.item'), U_ITEM);
    expect((await findMovieLensFiles(dir)).layout).toBe('ml-100k');
  });
});

describe('importMovieLens (s3rver + dynalite)', () => {
  const local = withLocalAws();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-ml-import-'));
    await writeFile(join(dir, 'u.data'), U_DATA);
    await writeFile(join(dir, 'u.item'), U_ITEM);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the titles in the catalog, the ratings as events of the event log, and rebuilds the users’ histories', async () => {
    const { s3, dynamo } = createAwsClients({ s3ForcePathStyle: true });
    const history = new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 86_400 });
    const steps = new Set<string>();
    const report = await importMovieLens({
      files: await findMovieLensFiles(dir),
      s3,
      bucket: local().bucketName,
      history,
      historyLength: 200,
      historyTtlSeconds: 86_400,
      eventsPerObject: 2,
      onProgress: (step) => steps.add(step),
    });
    expect(report).toMatchObject({ layout: 'ml-100k', titles: 3, users: 3, events: 5, eventObjects: 3 });
    expect([...steps]).toEqual(['catalog', 'events', 'history']);

    expect(await getCatalogItem(s3, local().bucketName, '2')).toMatchObject({
      itemId: '2',
      title: 'GoldenEye (1995)',
      genres: ['Action', 'Adventure', 'Thriller'],
      year: 1995,
    });
    const events: LoggedEvent[] = [];
    await readEventLog(s3, local().bucketName, (event) => void events.push(event));
    expect(events.map((event) => [event.userId, event.itemId, event.type, event.value, event.timestamp]).sort()).toEqual(
      [
        ['196', '1', 'rating', 3, 881250949],
        ['196', '2', 'rating', 5, 881250950],
        ['186', '3', 'rating', 1, 891717742],
        ['186', '1', 'rating', 4, 891717743],
        ['22', '2', 'rating', 2, 878887116],
      ].sort(),
    );
    expect(events.every((event) => event.eventId === `ml-${event.userId}-${event.itemId}-${event.timestamp}`)).toBe(true);
    expect((await history.get('186')).map((entry) => [entry.itemId, entry.value])).toEqual([
      ['3', 1],
      ['1', 4],
    ]);
    expect(report.history.usersRestored).toBe(3);
    s3.destroy();
    dynamo.destroy();
  });

  it.each([
    ['a user id with a control character', ['196\u0007\t1\t3\t881250949'], U_ITEM, 'user id'],
    ['an item id with a bidi override', ['196\t1\u202E\t3\t881250949'], U_ITEM, 'item id'],
    ['a title with NUL', ['196\t1\t3\t881250949'], '1|Toy\u0000Story (1995)|01-Jan-1995||x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0', 'title'],
  ])('refuses %s, as the API would, before storing anything', async (_what, ratings, items, message) => {
    const bad = await mkdtemp(join(tmpdir(), 'marquee-ml-bad-'));
    try {
      await writeFile(join(bad, 'u.data'), ratings.join('\n'));
      await writeFile(join(bad, 'u.item'), items);
      const { s3, dynamo } = createAwsClients({ s3ForcePathStyle: true });
      const history = new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 86_400 });
      const before = await getCatalogItem(s3, local().bucketName, '1');
      const run = importMovieLens({
        files: await findMovieLensFiles(bad),
        s3,
        bucket: local().bucketName,
        history,
        historyLength: 200,
        historyTtlSeconds: 86_400,
      });
      await expect(run).rejects.toThrow(MovieLensImportError);
      await expect(run).rejects.toThrow(message);
      expect(await getCatalogItem(s3, local().bucketName, '1')).toEqual(before);
      s3.destroy();
      dynamo.destroy();
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
