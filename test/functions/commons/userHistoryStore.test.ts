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

  it('loses no entry under concurrent appends to the same user', async () => {
    const { dynamo } = createAwsClients({ s3ForcePathStyle: true });
    const s = new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 100, ttlSeconds: 3600, maxAttempts: 50 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.append('busy', [entry(`item-${i}`, i)])));
    expect((await s.get('busy')).map((e) => e.itemId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `item-${i}`).sort());
  });
});
