import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import {
  eventLine,
  historyEntry,
  listEventObjects,
  putEventBatch,
  readEventLog,
  type LoggedEvent,
} from '../../../functions/commons/eventLog.ts';
import { compactedEventsKey, eventsBatchKey } from '../../../functions/commons/storageLayout.ts';
import { readEventsNdjson } from '../../../model/data/eventsNdjson.ts';
import type { InteractionEvent } from '../../../model/types/interactions.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { objectsUnder } from '../events/localStores.ts';

const EVENTS: LoggedEvent[] = [
  { eventId: 'e1', userId: 'u1', itemId: 'i1', type: 'rating', value: 4.5, timestamp: 1_700_000_000.5 },
  { userId: 'u2', itemId: 'i2', type: 'like', timestamp: 1_700_000_001 },
  { eventId: 'e3', userId: 'u1', itemId: 'i3', type: 'watch', value: 0.25, timestamp: 1_700_000_002 },
];

describe('eventLine', () => {
  it('writes the fields in a fixed order and leaves absent ones out', () => {
    expect(eventLine(EVENTS[0])).toBe('{"eventId":"e1","userId":"u1","itemId":"i1","type":"rating","value":4.5,"timestamp":1700000000.5}');
    expect(eventLine(EVENTS[1])).toBe('{"userId":"u2","itemId":"i2","type":"like","timestamp":1700000001}');
  });

  it('writes lines the training loader reads back as the same events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-eventlog-'));
    try {
      const file = join(dir, 'batch.ndjson');
      await writeFile(file, `${EVENTS.map(eventLine).join('\n')}\n`);
      const table = await readEventsNdjson(file);
      expect(table.size).toBe(3);
      expect(table.userIds).toEqual(['u1', 'u2']);
      expect(Array.from(table.timestamps)).toEqual(EVENTS.map((e) => e.timestamp));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('turns an event into its history entry', () => {
    expect(historyEntry(EVENTS[0])).toEqual({ eventId: 'e1', itemId: 'i1', type: 'rating', value: 4.5, timestamp: 1_700_000_000.5 });
    expect(historyEntry(EVENTS[1])).toEqual({ itemId: 'i2', type: 'like', timestamp: 1_700_000_001 });
  });
});

