import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { createEventsHandler } from '../../../functions/events/handler.ts';
import { createUserHistoryHandler, handler as defaultHandler } from '../../../functions/userHistory/handler.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke, type TestRequest } from '../events/apiGatewayEvent.ts';
import { localEventStores, unreachableClients } from '../events/localStores.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const NOW = new Date('2026-09-01T10:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const historyOf = (userId: string, query?: Record<string, string>): TestRequest => ({
  method: 'GET',
  resource: '/v1/users/{userId}/history',
  pathParameters: { userId },
  ...(query ? { query } : {}),
});

describe('GET /v1/users/{userId}/history against dynalite', () => {
  const local = withLocalAws();
  const store = (maxLength = 5) =>
    new UserHistoryStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName, { maxLength, ttlSeconds: 3600 });
  const handler = () => createUserHistoryHandler({ history: () => store(), maxLength: 5 });

  beforeAll(async () => {
    logger.setLogLevel('SILENT');
    const events = createEventsHandler({ stores: () => localEventStores(local()), now: () => NOW });
    const sent = [
      { eventId: 'h-1', userId: 'viewer', itemId: 'film-1', type: 'watch', value: 0.5, timestamp: NOW_SECONDS - 600 },
      { userId: 'viewer', itemId: 'film-2', type: 'like', timestamp: NOW_SECONDS - 500 },
      { eventId: 'h-3', userId: 'viewer', itemId: 'film-3', type: 'rating', value: 4.5, timestamp: NOW_SECONDS - 400 },
      ...Array.from({ length: 5 }, (_, i) => ({
        eventId: `h-old-${i}`,
        userId: 'viewer',
        itemId: `old-${i}`,
        type: 'click',
        timestamp: NOW_SECONDS - 10_000 + i,
      })),
    ];
    expect((await invoke(events, { method: 'POST', resource: '/v1/events', body: { events: sent } })).statusCode).toBe(202);
  });

  it('returns what serving reads, newest first, as {userId, items: [{eventId, itemId, type, value, timestamp}]}', async () => {
    const response = await invoke(handler(), historyOf('viewer', { count: '3' }));
    expect(response.statusCode).toBe(200);
    expectMatchesApi('GET /v1/users/{userId}/history', { ...response, body: response.json });
    expect(response.json).toEqual({
      userId: 'viewer',
      items: [
        { eventId: 'h-3', itemId: 'film-3', type: 'rating', value: 4.5, timestamp: NOW_SECONDS - 400 },
        { eventId: null, itemId: 'film-2', type: 'like', value: null, timestamp: NOW_SECONDS - 500 },
        { eventId: 'h-1', itemId: 'film-1', type: 'watch', value: 0.5, timestamp: NOW_SECONDS - 600 },
      ],
    });
  });

  it('returns by default the history length serving uses, the same entries as serving in reverse', async () => {
    const response = await invoke(handler(), historyOf('viewer'));
    const items = response.json.items as { itemId: string }[];
    expect(items).toHaveLength(5);
    expect(items.map((item) => item.itemId)).toEqual((await store().get('viewer')).map((e) => e.itemId).reverse());
    expect(items.map((item) => item.itemId)).toEqual(['film-3', 'film-2', 'film-1', 'old-4', 'old-3']);
  });

  it('answers an unknown viewer with an empty list', async () => {
    const response = await invoke(handler(), historyOf('nobody-here'));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ userId: 'nobody-here', items: [] });
  });

  it.each([
    ['0', 'query.count'],
    ['6', 'query.count'],
    ['two', 'query.count'],
    ['1.5', 'query.count'],
  ])('refuses count=%s with 400 naming %s', async (count, field) => {
    const response = await invoke(handler(), historyOf('viewer', { count }));
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ field });
    expect(String(response.json.message)).toContain('from 1 to 5');
  });

  it('refuses an unknown query parameter and a blank user id, naming them', async () => {
    expect((await invoke(handler(), historyOf('viewer', { cout: '3' }))).json).toMatchObject({ field: 'query.cout' });
    const blank = await invoke(handler(), historyOf(''));
    expect(blank.statusCode).toBe(400);
    expect(blank.json.field).toBe('path.userId');
  });

  it('answers 503 with Retry-After when DynamoDB is down', async () => {
    const down = await unreachableClients();
    const h = createUserHistoryHandler({
      history: () => new UserHistoryStore(down.dynamo, local().historyTableName, { maxLength: 5, ttlSeconds: 3600 }),
      maxLength: 5,
    });
    const response = await invoke(h, historyOf('viewer'));
    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('1');
  });

  it('works with the table and history length of the environment (the deployed handler)', async () => {
    const response = await invoke(defaultHandler, historyOf('viewer', { count: '200' }));
    expect(response.statusCode).toBe(200);
    expect(response.json.items).toHaveLength(8);
    expect((await invoke(defaultHandler, historyOf('viewer', { count: '201' }))).json).toMatchObject({ field: 'query.count' });
  });
});
