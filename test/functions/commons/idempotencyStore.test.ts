import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { IdempotencyStore } from '../../../functions/commons/idempotencyStore.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { unreachableClients } from '../events/localStores.ts';

const T0 = new Date('2026-02-01T00:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('IdempotencyStore against dynalite', () => {
  const local = withLocalAws();
  const store = (windowSeconds = 3600) =>
    new IdempotencyStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().idempotencyTableName, windowSeconds);

  it('claims an id once, reports it seen, and reports a second claim as taken', async () => {
    const s = store();
    expect(await s.seen(['a1', 'a2'], T0)).toEqual(new Set());
    expect(await s.claim(['a1', 'a2'], 'batch-1', T0)).toEqual({ claimed: expect.arrayContaining(['a1', 'a2']), taken: [], failed: [] });
    expect(await s.seen(['a1', 'a3', 'a1'], later(10))).toEqual(new Set(['a1']));
    expect(await s.claim(['a1', 'a3'], 'batch-2', later(10))).toEqual({ claimed: ['a3'], taken: ['a1'], failed: [] });
  });

  it('forgets an id once its window has passed, even before DynamoDB’s TTL removes the row', async () => {
    const s = store(60);
    await s.claim(['w1'], 'batch-1', T0);
    expect(await s.seen(['w1'], later(59))).toEqual(new Set(['w1']));
    expect(await s.seen(['w1'], later(60))).toEqual(new Set());
    expect((await s.claim(['w1'], 'batch-2', later(60))).claimed).toEqual(['w1']);
    expect((await s.claim(['w1'], 'batch-3', later(61))).taken).toEqual(['w1']);
  });

  it('lets exactly one of many concurrent claims of an id win', async () => {
    const s = store();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.claim(['race'], `batch-${i}`, T0)));
    expect(results.filter((r) => r.claimed.length === 1)).toHaveLength(1);
    expect(results.filter((r) => r.taken.length === 1)).toHaveLength(7);
  });

  it('checks more ids than one BatchGetItem takes', async () => {
    const s = store();
    const ids = Array.from({ length: 230 }, (_, i) => `many-${i}`);
    await s.claim(
      ids.filter((_, i) => i % 3 === 0),
      'batch-1',
      T0,
    );
    expect(await s.seen(ids, T0)).toEqual(new Set(ids.filter((_, i) => i % 3 === 0)));
  });

  it('reports writes that failed for another reason as failed, without rejecting', async () => {
    const down = await unreachableClients();
    const s = new IdempotencyStore(down.dynamo, local().idempotencyTableName, 3600);
    const result = await s.claim(['f1', 'f2'], 'batch-1', T0);
    expect(result.claimed).toEqual([]);
    expect(result.taken).toEqual([]);
    expect([...result.failed].sort()).toEqual(['f1', 'f2']);
    expect(result.error).toBeInstanceOf(Error);
    await expect(s.seen(['f1'], T0)).rejects.toThrow();
  });
});
