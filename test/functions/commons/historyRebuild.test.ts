import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { putEventBatch, type LoggedEvent } from '../../../functions/commons/eventLog.ts';
import { rebuildHistory } from '../../../functions/commons/historyRebuild.ts';
import { eventsBatchKey } from '../../../functions/commons/storageLayout.ts';
import { writeTombstone } from '../../../functions/commons/tombstones.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { putEntries } from '../../helpers/historyEntries.ts';
import { clearHistoryTable, objectsUnder } from '../events/localStores.ts';

const NOW = new Date('2026-08-10T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const watch = (userId: string, itemId: string, timestamp: number, eventId?: string): LoggedEvent => ({
  ...(eventId ? { eventId } : {}),
  userId,
  itemId,
  type: 'watch',
  value: 1,
  timestamp,
});

describe('rebuildHistory against s3rver and dynalite', () => {
  const local = withLocalAws();
  const clients = () => createAwsClients({ s3ForcePathStyle: true });
  const history = (maxLength = 5) => new UserHistoryStore(clients().dynamo, local().historyTableName, { maxLength, ttlSeconds: 3600 });
  let batch = 0;
  const put = (acceptedAt: Date, events: LoggedEvent[]) =>
    putEventBatch(
      clients().s3,
      local().bucketName,
      eventsBatchKey(acceptedAt, `${acceptedAt.toISOString().replace(/[-:.]/g, '')}-${String(batch++).padStart(16, '0')}`),
      events,
    );
  const rebuild = (maxLength = 5) =>
    rebuildHistory({
      s3: clients().s3,
      bucket: local().bucketName,
      history: history(maxLength),
      maxLength,
      ttlSeconds: 30 * 86_400,
      now: NOW,
    });

  beforeEach(async () => {
    const { s3, dynamo } = clients();
    for (const prefix of ['events/', 'tombstones/']) {
      for (const o of await objectsUnder(s3, local().bucketName, prefix))
        await s3.send(new DeleteObjectCommand({ Bucket: local().bucketName, Key: o.key }));
    }
    await clearHistoryTable(dynamo, local().historyTableName);
  });

  it('restores each user’s newest entries from the log, once per eventId', async () => {
    await put(hoursAgo(5), [watch('u1', 'a', 1, 'e-a'), watch('u1', 'b', 2), watch('u2', 'x', 1)]);
    await put(hoursAgo(4), [
      watch('u1', 'c', 3),
      watch('u1', 'a', 1, 'e-a'),
      watch('u1', 'd', 4),
      watch('u1', 'e', 5),
      watch('u1', 'f', 6),
    ]);
    const report = await rebuild();
    expect((await history().get('u1')).map((e) => e.itemId)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect((await history().get('u2')).map((e) => e.itemId)).toEqual(['x']);
    expect(report).toMatchObject({ users: 2, usersRestored: 2, entriesRestored: 6, usersUpToDate: 0, usersFailed: 0 });
    expect(report.log).toMatchObject({ objects: 2, duplicates: 1 });
  });

  it('keeps entries written meanwhile and changes nothing when run twice', async () => {
    await put(hoursAgo(2), [watch('u1', 'a', 10), watch('u1', 'b', 20)]);
    await putEntries(history(), 'u1', [
      { itemId: 'b', type: 'watch', value: 1, timestamp: 20 },
      { itemId: 'live', type: 'click', timestamp: 30 },
    ]);
    expect((await rebuild()).entriesRestored).toBe(1);
    expect((await history().get('u1')).map((e) => e.itemId)).toEqual(['a', 'b', 'live']);
    const again = await rebuild();
    expect(again).toMatchObject({ usersRestored: 0, entriesRestored: 0, usersUpToDate: 1 });
    expect((await history().get('u1')).map((e) => e.itemId)).toEqual(['a', 'b', 'live']);
  });

  it('skips forgotten users (deleting their entries) and users whose last batch is older than the entry TTL', async () => {
    await put(hoursAgo(1), [watch('forgotten', 'a', 1), watch('active', 'b', 2)]);
    await put(hoursAgo(24 * 40), [watch('dormant', 'c', 3)]);
    await putEntries(history(), 'forgotten', [{ itemId: 'a', type: 'watch', value: 1, timestamp: 1 }]);
    await writeTombstone(clients().s3, local().bucketName, 'forgotten', NOW);
    const report = await rebuild();
    expect(await history().get('forgotten')).toEqual([]);
    expect(await history().get('dormant')).toEqual([]);
    expect((await history().get('active')).map((e) => e.itemId)).toEqual(['b']);
    expect(report).toMatchObject({ users: 2, usersExpired: 1, tombstonedUsers: 1, usersRestored: 1 });
  });
});
