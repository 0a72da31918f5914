import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { readEventLog } from '../../../functions/commons/eventLog.ts';
import { rebuildHistory } from '../../../functions/commons/historyRebuild.ts';
import { logger, metrics } from '../../../functions/commons/observability.ts';
import { eventsBatchKey } from '../../../functions/commons/storageLayout.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { createEventsHandler, handler as defaultHandler } from '../../../functions/events/handler.ts';
import { parseEventLine } from '../../../model/data/eventsNdjson.ts';
import type { InteractionEvent } from '../../../model/types/interactions.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke, type TestRequest } from './apiGatewayEvent.ts';
import { keysUnder, localEventStores, objectsUnder, unreachableClients } from './localStores.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const NOW = new Date('2026-03-14T15:09:26.535Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const post = (body: unknown, headers?: Record<string, string>): TestRequest => ({ method: 'POST', resource: '/v1/events', body, headers });

describe('POST /v1/events against s3rver and dynalite', () => {
  const local = withLocalAws();
  let clock = NOW;
  const now = () => clock;
  const handler = () => createEventsHandler({ stores: () => localEventStores(local()), now });
  const s3 = (): S3Client => createAwsClients({ s3ForcePathStyle: true }).s3;
  const history = () =>
    new UserHistoryStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName, {
      maxLength: 200,
      ttlSeconds: 3600,
    });
  const eventObjects = () => objectsUnder(s3(), local().bucketName, 'events/');
  const eventKeys = () => keysUnder(s3(), local().bucketName, 'events/');
  const idempotencyRow = async (eventId: string) =>
    (
      await createAwsClients({ s3ForcePathStyle: true }).dynamo.send(
        new GetCommand({ TableName: local().idempotencyTableName, Key: { eventId } }),
      )
    ).Item;

  beforeAll(() => {
    logger.setLogLevel('SILENT');
  });
  afterEach(() => {
    clock = NOW;
    vi.restoreAllMocks();
  });

  it('stores the batch as one NDJSON object the training loader reads, answers 202, and updates the history at once', async () => {
    const events = [
      { eventId: 'happy-1', userId: 'happy-user', itemId: 'film-1', type: 'watch', value: 0.8, timestamp: 1_700_000_000 },
      { eventId: 'happy-2', userId: 'happy-user', itemId: 'film-2', type: 'rating', value: 4.5, timestamp: '2023-11-14T22:13:21Z' },
      { userId: 'happy-user', itemId: 'film-3', type: 'like' },
      { eventId: 'happy-4', userId: 42, itemId: 7, type: 'click', timestamp: 1_700_000_100.25 },
    ];
    const response = await invoke(handler(), post({ events }));
    expect(response.statusCode).toBe(202);
    expect(response.json).toMatchObject({ accepted: 4, duplicates: [] });
    expectMatchesApi('POST /v1/events', { ...response, body: response.json });
    const batchId = response.json.batchId as string;
    expect(batchId).toMatch(/^20260314T150926535Z-[0-9a-f]{16}$/);

    const key = eventsBatchKey(NOW, batchId);
    expect(key.startsWith('events/2026/03/14/15/')).toBe(true);
    const object = (await eventObjects()).find((o) => o.key === key);
    expect(object).toBeDefined();
    const lines = object!.text.trimEnd().split('\n');
    const parsed = lines.map((line, i) => parseEventLine(line, key, i + 1));
    const expected: InteractionEvent[] = [
      { eventId: 'happy-1', userId: 'happy-user', itemId: 'film-1', type: 'watch', value: 0.8, timestamp: 1_700_000_000 },
      {
        eventId: 'happy-2',
        userId: 'happy-user',
        itemId: 'film-2',
        type: 'rating',
        value: 4.5,
        timestamp: Date.parse('2023-11-14T22:13:21Z') / 1000,
      },
      { userId: 'happy-user', itemId: 'film-3', type: 'like', timestamp: NOW_SECONDS },
      { eventId: 'happy-4', userId: '42', itemId: '7', type: 'click', timestamp: 1_700_000_100.25 },
    ];
    expect(parsed).toEqual(expected);
    // Timestamps are stored as numbers of seconds, whatever the client sent.
    expect(lines.every((line) => typeof JSON.parse(line).timestamp === 'number')).toBe(true);

    // Real time: the history holds the new items right after the 202, oldest first.
    const entries = await history().get('happy-user');
    expect(entries.map((e) => e.itemId)).toEqual(['film-1', 'film-2', 'film-3']);
    expect(entries[1]).toEqual({ eventId: 'happy-2', itemId: 'film-2', type: 'rating', value: 4.5, timestamp: expected[1].timestamp });
    expect((await history().get('42')).map((e) => e.itemId)).toEqual(['7']);
    expect(await idempotencyRow('happy-1')).toMatchObject({ eventId: 'happy-1', batchId });
  });

  it('works with the stores of the environment (the deployed handler)', async () => {
    const response = await invoke(
      defaultHandler,
      post({ events: [{ eventId: 'env-1', userId: 'env-user', itemId: 'film-9', type: 'complete' }] }),
    );
    expect(response.statusCode).toBe(202);
    expect(response.json.accepted).toBe(1);
    expect((await history().get('env-user')).map((e) => e.itemId)).toEqual(['film-9']);
  });

  describe('idempotency', () => {
    it('reports repeated eventIds as duplicates and does not store them again', async () => {
      const events = [
        { eventId: 'dup-1', userId: 'dup-user', itemId: 'a', type: 'watch', timestamp: 1000 },
        { eventId: 'dup-2', userId: 'dup-user', itemId: 'b', type: 'watch', timestamp: 1001 },
      ];
      const first = await invoke(handler(), post({ events }));
      expect(first.json).toMatchObject({ accepted: 2, duplicates: [] });
      const before = await eventObjects();

      const again = await invoke(handler(), post({ events }));
      expect(again.statusCode).toBe(202);
      expect(again.json).toEqual({ accepted: 0, duplicates: ['dup-1', 'dup-2'], batchId: null });
      expect(await eventObjects()).toEqual(before);

      const mixed = await invoke(
        handler(),
        post({ events: [...events, { eventId: 'dup-3', userId: 'dup-user', itemId: 'c', type: 'watch', timestamp: 1002 }] }),
      );
      expect(mixed.json).toMatchObject({ accepted: 1, duplicates: ['dup-1', 'dup-2'] });
      const added = (await eventObjects()).filter((o) => !before.some((b) => b.key === o.key));
      expect(added).toHaveLength(1);
      expect(
        added[0].text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line).eventId),
      ).toEqual(['dup-3']);
      expect((await history().get('dup-user')).map((e) => e.itemId)).toEqual(['a', 'b', 'c']);
    });

    it('treats an eventId repeated inside one batch as a duplicate', async () => {
      const response = await invoke(
        handler(),
        post({
          events: [
            { eventId: 'twice', userId: 'twice-user', itemId: 'a', type: 'click' },
            { eventId: 'twice', userId: 'twice-user', itemId: 'a', type: 'click' },
          ],
        }),
      );
      expect(response.json).toMatchObject({ accepted: 1, duplicates: ['twice'] });
      expect(await history().get('twice-user')).toHaveLength(1);
    });

    it('accepts an eventId again once the window (24 h by default) has passed', async () => {
      const event = { eventId: 'window-1', userId: 'window-user', itemId: 'a', type: 'skip', timestamp: 5 };
      expect((await invoke(handler(), post({ events: [event] }))).json.accepted).toBe(1);
      clock = new Date(NOW.getTime() + 23 * 3600_000);
      expect((await invoke(handler(), post({ events: [event] }))).json.accepted).toBe(0);
      clock = new Date(NOW.getTime() + 24 * 3600_000 + 1000);
      expect((await invoke(handler(), post({ events: [event] }))).json.accepted).toBe(1);
    });

    it('stores each event once when two requests race with the same eventIds', async () => {
      const events = Array.from({ length: 20 }, (_, i) => ({
        eventId: `race-${i}`,
        userId: 'race-user',
        itemId: `film-${i}`,
        type: 'watch',
        timestamp: 2000 + i,
      }));
      const h = handler();
      const responses = await Promise.all([
        invoke(h, post({ events })),
        invoke(h, post({ events })),
        invoke(h, post({ events: events.slice(5) })),
      ]);
      expect(responses.every((r) => r.statusCode === 202)).toBe(true);
      // Every id is accepted by exactly one request; the others report it as a duplicate.
      const accepted = responses.reduce((sum, r) => sum + (r.json.accepted as number), 0);
      expect(accepted).toBe(20);
      for (const r of responses)
        expect((r.json.accepted as number) + (r.json.duplicates as string[]).length).toBe(r === responses[2] ? 15 : 20);
      const entries = await history().get('race-user');
      expect(entries.map((e) => e.itemId).sort()).toEqual(events.map((e) => e.itemId).sort());
    });
  });

  describe('durability', () => {
    it('answers 503 with Retry-After and writes nothing to DynamoDB when S3 is down (endpoint refuses connections)', async () => {
      const down = await unreachableClients();
      const h = createEventsHandler({ stores: () => localEventStores(local(), { s3: down.s3 }), now });
      const before = await eventObjects();
      const response = await invoke(h, post({ events: [{ eventId: 's3-down-1', userId: 's3-down-user', itemId: 'a', type: 'watch' }] }));
      expect(response.statusCode).toBe(503);
      expect(response.headers['Retry-After']).toBe('2');
      expect(response.json).toMatchObject({ error: 'service_unavailable' });
      expect(response.json).not.toHaveProperty('accepted');
      expect(await idempotencyRow('s3-down-1')).toBeUndefined();
      expect(await history().get('s3-down-user')).toEqual([]);
      expect(await eventObjects()).toEqual(before);

      // Nothing was claimed: the client's retry, with S3 back, is accepted whole.
      const retry = await invoke(
        handler(),
        post({ events: [{ eventId: 's3-down-1', userId: 's3-down-user', itemId: 'a', type: 'watch' }] }),
      );
      expect(retry.json).toMatchObject({ accepted: 1, duplicates: [] });
    });

    it('answers 503 when the S3 write itself fails (a client whose PutObject rejects)', async () => {
      const real = createAwsClients({ s3ForcePathStyle: true }).s3;
      const failing = Object.create(real) as S3Client;
      failing.send = (async () => {
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError' });
      }) as S3Client['send'];
      const h = createEventsHandler({ stores: () => localEventStores(local(), { s3: failing }), now });
      const response = await invoke(h, post({ events: [{ eventId: 's3-fail-1', userId: 's3-fail-user', itemId: 'a', type: 'like' }] }));
      expect(response.statusCode).toBe(503);
      expect(JSON.stringify(response.json)).not.toContain('internal error');
      expect(await idempotencyRow('s3-fail-1')).toBeUndefined();
      expect(await history().get('s3-fail-user')).toEqual([]);
    });

    it('answers 503 when DynamoDB is down after the S3 write, claims nothing, and the retry completes the batch', async () => {
      const down = await unreachableClients();
      const counted = vi.spyOn(metrics, 'addMetric');
      const h = createEventsHandler({ stores: () => localEventStores(local(), { dynamo: down.dynamo }), now });
      const events = [
        { eventId: 'ddb-down-1', userId: 'ddb-down-user', itemId: 'film-1', type: 'watch', value: 1, timestamp: 3000 },
        { eventId: 'ddb-down-2', userId: 'ddb-down-user', itemId: 'film-2', type: 'rating', value: 3.5, timestamp: 3001 },
      ];
      const before = await eventKeys();
      const response = await invoke(h, post({ events }));
      expect(response.statusCode).toBe(503);
      expect(response.headers['Retry-After']).toBe('2');
      expect(response.json).not.toHaveProperty('accepted');
      expect(counted).toHaveBeenCalledWith('HistoryWriteFailures', 'Count', 1);
      // The batch reached S3, but no id was claimed and the history holds nothing.
      expect((await eventKeys()).length).toBe(before.length + 1);
      expect(await idempotencyRow('ddb-down-1')).toBeUndefined();
      expect(await history().get('ddb-down-user')).toEqual([]);

      // The client's retry, with DynamoDB back, is accepted whole and lands in the history.
      const retry = await invoke(handler(), post({ events }));
      expect(retry.json).toMatchObject({ accepted: 2, duplicates: [] });
      expect((await history().get('ddb-down-user')).map((e) => [e.itemId, e.type, e.value])).toEqual([
        ['film-1', 'watch', 1],
        ['film-2', 'rating', 3.5],
      ]);
      // Two copies in S3; every reader of the log counts each event once.
      const read: string[] = [];
      await readEventLog(s3(), local().bucketName, (event) => event.userId === 'ddb-down-user' && read.push(event.eventId!));
      expect(read).toEqual(['ddb-down-1', 'ddb-down-2']);
      expect((await invoke(handler(), post({ events }))).json).toEqual({
        accepted: 0,
        duplicates: ['ddb-down-1', 'ddb-down-2'],
        batchId: null,
      });
    });

    it('answers 503 when the history write fails between the S3 write and the claims; the retry completes it, a further retry is a duplicate', async () => {
      const stores = localEventStores(local());
      let failures = 1;
      const failingOnce = Object.create(stores.history) as UserHistoryStore;
      failingOnce.put = async (records) => {
        if (failures-- > 0)
          throw Object.assign(new Error('Throughput exceeds the current capacity of your table'), { name: 'ThrottlingException' });
        return stores.history.put(records);
      };
      const h = createEventsHandler({ stores: () => ({ ...stores, history: failingOnce }), now });
      const events = [
        { eventId: 'fault-1', userId: 'fault-user', itemId: 'film-1', type: 'like', timestamp: 4000 },
        { userId: 'fault-user', itemId: 'film-2', type: 'click', timestamp: 4001 },
      ];
      const first = await invoke(h, post({ events }));
      expect(first.statusCode).toBe(503);
      expect(first.headers['Retry-After']).toBe('2');
      expect(JSON.stringify(first.json)).not.toContain('Throughput');
      expect(await idempotencyRow('fault-1')).toBeUndefined();
      expect(await history().get('fault-user')).toEqual([]);

      const retry = await invoke(h, post({ events }));
      expect(retry.statusCode).toBe(202);
      expect(retry.json).toMatchObject({ accepted: 2, duplicates: [] });
      expect((await history().get('fault-user')).map((e) => e.itemId)).toEqual(['film-1', 'film-2']);
      expect(await idempotencyRow('fault-1')).toMatchObject({ batchId: retry.json.batchId });

      const again = await invoke(h, post({ events: events.slice(0, 1) }));
      expect(again.json).toEqual({ accepted: 0, duplicates: ['fault-1'], batchId: null });
      expect((await history().get('fault-user')).map((e) => e.itemId)).toEqual(['film-1', 'film-2']);
    });

    it('restores a history from the log with the rebuild when a client never retried', async () => {
      const down = await unreachableClients();
      const events = [{ eventId: 'never-retried-1', userId: 'never-retried', itemId: 'film-1', type: 'watch', timestamp: 5000 }];
      expect(
        (await invoke(createEventsHandler({ stores: () => localEventStores(local(), { dynamo: down.dynamo }), now }), post({ events })))
          .statusCode,
      ).toBe(503);
      const { s3: client, dynamo } = createAwsClients({ s3ForcePathStyle: true });
      const report = await rebuildHistory({
        s3: client,
        bucket: local().bucketName,
        history: new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 3600 }),
        maxLength: 200,
        ttlSeconds: 180 * 86_400,
        now: NOW,
      });
      expect(report.usersFailed).toBe(0);
      expect((await history().get('never-retried')).map((e) => e.eventId)).toEqual(['never-retried-1']);
    });
  });

  describe('bad input: 4xx naming the field and index, nothing stored', () => {
    const good = { userId: 'bad-user', itemId: 'film-1', type: 'watch' };
    const cases: { name: string; body: unknown; status: number; field: string; headers?: Record<string, string> }[] = [
      {
        name: 'an unknown type',
        body: { events: [good, good, good, { ...good, type: 'binge' }] },
        status: 400,
        field: 'body.events[3].type',
      },
      { name: 'a missing userId', body: { events: [good, { itemId: 'x', type: 'like' }] }, status: 400, field: 'body.events[1].userId' },
      { name: 'a missing itemId', body: { events: [{ userId: 'x', type: 'like' }] }, status: 400, field: 'body.events[0].itemId' },
      { name: 'an empty userId', body: { events: [{ ...good, userId: '   ' }] }, status: 400, field: 'body.events[0].userId' },
      {
        name: 'a rating out of range',
        body: { events: [good, { ...good, type: 'rating', value: 5.5 }] },
        status: 400,
        field: 'body.events[1].value',
      },
      { name: 'a rating without a value', body: { events: [{ ...good, type: 'rating' }] }, status: 400, field: 'body.events[0].value' },
      { name: 'a watched fraction above 1', body: { events: [{ ...good, value: 1.5 }] }, status: 400, field: 'body.events[0].value' },
      {
        name: 'a timestamp more than a day in the future',
        body: { events: [good, good, { ...good, timestamp: NOW_SECONDS + 86_400 + 60 }] },
        status: 400,
        field: 'body.events[2].timestamp',
      },
      {
        name: 'a timestamp in milliseconds',
        body: { events: [{ ...good, timestamp: NOW.getTime() }] },
        status: 400,
        field: 'body.events[0].timestamp',
      },
      {
        name: 'a timestamp that is no date',
        body: { events: [{ ...good, timestamp: 'next tuesday' }] },
        status: 400,
        field: 'body.events[0].timestamp',
      },
      { name: 'a misspelt field', body: { events: [{ ...good, timestmp: 5 }] }, status: 400, field: 'body.events[0]' },
      { name: 'a batch over 100', body: { events: Array.from({ length: 101 }, () => good) }, status: 400, field: 'body.events' },
      { name: 'an empty batch', body: { events: [] }, status: 400, field: 'body.events' },
      { name: 'no events array', body: { event: [good] }, status: 400, field: 'body.events' },
      { name: 'a body that is not an object', body: '[1, 2]', status: 400, field: 'body' },
      { name: 'malformed JSON', body: '{"events": [', status: 400, field: 'body' },
      { name: 'no body', body: undefined, status: 400, field: 'body' },
      { name: 'a body over 256 KB', body: { events: [{ ...good, itemId: 'x'.repeat(300 * 1024) }] }, status: 413, field: 'body' },
      {
        name: 'a non-JSON content type',
        body: 'userId=a',
        status: 415,
        field: 'headers.content-type',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      },
    ];
    for (const c of cases) {
      it(`rejects ${c.name} with ${c.status} naming ${c.field}`, async () => {
        const before = await eventKeys();
        const response = await invoke(handler(), post(c.body, c.headers));
        expect(response.statusCode).toBe(c.status);
        expect(response.json.field).toBe(c.field);
        expect(typeof response.json.message).toBe('string');
        expect(response.json.message as string).not.toMatch(/^\s*$/);
        expect(await eventKeys()).toEqual(before);
        expect(await history().get('bad-user')).toEqual([]);
      });
    }

    it('accepts a timestamp just under a day ahead (clock drift)', async () => {
      const response = await invoke(
        handler(),
        post({ events: [{ userId: 'drift-user', itemId: 'a', type: 'watch', timestamp: NOW_SECONDS + 86_000 }] }),
      );
      expect(response.statusCode).toBe(202);
    });
  });
});
