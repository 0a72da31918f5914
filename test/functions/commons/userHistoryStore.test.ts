import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { mergeEntries, UserHistoryStore, type HistoryEntry } from '../../../functions/commons/userHistoryStore.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

const entry = (itemId: string, timestamp: number): HistoryEntry => ({ itemId, type: 'watch', value: 1, timestamp });

describe('mergeEntries', () => {
  it('orders by timestamp, keeps the newest maxLength, and puts added entries after equal-time current ones', () => {
    const merged = mergeEntries([entry('a', 1), entry('b', 5)], [entry('c', 3), entry('d', 5)], 3);
    expect(merged.map((e) => e.itemId)).toEqual(['c', 'b', 'd']);
  });
});

describe('UserHistoryStore against dynalite', () => {
  const local = withLocalAws();
  const store = () => {
    const { dynamo } = createAwsClients({ s3ForcePathStyle: true });
    return new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 4, ttlSeconds: 3600 });
  };

  it('returns an empty history for an unknown user', async () => {
    expect(await store().get('nobody')).toEqual([]);
  });

  it('appends, bounds the list to the newest entries, and deletes', async () => {
    const s = store();
    await s.append('u1', [entry('a', 1), entry('b', 2)]);
    await s.append('u1', [entry('c', 3), entry('d', 4), entry('e', 5)]);
    expect((await s.get('u1')).map((e) => e.itemId)).toEqual(['b', 'c', 'd', 'e']);
    await s.delete('u1');
    expect(await s.get('u1')).toEqual([]);
  });

  it('stores the entries as one JSON string attribute, and still reads and extends a row written as a list', async () => {
    const { dynamo } = createAwsClients({ s3ForcePathStyle: true });
    const s = store();
    await s.append('compact', [entry('a', 1), entry('b', 2)]);
    const { Item } = await dynamo.send(new GetCommand({ TableName: local().historyTableName, Key: { userId: 'compact' } }));
    expect(typeof Item?.entries).toBe('string');
    expect(JSON.parse(Item?.entries as string)).toEqual([entry('a', 1), entry('b', 2)]);

    await dynamo.send(new PutCommand({ TableName: local().historyTableName, Item: { userId: 'listed', entries: [entry('x', 1)], revision: 3, expiresAt: 4_000_000_000 } }));
    expect(await s.get('listed')).toEqual([entry('x', 1)]);
    await s.append('listed', [entry('y', 2)]);
    expect((await s.get('listed')).map((e) => e.itemId)).toEqual(['x', 'y']);
  });

  it('loses no entry under concurrent appends to the same user', async () => {
    const { dynamo } = createAwsClients({ s3ForcePathStyle: true });
    const s = new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 100, ttlSeconds: 3600, maxAttempts: 50 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.append('busy', [entry(`item-${i}`, i)])));
    expect((await s.get('busy')).map((e) => e.itemId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `item-${i}`).sort());
  });
});
