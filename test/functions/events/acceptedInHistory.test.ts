import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { createEventsHandler } from '../../../functions/events/handler.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke } from './apiGatewayEvent.ts';
import { localEventStores } from './localStores.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');

/**
 * The invariant of POST /v1/events under concurrency: every event answered 202 is in its viewer's
 * history, whatever the number of writers and however their requests interleave (issue 11: the
 * read-merge-write history kept 45 of 100 events under 20 writers).
 */
describe('every accepted event is in the history, against s3rver and dynalite', () => {
  const local = withLocalAws();
  const handler = () => createEventsHandler({ stores: () => localEventStores(local(), { historyLength: 1000 }), now: () => NOW });
  const history = () =>
    new UserHistoryStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName, {
      maxLength: 1000,
      ttlSeconds: 3600,
    });
  beforeAll(() => logger.setLogLevel('SILENT'));

  it('keeps all 100 events of 20 concurrent writers × 5 single-event requests for one viewer', async () => {
    const writers = 20;
    const perWriter = 5;
    const h = handler();
    const responses = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const answers = [];
        for (let i = 0; i < perWriter; i++) {
          const event = { eventId: `c-${w}-${i}`, userId: 'crowded', itemId: `film-${w}-${i}`, type: 'watch', timestamp: 1_000 + i };
          answers.push(await invoke(h, { method: 'POST', resource: '/v1/events', body: { events: [event] } }));
        }
        return answers;
      }),
    );
    const flat = responses.flat();
    expect(flat.every((r) => r.statusCode === 202 && r.json.accepted === 1)).toBe(true);
    const kept = new Set((await history().recent('crowded', 1000)).map((e) => e.eventId));
    expect(kept.size).toBe(writers * perWriter);
  });

  it('property: across random interleavings of concurrent batches (with retries and shared eventIds), each 202-accepted event is in the history once', async () => {
    let run = 0;
    // An eventId names one event (a retry resends it whole), so id n always carries the same content;
    // events without an id are free.
    const eventArb = fc.oneof(
      fc.integer({ min: 0, max: 20 }).map((n) => ({ id: n, user: n % 3, item: n, second: n * 7 })),
      fc.record({
        id: fc.constant(undefined),
        user: fc.integer({ min: 0, max: 2 }),
        item: fc.integer({ min: 0, max: 50 }),
        second: fc.integer({ min: 0, max: 1_000 }),
      }),
    );
    const batchArb = fc.array(eventArb, { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 2, maxLength: 8 }), fc.scheduler(), async (batches, scheduler) => {
        const ns = `p${run++}-`;
        const h = handler();
        const send = (batch: (typeof batches)[number]) =>
          invoke(h, {
            method: 'POST',
            resource: '/v1/events',
            body: {
              events: batch.map((e) => ({
                ...(e.id === undefined ? {} : { eventId: `${ns}${e.id}` }),
                userId: `${ns}u${e.user}`,
                itemId: `m${e.item}`,
                type: 'click',
                timestamp: 1_000_000 + e.second,
              })),
            },
          });
        // The scheduler releases the requests in an order fast-check picks (and shrinks); all are in flight together.
        const pending = Promise.all(
          batches.map((batch, i) => scheduler.schedule(Promise.resolve(i), `batch ${i}`).then(() => send(batch))),
        );
        await scheduler.waitAll();
        const responses = await pending;
        expect(responses.every((r) => r.statusCode === 202)).toBe(true);

        // Every eventId sent was acknowledged by exactly one request (the others call it a
        // duplicate), and every event without an id by its own request.
        const ids = new Set(batches.flat().flatMap((e) => (e.id === undefined ? [] : [`${ns}${e.id}`])));
        const idless = batches.flat().filter((e) => e.id === undefined).length;
        expect(responses.reduce((sum, r) => sum + (r.json.accepted as number), 0)).toBe(ids.size + idless);

        const stored = (await Promise.all([0, 1, 2].map((u) => history().recent(`${ns}u${u}`, 1000)))).flat();
        const storedIds = stored.flatMap((e) => (e.eventId === undefined ? [] : [e.eventId]));
        expect(new Set(storedIds)).toEqual(ids);
        expect(storedIds.length).toBe(ids.size);
        expect(stored.length - storedIds.length).toBe(idless);
      }),
      { numRuns: 20, seed: 20261207 },
    );
  });
});