describe('the event log in s3rver', () => {
  const local = withLocalAws();
  const s3 = (): S3Client => createAwsClients({ s3ForcePathStyle: true }).s3;
  const bucket = () => local().bucketName;
  const at = (iso: string) => new Date(iso);
  const key = (iso: string, id: string) => eventsBatchKey(at(iso), `${iso.replace(/[-:.]/g, '')}-${id}`);
  const read = async (options: Parameters<typeof readEventLog>[3] = {}) => {
    const events: InteractionEvent[] = [];
    const stats = await readEventLog(s3(), bucket(), (event) => events.push(event), options);
    return { events, stats };
  };

  beforeEach(async () => {
    for (const object of await objectsUnder(s3(), bucket(), 'events/'))
      await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: object.key }));
  });

  it('lists live objects in accepted order, the highest generation of each batch, with the ones it supersedes', async () => {
    const a = key('2026-01-01T00:00:00.000Z', 'aaaaaaaaaaaaaaaa');
    const b = key('2026-01-01T00:30:00.000Z', 'bbbbbbbbbbbbbbbb');
    const c = key('2026-01-02T05:00:00.000Z', 'cccccccccccccccc');
    for (const k of [c, a, b, compactedEventsKey(b, 1), compactedEventsKey(b, 2)]) await putEventBatch(s3(), bucket(), k, EVENTS);
    const listed = [];
    for await (const object of listEventObjects(s3(), bucket())) listed.push(object);
    expect(listed.map((o) => [o.key, o.generation, o.superseded])).toEqual([
      [a, 0, []],
      [compactedEventsKey(b, 2), 2, [b, compactedEventsKey(b, 1)]],
      [c, 0, []],
    ]);
    expect(listed[2].hour).toEqual(at('2026-01-02T05:00:00.000Z'));
  });

  it('reads every event once: repeated eventIds within the window are dropped, later ones kept', async () => {
    await putEventBatch(s3(), bucket(), key('2026-01-01T00:00:00.000Z', 'aaaaaaaaaaaaaaaa'), EVENTS);
    // A copy of e1 left by a crash before the claim, retried an hour later: a duplicate.
    await putEventBatch(s3(), bucket(), key('2026-01-01T01:00:00.000Z', 'bbbbbbbbbbbbbbbb'), [EVENTS[0], { ...EVENTS[1], itemId: 'i9' }]);
    // The same id three days later is a new event (the idempotency window has passed).
    await putEventBatch(s3(), bucket(), key('2026-01-04T02:00:00.000Z', 'cccccccccccccccc'), [EVENTS[0]]);
    const { events, stats } = await read();
    expect(events.map((e) => `${e.eventId ?? '-'}/${e.itemId}`)).toEqual(['e1/i1', '-/i2', 'e3/i3', '-/i9', 'e1/i1']);
    expect(stats).toEqual({ objects: 3, events: 5, duplicates: 1, invalidLines: 0, tombstoned: 0 });
    // A window as long as the whole log drops the late copy too.
    expect((await read({ windowSeconds: 7 * 86_400 })).stats.duplicates).toBe(2);
  });

  it('skips events of forgotten users and counts malformed lines without failing', async () => {
    const k = key('2026-01-01T00:00:00.000Z', 'aaaaaaaaaaaaaaaa');
    await s3().send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: k,
        Body: `${eventLine(EVENTS[0])}\nnot json\n\n{"userId":"u3","itemId":"x","type":"binge","timestamp":1}\n${eventLine(EVENTS[1])}\n`,
      }),
    );
    const invalid: string[] = [];
    const { events, stats } = await read({
      tombstones: new Map([['u2', Date.parse('2026-01-02T00:00:00Z')]]),
      onInvalidLine: (error) => invalid.push(error.message),
    });
    expect(events.map((e) => e.itemId)).toEqual(['i1']);
    expect(stats).toEqual({ objects: 1, events: 1, duplicates: 0, invalidLines: 2, tombstoned: 1 });
    expect(invalid).toHaveLength(2);
    expect(invalid[0]).toContain(`${k}:2`);
  });

  it('reads the compacted copy when a compaction replaces an object between the listing and the read', async () => {
    const k = key('2026-01-01T00:00:00.000Z', 'aaaaaaaaaaaaaaaa');
    await putEventBatch(s3(), bucket(), k, EVENTS);
    const real = s3();
    const racing = Object.create(real) as S3Client;
    let compacted = false;
    racing.send = (async (command: unknown) => {
      if (command instanceof GetObjectCommand && !compacted) {
        compacted = true; // a compaction runs right now: copy without u2, then delete the original
        await putEventBatch(real, bucket(), compactedEventsKey(k, 1), [EVENTS[0], EVENTS[2]]);
        await real.send(new DeleteObjectCommand({ Bucket: bucket(), Key: k }));
      }
      return real.send(command as GetObjectCommand);
    }) as S3Client['send'];
    const events: string[] = [];
    const stats = await readEventLog(racing, bucket(), (event) => events.push(event.itemId));
    expect(events).toEqual(['i1', 'i3']);
    expect(stats.objects).toBe(1);
  });

  it('reads an object again when its connection drops mid-response, and fails on other errors', async () => {
    const k = key('2026-01-01T00:00:00.000Z', 'bbbbbbbbbbbbbbbb');
    await putEventBatch(s3(), bucket(), k, EVENTS);
    const real = s3();
    const flaky = (failure: Error & { code?: string }, times: number): S3Client => {
      const client = Object.create(real) as S3Client;
      let left = times;
      client.send = (async (command: unknown) => {
        if (command instanceof GetObjectCommand && left > 0) {
          left--;
          throw failure;
        }
        return real.send(command as GetObjectCommand);
      }) as S3Client['send'];
      return client;
    };
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const events: string[] = [];
    const stats = await readEventLog(flaky(hangUp, 2), bucket(), (event) => events.push(event.itemId));
    expect(events).toEqual(['i1', 'i2', 'i3']);
    expect(stats.objects).toBe(1);
    await expect(readEventLog(flaky(hangUp, 10), bucket(), () => undefined)).rejects.toThrow('socket hang up');
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    await expect(readEventLog(flaky(denied, 1), bucket(), () => undefined)).rejects.toThrow('Access Denied');
  });
});
