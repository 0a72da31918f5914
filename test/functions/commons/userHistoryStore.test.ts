import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { historyKey } from '../../../functions/commons/historyKey.ts';
import { TABLE_KEYS } from '../../../functions/commons/tableKeys.ts';
import { UserHistoryStore, type HistoryEntry } from '../../../functions/commons/userHistoryStore.ts';
import { putEntries } from '../../helpers/historyEntries.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

const entry = (itemId: string, timestamp: number, eventId?: string): HistoryEntry => ({
  ...(eventId ? { eventId } : {}),
  itemId,
  type: 'watch',
  value: 1,
  timestamp,
});

describe('historyKey', () => {
  it('orders keys by time and depends on the event alone', () => {
    const source = { batchId: 'b1', line: 0 };
    expect(historyKey(entry('a', 9.5, 'e1'), source)).toBe('000000000009500#e:e1');
    expect(historyKey(entry('a', 9.5, 'e1'), { batchId: 'other', line: 7 })).toBe(historyKey(entry('a', 9.5, 'e1'), source));
    expect(historyKey(entry('a', 10), { batchId: 'b1', line: 3 })).toBe('000000000010000#b:b1:3');
    const keys = [1_700_000_000, 9, 1_699_999_999.999, 100].map((t) => historyKey(entry('a', t, `e${t}`), source));
    expect([...keys].sort()).toEqual([keys[1], keys[3], keys[2], keys[0]]);
  });

  it('hashes an eventId too long for a sort key', () => {
    const key = historyKey(entry('a', 1, '𝄞'.repeat(256)), { batchId: 'b', line: 0 });
    expect(key).toMatch(/^000000000001000#h:[0-9a-f]{64}$/);
    expect(Buffer.byteLength(key)).toBeLessThan(1024);
  });
});

describe('UserHistoryStore against dynalite', () => {
  const local = withLocalAws();
  const { dynamo } = createAwsClients({ s3ForcePathStyle: true });
  const store = (maxLength = 4) => new UserHistoryStore(dynamo, local().historyTableName, { maxLength, ttlSeconds: 3600 });
  const itemsOf = async (userId: string) =>
    (
      await dynamo.send(
        new QueryCommand({
          TableName: local().historyTableName,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
        }),
      )
    ).Items ?? [];

  it('returns an empty history for an unknown user', async () => {
    expect(await store().get('nobody')).toEqual([]);
    expect(await store().recent('nobody', 10)).toEqual([]);
  });

  it('keeps one item per event, reads the newest maxLength (get oldest first, recent newest first)', async () => {
    const s = store();
    await putEntries(s, 'u1', [entry('a', 1, 'e-a'), entry('b', 2)]);
    await putEntries(s, 'u1', [entry('c', 3), entry('d', 4, 'e-d'), entry('e', 5)]);
    expect((await s.get('u1')).map((e) => e.itemId)).toEqual(['b', 'c', 'd', 'e']);
    expect((await s.recent('u1', 2)).map((e) => e.itemId)).toEqual(['e', 'd']);
    expect((await s.recent('u1', 10)).map((e) => e.itemId)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect((await s.recent('u1', 10))[1]).toEqual(entry('d', 4, 'e-d'));
    expect(await itemsOf('u1')).toHaveLength(5);
  });

  it('rewrites the same item when an event is written again', async () => {
    const s = store();
    const record = { userId: 'again', key: historyKey(entry('a', 1, 'e1'), { batchId: 'b1', line: 0 }), entry: entry('a', 1, 'e1') };
    await s.put([record]);
    await s.put([record, { ...record, key: historyKey(record.entry, { batchId: 'b2', line: 5 }) }]);
    expect(await itemsOf('again')).toHaveLength(1);
    expect(await s.get('again')).toEqual([entry('a', 1, 'e1')]);
  });

  it('writes batches larger than one BatchWriteItem, and pages through them when reading', async () => {
    const s = store(120);
    const entries = Array.from({ length: 110 }, (_, i) => entry(`m${i}`, 1000 + i, `big-${i}`));
    await putEntries(s, 'big', entries);
    expect((await s.get('big')).map((e) => e.itemId)).toEqual(entries.map((e) => e.itemId));
  });

  it('leaves out entries past their TTL', async () => {
    const { partitionKey, sortKey } = TABLE_KEYS.history;
    await dynamo.send(
      new PutCommand({
        TableName: local().historyTableName,
        Item: { [partitionKey]: 'ttl', [sortKey]: '000000000005000#e:old', entry: JSON.stringify(entry('old', 5)), expiresAt: 1 },
      }),
    );
    await putEntries(store(), 'ttl', [entry('live', 1)]);
    expect((await store().get('ttl')).map((e) => e.itemId)).toEqual(['live']);
  });

  it('forgets: deletes every entry, records the moment, and hides entries up to it written afterwards', async () => {
    const s = store(10);
    await putEntries(s, 'f1', [entry('a', 100), entry('b', 5000)]);
    await s.forget('f1', 2000_000);
    expect(await itemsOf('f1')).toHaveLength(1); // the marker
    expect(await s.forgottenAt(['f1', 'never'])).toEqual(new Map([['f1', 2000_000]]));
    // A late write (in a race with the forget) of an event stamped before it stays invisible.
    await putEntries(s, 'f1', [entry('late', 1999), entry('new', 2001)]);
    expect((await s.get('f1')).map((e) => e.itemId)).toEqual(['new']);
    // The marker never moves back.
    await s.forget('f1', 1000_000);
    expect(await s.forgottenAt(['f1'])).toEqual(new Map([['f1', 2000_000]]));
  });

  it('forgets up to the marker only, for a rebuild that keeps the new relationship', async () => {
    const s = store(10);
    await putEntries(s, 'f2', [entry('old', 100), entry('new', 3000)]);
    await s.forget('f2', 2000_000, 'upToMarker');
    expect((await s.get('f2')).map((e) => e.itemId)).toEqual(['new']);
    expect(await itemsOf('f2')).toHaveLength(2);
  });

  it('loses no entry under concurrent writers to the same user', async () => {
    const s = store(100);
    await Promise.all(Array.from({ length: 20 }, (_, i) => putEntries(s, 'busy', [entry(`item-${i}`, i, `busy-${i}`)])));
    expect((await s.get('busy')).map((e) => e.itemId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `item-${i}`).sort());
  });
});
