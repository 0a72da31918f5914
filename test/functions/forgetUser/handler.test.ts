import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { compactEvents } from '../../../functions/commons/eventCompaction.ts';
import { readEventLog } from '../../../functions/commons/eventLog.ts';
import { rebuildHistory } from '../../../functions/commons/historyRebuild.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { tombstoneKey } from '../../../functions/commons/storageLayout.ts';
import { listTombstones } from '../../../functions/commons/tombstones.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { createEventsHandler } from '../../../functions/events/handler.ts';
import { createForgetUserHandler, handler as defaultHandler } from '../../../functions/forgetUser/handler.ts';
import { readTrainingSnapshot } from '../../../functions/retrain/trainingSnapshot.ts';
import { createUserHistoryHandler } from '../../../functions/userHistory/handler.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke, type TestRequest } from '../events/apiGatewayEvent.ts';
import { localEventStores, objectsUnder, unreachableClients } from '../events/localStores.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const NOW = new Date('2026-07-01T09:30:00.000Z');
const forget = (userId: string): TestRequest => ({ method: 'DELETE', resource: '/v1/users/{userId}', pathParameters: { userId } });

describe('DELETE /v1/users/{userId} against s3rver and dynalite', () => {
  const local = withLocalAws();
  const clients = () => createAwsClients({ s3ForcePathStyle: true });
  const history = () => new UserHistoryStore(clients().dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 3600 });
  const stores =
    (overrides: { s3?: S3Client; dynamo?: ReturnType<typeof clients>['dynamo'] } = {}) =>
    () => ({
      s3: overrides.s3 ?? clients().s3,
      bucket: local().bucketName,
      history: new UserHistoryStore(overrides.dynamo ?? clients().dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 3600 }),
    });
  const handler = () => createForgetUserHandler({ stores: stores(), now: () => NOW });
  const postEvents = (events: unknown[], at = NOW) =>
    invoke(createEventsHandler({ stores: () => localEventStores(local()), now: () => at }), {
      method: 'POST',
      resource: '/v1/events',
      body: { events },
    });

  beforeAll(() => logger.setLogLevel('SILENT'));

  it('removes the history at once, writes the tombstone, and the events leave the log at compaction', async () => {
    await postEvents([
      { eventId: 'f-1', userId: 'leaving', itemId: 'film-1', type: 'watch', timestamp: 100 },
      { eventId: 'f-2', userId: 'staying', itemId: 'film-1', type: 'watch', timestamp: 101 },
      { eventId: 'f-3', userId: 'leaving', itemId: 'film-2', type: 'rating', value: 4, timestamp: 102 },
    ]);
    await postEvents([{ userId: 'leaving', itemId: 'film-3', type: 'like', timestamp: 103 }]);
    expect(await history().get('leaving')).toHaveLength(3);

    const response = await invoke(handler(), forget('leaving'));
    expect(response.statusCode).toBe(202);
    expectMatchesApi('DELETE /v1/users/{userId}', { ...response, body: response.json });
    expect(response.json).toMatchObject({ userId: 'leaving', forgottenAt: NOW.toISOString(), history: 'deleted' });
    expect(await history().get('leaving')).toEqual([]);
    expect((await history().get('staying')).map((e) => e.itemId)).toEqual(['film-1']);

    const { s3 } = clients();
    const tombstones = await listTombstones(s3, local().bucketName);
    expect(tombstones.has('leaving')).toBe(true);
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: local().bucketName, Key: tombstoneKey('leaving') }));
    expect(JSON.parse(await Body!.transformToString())).toEqual({ userId: 'leaving', forgottenAt: NOW.toISOString() });

    // Every reader skips the forgotten user from now on; compaction then removes the lines.
    const users = new Set<string>();
    await readEventLog(s3, local().bucketName, (event) => users.add(event.userId), { tombstones });
    expect(users.has('leaving')).toBe(false);
    const report = await compactEvents(s3, local().bucketName, tombstones);
    expect(report.linesRemoved).toBe(3);
    const left: string[] = [];
    const stats = await readEventLog(s3, local().bucketName, (event) => left.push(`${event.userId}/${event.itemId}`));
    expect(stats.tombstoned).toBe(0);
    expect(left).toEqual(['staying/film-1']);

    // A history rebuild does not bring the forgotten user back.
    await rebuildHistory({ s3, bucket: local().bucketName, history: history(), maxLength: 200, ttlSeconds: 86_400 * 180, now: NOW });
    expect(await history().get('leaving')).toEqual([]);
  });

  it('holds: events up to the forget never come back, later ones are a new relationship for serving and training alike', async () => {
    const seconds = (date: Date) => date.getTime() / 1000;
    const before = new Date(NOW.getTime() - 3_600_000);
    const after = new Date(NOW.getTime() + 3_600_000);
    await postEvents(
      [
        { eventId: 'r-old', userId: 'returning', itemId: 'film-1', type: 'watch', timestamp: seconds(before) - 60 },
        // Stamped ahead by a fast clock, but sent before the forget: forgotten too.
        { eventId: 'r-ahead', userId: 'returning', itemId: 'film-2', type: 'like', timestamp: seconds(NOW) + 600 },
        { eventId: 'r-other', userId: 'bystander', itemId: 'film-1', type: 'watch', timestamp: seconds(before) },
      ],
      before,
    );
    expect((await invoke(handler(), forget('returning'))).statusCode).toBe(202);

    // After the forget: a new event, and a late one stamped before the forget (refused by the history).
    const late = await postEvents(
      [
        { eventId: 'r-new', userId: 'returning', itemId: 'film-3', type: 'complete' },
        { eventId: 'r-late', userId: 'returning', itemId: 'film-4', type: 'watch', timestamp: seconds(NOW) - 30 },
      ],
      after,
    );
    expect(late.json).toMatchObject({ accepted: 2, duplicates: [] });

    // Serving: only the new relationship, through the store serving reads and the history route.
    expect((await history().get('returning')).map((e) => e.eventId)).toEqual(['r-new']);
    const route = await invoke(createUserHistoryHandler({ history: history, maxLength: 200 }), {
      method: 'GET',
      resource: '/v1/users/{userId}/history',
      pathParameters: { userId: 'returning' },
    });
    expect((route.json.items as { eventId: string }[]).map((item) => item.eventId)).toEqual(['r-new']);

    // Training reads the post-forget event only; compaction removes exactly the forgotten lines.
    const { s3 } = clients();
    const tombstones = await listTombstones(s3, local().bucketName);
    expect(tombstones.get('returning')).toBe(NOW.getTime());
    const trainingUsers = async () => {
      const snapshot = await readTrainingSnapshot(s3, local().bucketName, { tombstones, windowSeconds: 86_400 });
      const { table } = snapshot;
      return Array.from({ length: table.size }, (_, r) => `${table.userIds[table.users[r]]}/${table.itemIds[table.items[r]]}`).filter(
        (pair) => pair.startsWith('returning/'),
      );
    };
    expect(await trainingUsers()).toEqual(['returning/film-3']);
    const report = await compactEvents(s3, local().bucketName, tombstones);
    expect(report.linesRemoved).toBeGreaterThanOrEqual(3);
    const lines = (await objectsUnder(s3, local().bucketName, 'events/')).flatMap((o) =>
      o.text.split('\n').filter((l) => l.includes('"returning"')),
    );
    expect(lines.map((l) => JSON.parse(l).eventId)).toEqual(['r-new']);
    expect(await trainingUsers()).toEqual(['returning/film-3']);
    expect((await history().get('bystander')).map((e) => e.eventId)).toEqual(['r-other']);

    // A rebuild of the history agrees.
    await rebuildHistory({ s3, bucket: local().bucketName, history: history(), maxLength: 200, ttlSeconds: 86_400 * 180, now: after });
    expect((await history().get('returning')).map((e) => e.eventId)).toEqual(['r-new']);
  });

  it('answers 202 again when repeated, and for a user it never saw', async () => {
    expect((await invoke(handler(), forget('never-seen'))).statusCode).toBe(202);
    expect((await invoke(handler(), forget('never-seen'))).statusCode).toBe(202);
    expect((await invoke(defaultHandler, forget('never-seen-2'))).statusCode).toBe(202);
    expect((await listTombstones(clients().s3, local().bucketName)).has('never-seen-2')).toBe(true);
  });

  it('refuses a blank user id with 400 naming path.userId', async () => {
    const response = await invoke(handler(), forget('  '));
    expect(response.statusCode).toBe(400);
    expect(response.json.field).toBe('path.userId');
  });

  it('answers 503 and keeps the history when S3 is down (the tombstone goes first)', async () => {
    await postEvents([{ userId: 'kept', itemId: 'film-1', type: 'watch', timestamp: 5 }]);
    const down = await unreachableClients();
    const response = await invoke(createForgetUserHandler({ stores: stores({ s3: down.s3 }), now: () => NOW }), forget('kept'));
    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('2');
    expect(await history().get('kept')).toHaveLength(1);
    expect((await listTombstones(clients().s3, local().bucketName)).has('kept')).toBe(false);
  });

  it('answers 503 when DynamoDB is down, with the tombstone already written; the retry completes', async () => {
    await postEvents([{ userId: 'half', itemId: 'film-1', type: 'watch', timestamp: 5 }]);
    const down = await unreachableClients();
    const response = await invoke(createForgetUserHandler({ stores: stores({ dynamo: down.dynamo }), now: () => NOW }), forget('half'));
    expect(response.statusCode).toBe(503);
    expect((await listTombstones(clients().s3, local().bucketName)).has('half')).toBe(true);
    expect((await invoke(handler(), forget('half'))).statusCode).toBe(202);
    expect(await history().get('half')).toEqual([]);
  });
});
