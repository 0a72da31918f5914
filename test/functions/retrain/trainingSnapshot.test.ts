import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { readTrainingSnapshot } from '../../../functions/retrain/trainingSnapshot.ts';
import { eventRating, eventWeight } from '../../../model/data/eventWeight.ts';
import { generateDemoCatalog } from '../../../model/data/demoCatalog.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { freshBucket, writeEvents, writeRawEventObject } from './retrainFixtures.ts';

describe('readTrainingSnapshot against s3rver', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  it('reads every event into the table in accepted order, the same with objects read ahead', async () => {
    const bucket = await freshBucket(s3);
    const { events } = generateDemoCatalog({ seed: 2, items: 30, users: 20, interactionsPerUser: 12 });
    const keys = await writeEvents(s3, bucket, events, 7);
    const options = { tombstones: new Map<string, number>(), windowSeconds: 86_400 };
    const one = await readTrainingSnapshot(s3, bucket, { ...options, concurrency: 1 });
    const ahead = await readTrainingSnapshot(s3, bucket, { ...options, concurrency: 8 });

    expect(one.log).toEqual({ objects: keys.length, events: events.length, duplicates: 0, invalidLines: 0, tombstoned: 0 });
    expect(ahead.log).toEqual(one.log);
    expect(ahead.table).toEqual(one.table);
    expect(ahead.id).toBe(one.id);
    expect(one.newestKey).toBe(keys[keys.length - 1]);
    // Row r is the r-th event in time order, with its weight by type and its rating.
    const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
    const { table } = one;
    expect(table.size).toBe(events.length);
    sorted.forEach((event, r) => {
      expect(table.userIds[table.users[r]]).toBe(event.userId);
      expect(table.itemIds[table.items[r]]).toBe(event.itemId);
      expect(table.weights[r]).toBeCloseTo(eventWeight(event), 6);
      expect(Number.isNaN(table.ratings[r])).toBe(Number.isNaN(eventRating(event)));
      expect(table.timestamps[r]).toBe(event.timestamp);
    });
  });

  it('names the data: another object is another snapshot id', async () => {
    const bucket = await freshBucket(s3);
    const { events } = generateDemoCatalog({ seed: 2, items: 10, users: 5, interactionsPerUser: 5 });
    await writeEvents(s3, bucket, events);
    const options = { tombstones: new Map<string, number>(), windowSeconds: 86_400, concurrency: 4 };
    const before = await readTrainingSnapshot(s3, bucket, options);
    expect(before.id).toMatch(/^events@[0-9a-f]{16}$/);
    expect((await readTrainingSnapshot(s3, bucket, options)).id).toBe(before.id);
    await writeRawEventObject(s3, bucket, new Date(Date.UTC(2030, 0, 1)), [
      JSON.stringify({ userId: 'u1', itemId: 'm1', type: 'like', timestamp: 1.9e9 }),
    ]);
    expect((await readTrainingSnapshot(s3, bucket, options)).id).not.toBe(before.id);
  });
});
