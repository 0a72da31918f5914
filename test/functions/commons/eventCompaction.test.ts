import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { compactEvents } from '../../../functions/commons/eventCompaction.ts';
import { readEventLog } from '../../../functions/commons/eventLog.ts';
import { compactedEventsKey } from '../../../functions/commons/storageLayout.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { objectsUnder } from '../events/localStores.ts';

const line = (userId: unknown, itemId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ eventId: `${String(userId)}-${itemId}`, userId, itemId, type: 'watch', timestamp: 1000, ...extra });

/** Five batches: mixed users, one of forgotten users only, one without them, odd lines. */
const BATCHES: Record<string, string[]> = {
  'events/2026/01/01/00/20260101T000000000Z-aaaaaaaaaaaaaaaa.ndjson': [
    line('gone', 'a'),
    line('kept', 'a'),
    line('gone', 'b'),
    line('kept', 'b'),
  ],
  'events/2026/01/01/00/20260101T000001000Z-bbbbbbbbbbbbbbbb.ndjson': [line('gone', 'c'), line(' gone ', 'd'), line('also-gone', 'e')],
  'events/2026/01/01/01/20260101T010000000Z-cccccccccccccccc.ndjson': [line('kept', 'c'), line('other', 'c')],
  // A numeric user id (read as "7"), a corrupt line and a line without a userId are kept unless they name a forgotten user.
  'events/2026/01/02/00/20260102T000000000Z-dddddddddddddddd.ndjson': [
    line(7, 'f'),
    '{"userId": "gone", broken',
    line('kept', 'g', { userId: undefined }),
    line(8, 'h'),
  ],
  'events/2026/01/03/00/20260103T000000000Z-eeeeeeeeeeeeeeee.ndjson': [line('other', 'x')],
};
/** Forgotten after every event of BATCHES (timestamps 1000, accepted on 2026-01-01…03). */
const FORGOTTEN = forgottenAt(['gone', 'also-gone', '8'], Date.parse('2026-02-01T00:00:00Z'));

function forgottenAt(userIds: readonly string[], ms: number): Map<string, number> {
  return new Map(userIds.map((userId) => [userId, ms]));
}

describe('compactEvents against s3rver', () => {
  const local = withLocalAws();
  const s3 = (): S3Client => createAwsClients({ s3ForcePathStyle: true }).s3;
  const bucket = () => local().bucketName;
  const put = (key: string, lines: string[]) =>
    s3().send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: `${lines.join('\n')}\n` }));

  beforeEach(async () => {
    for (const object of await objectsUnder(s3(), bucket(), 'events/'))
      await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: object.key }));
    for (const [key, lines] of Object.entries(BATCHES)) await put(key, lines);
  });

  const allLines = async () =>
    (await objectsUnder(s3(), bucket(), 'events/')).flatMap((o) => o.text.split('\n').filter((l) => l.length > 0));
  const isForgotten = (text: string) => {
    try {
      const userId = JSON.parse(text).userId;
      return FORGOTTEN.has(typeof userId === 'number' ? String(userId) : String(userId).trim());
    } catch {
      return false;
    }
  };

  it('removes exactly the forgotten users’ lines and keeps every other line byte for byte', async () => {
    const before = await allLines();
    const report = await compactEvents(s3(), bucket(), FORGOTTEN);
    const after = await allLines();
    expect(after.sort()).toEqual(before.filter((l) => !isForgotten(l)).sort());
    expect(report).toEqual({ objectsScanned: 5, objectsRewritten: 2, objectsEmptied: 1, supersededDeleted: 0, linesRemoved: 6 });

    const keys = (await objectsUnder(s3(), bucket(), 'events/')).map((o) => o.key);
    const [mixed, onlyGone, untouched, odd, alone] = Object.keys(BATCHES);
    expect(keys).toEqual([compactedEventsKey(mixed, 1), untouched, compactedEventsKey(odd, 1), alone].sort());
    expect(keys).not.toContain(onlyGone);
  });

  it('changes nothing when run again, or with no tombstones', async () => {
    await compactEvents(s3(), bucket(), FORGOTTEN);
    const once = await objectsUnder(s3(), bucket(), 'events/');
    expect(await compactEvents(s3(), bucket(), FORGOTTEN)).toMatchObject({ objectsRewritten: 0, objectsEmptied: 0, linesRemoved: 0 });
    expect(await compactEvents(s3(), bucket(), new Map())).toMatchObject({ objectsScanned: 4, linesRemoved: 0 });
    expect(await objectsUnder(s3(), bucket(), 'events/')).toEqual(once);
  });

  it('compacts a compacted object again into its next generation', async () => {
    await compactEvents(s3(), bucket(), FORGOTTEN);
    const report = await compactEvents(s3(), bucket(), forgottenAt(['other'], Date.parse('2026-02-01T00:00:00Z')));
    expect(report.linesRemoved).toBe(2);
    const keys = (await objectsUnder(s3(), bucket(), 'events/')).map((o) => o.key);
    const [mixed, , untouched, odd] = Object.keys(BATCHES);
    expect(keys).toEqual([compactedEventsKey(mixed, 1), compactedEventsKey(untouched, 1), compactedEventsKey(odd, 1)].sort());
  });

  it('recovers from a crash between writing the copy and deleting the original: readers count the copy only, the next run deletes the original', async () => {
    const [mixed] = Object.keys(BATCHES);
    const copy = BATCHES[mixed].filter((l) => !isForgotten(l));
    await put(compactedEventsKey(mixed, 1), copy); // the crash: the original is still there

    const read: string[] = [];
    await readEventLog(s3(), bucket(), (event, object) => {
      if (object.base === mixed.slice(0, -'.ndjson'.length)) read.push(`${event.userId}/${event.itemId}`);
    });
    expect(read).toEqual(['kept/a', 'kept/b']);

    const report = await compactEvents(s3(), bucket(), FORGOTTEN);
    expect(report.supersededDeleted).toBe(1);
    const keys = (await objectsUnder(s3(), bucket(), 'events/')).map((o) => o.key);
    expect(keys).toContain(compactedEventsKey(mixed, 1));
    expect(keys).not.toContain(mixed);
    expect((await allLines()).filter((l) => l.includes('"kept"') && l.includes('"itemId":"a"'))).toHaveLength(1);
  });
});
