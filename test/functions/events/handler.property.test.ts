import type { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { readId } from '../../../functions/commons/idSchema.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { eventsBatchKey } from '../../../functions/commons/storageLayout.ts';
import { createEventsHandler } from '../../../functions/events/handler.ts';
import { parseEventLine } from '../../../model/data/eventsNdjson.ts';
import type { InteractionEvent } from '../../../model/types/interactions.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke } from './apiGatewayEvent.ts';
import { localEventStores, objectsUnder, scanTable } from './localStores.ts';

const NOW = new Date('2026-05-01T08:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const TYPES = ['watch', 'complete', 'rating', 'like', 'dislike', 'click', 'skip'] as const;

/** An id as clients may send it: any Unicode text the id rule accepts (readId), or an integer. */
const idArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }).filter((s) => 'id' in readId(s)),
  fc.integer({ min: 0, max: 1e9 }),
);
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
const valueByType = {
  rating: finite(0.5, 5),
  watch: fc.option(finite(0, 1), { nil: undefined }),
  other: fc.option(finite(-1e6, 1e6), { nil: undefined }),
};
const timestampArb = fc.option(
  fc.oneof(
    fc.integer({ min: 0, max: NOW_SECONDS + 86_000 }),
    fc.date({ min: new Date(0), max: new Date((NOW_SECONDS + 86_000) * 1000), noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  { nil: undefined },
);

interface SentEvent {
  eventId?: string;
  userId: string | number;
  itemId: string | number;
  type: (typeof TYPES)[number];
  value?: number;
  timestamp?: number | string;
}

/** A valid event; eventIds come from a small pool so that repeats within and across batches are common. */
const eventArb: fc.Arbitrary<SentEvent> = fc
  .record({
    eventId: fc.option(
      fc.integer({ min: 0, max: 15 }).map((n) => `e${n}`),
      { nil: undefined },
    ),
    userId: fc.oneof(idArb, fc.constantFrom('viewer-a', 'viewer-b')),
    itemId: idArb,
    type: fc.constantFrom(...TYPES),
    timestamp: timestampArb,
  })
  .chain((base) =>
    (base.type === 'rating' ? valueByType.rating : base.type === 'watch' ? valueByType.watch : valueByType.other).map((value) => {
      const event: SentEvent = { userId: base.userId, itemId: base.itemId, type: base.type };
      if (base.eventId !== undefined) event.eventId = base.eventId;
      if (value !== undefined) event.value = value;
      if (base.timestamp !== undefined) event.timestamp = base.timestamp;
      return event;
    }),
  );

/** What the log should hold of a sent event (ids as text, timestamp in seconds, default now). */
function stored(event: SentEvent, namespace: string): InteractionEvent {
  const ts =
    event.timestamp === undefined
      ? NOW_SECONDS
      : typeof event.timestamp === 'number'
        ? event.timestamp
        : Date.parse(event.timestamp) / 1000;
  return {
    ...(event.eventId === undefined ? {} : { eventId: `${namespace}${event.eventId}` }),
    userId: String(event.userId),
    itemId: String(event.itemId),
    type: event.type,
    // Values are stored to 6 decimals (eventsSchema).
    ...(event.value === undefined ? {} : { value: Math.round(event.value * 1e6) / 1e6 + 0 }),
    timestamp: ts,
  };
}

describe('POST /v1/events, property-based (fast-check) against s3rver and dynalite', () => {
  const local = withLocalAws();
  const handler = () => createEventsHandler({ stores: () => localEventStores(local()), now: () => NOW });
  const s3 = (): S3Client => createAwsClients({ s3ForcePathStyle: true }).s3;
  beforeAll(() => logger.setLogLevel('SILENT'));

  it('stores random valid batches (with retries and repeated eventIds) exactly once: one S3 line and one idempotency row per eventId', async () => {
    let run = 0;
    const h = handler();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(eventArb, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        async (batches, retryPick) => {
          const namespace = `run${run++}-`;
          const sent = batches.map((batch) =>
            batch.map((e) => (e.eventId === undefined ? e : { ...e, eventId: `${namespace}${e.eventId}` })),
          );
          // The client retries one of its batches, as after a timeout.
          sent.push(sent[retryPick % sent.length]);

          const expected: InteractionEvent[] = [];
          const seen = new Set<string>();
          const batchIds: string[] = [];
          for (const batch of sent) {
            const response = await invoke(h, { method: 'POST', resource: '/v1/events', body: { events: batch } });
            expect(response.statusCode).toBe(202);
            let fresh = 0;
            for (const event of batch) {
              const want = stored({ ...event, eventId: event.eventId?.slice(namespace.length) }, namespace);
              if (want.eventId !== undefined) {
                if (seen.has(want.eventId)) continue;
                seen.add(want.eventId);
              }
              expected.push(want);
              fresh++;
            }
            expect(response.json.accepted).toBe(fresh);
            expect((response.json.duplicates as string[]).length).toBe(batch.length - fresh);
            if (response.json.batchId !== null) batchIds.push(response.json.batchId as string);
            else expect(fresh).toBe(0);
          }

          const objects = await objectsUnder(s3(), local().bucketName, 'events/');
          const lines: InteractionEvent[] = [];
          for (const batchId of batchIds) {
            const key = eventsBatchKey(NOW, batchId);
            const object = objects.find((o) => o.key === key);
            expect(object, key).toBeDefined();
            object!.text
              .trimEnd()
              .split('\n')
              .forEach((line, i) => lines.push(parseEventLine(line, key, i + 1)));
          }
          expect(lines).toEqual(expected);
          const rows = (await scanTable(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().idempotencyTableName)).filter((row) =>
            String(row.eventId).startsWith(namespace),
          );
          expect(rows.map((row) => row.eventId).sort()).toEqual([...seen].sort());
        },
      ),
      { numRuns: 25, seed: 20260501 },
    );
  });

  it('rejects random invalid batches with a 4xx naming the bad event, never a 5xx, and stores nothing', async () => {
    const h = handler();
    const before = await objectsUnder(s3(), local().bucketName, 'events/');
    const corruptions: fc.Arbitrary<(event: Record<string, unknown>) => unknown>[] = [
      fc
        .string()
        .filter((t) => !(TYPES as readonly string[]).includes(t))
        .map((t) => (e) => ({ ...e, type: t })),
      fc.constantFrom('userId', 'itemId', 'type').map((field) => (e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field))),
      fc
        .constantFrom('userId', 'itemId', 'eventId')
        .chain((field) =>
          fc
            .constantFrom<unknown>('', '   ', null, true, 1.5, [], {}, 'x'.repeat(300))
            .map((bad) => (e: Record<string, unknown>) => ({ ...e, [field]: bad })),
        ),
      fc.oneof(finite(-100, 0.49), finite(5.01, 1e9)).map((v) => (e) => ({ ...e, type: 'rating', value: v })),
      fc.constant((e: Record<string, unknown>) => ({ ...e, type: 'rating', value: undefined })),
      fc.oneof(finite(-10, -0.001), finite(1.001, 100)).map((v) => (e) => ({ ...e, type: 'watch', value: v })),
      fc.constantFrom<unknown>('5', true, [], {}).map((v) => (e) => ({ ...e, value: v })),
      fc.integer({ min: NOW_SECONDS + 86_401, max: 99_999_999_999 }).map((t) => (e) => ({ ...e, timestamp: t })),
      fc.constantFrom<unknown>('soon', '2026-13-45', '', -5, true, 1e12).map((t) => (e) => ({ ...e, timestamp: t })),
      fc
        .string({ minLength: 1, maxLength: 10 })
        .filter((k) => !['eventId', 'userId', 'itemId', 'type', 'value', 'timestamp', '__proto__'].includes(k))
        .map((k) => (e) => ({ ...e, [k]: 1 })),
      fc.constantFrom<unknown>(null, 5, 'event', []).map((v) => () => v),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.oneof(...corruptions),
        async (batch, pick, corrupt) => {
          const index = pick % batch.length;
          const events: unknown[] = batch.map((e) => ({ ...e }));
          events[index] = corrupt(events[index] as Record<string, unknown>);
          const response = await invoke(h, { method: 'POST', resource: '/v1/events', body: { events } });
          expect(response.statusCode).toBe(400);
          expect(String(response.json.field)).toMatch(new RegExp(`^body\\.events\\[${index}\\]`));
        },
      ),
      { numRuns: 150, seed: 424242 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
          fc.array(eventArb, { minLength: 101, maxLength: 130 }).map((events) => JSON.stringify({ events })),
        ),
        async (body) => {
          const response = await invoke(h, { method: 'POST', resource: '/v1/events', body });
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          expect(typeof response.json.field).toBe('string');
        },
      ),
      { numRuns: 100, seed: 777 },
    );
    expect(await objectsUnder(s3(), local().bucketName, 'events/')).toEqual(before);
  });
});
