import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { batchGetAll } from '../../../functions/commons/batchGetAll.ts';

/** A client that answers BatchGetItem, leaving keys unprocessed as `unprocessed` says (a fault a real server won't produce on demand). */
function fakeClient(unprocessed: (round: number, keys: Record<string, unknown>[]) => Record<string, unknown>[]) {
  const calls: Record<string, unknown>[][] = [];
  const client = {
    send: async (command: { input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> } }) => {
      const keys = command.input.RequestItems.t.Keys;
      calls.push(keys);
      const left = unprocessed(calls.length - 1, keys);
      const answered = keys.filter((key) => !left.includes(key)).map((key) => ({ ...key, found: true }));
      return { Responses: { t: answered }, UnprocessedKeys: left.length > 0 ? { t: { Keys: left } } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

const options = {
  projection: '#id',
  names: { '#id': 'id' },
  maxRounds: 3,
  exhausted: (n: number, r: number) => new Error(`${n} left after ${r}`),
};

describe('batchGetAll', () => {
  it('asks at most 100 keys a call and returns every item found', async () => {
    const { client, calls } = fakeClient(() => []);
    const keys = Array.from({ length: 250 }, (_, i) => ({ id: `k${i}` }));
    const items = await batchGetAll(client, 't', keys, options);
    expect(calls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(items.map((item) => item.id)).toEqual(keys.map((key) => key.id));
  });

  it('asks again for unprocessed keys, and throws the given error when rounds run out', async () => {
    const once = fakeClient((round, keys) => (round === 0 ? keys.slice(0, 2) : []));
    expect(await batchGetAll(once.client, 't', [{ id: 'a' }, { id: 'b' }, { id: 'c' }], options)).toHaveLength(3);
    expect(once.calls.map((c) => c.length)).toEqual([3, 2]);

    const never = fakeClient((_, keys) => keys.slice(0, 1));
    await expect(batchGetAll(never.client, 't', [{ id: 'a' }, { id: 'b' }], options)).rejects.toThrow('1 left after 3');
  });
});
