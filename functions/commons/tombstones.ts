import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readObjectText } from './eventLog.ts';
import { mapConcurrent } from './mapConcurrent.ts';
import { TOMBSTONES_PREFIX, tombstoneKey } from './storageLayout.ts';

/**
 * Viewers who asked to be forgotten: one object `tombstones/<userId>` each (DESIGN.md), whose body
 * records when. Their events up to that moment (forgetting.ts) are left out of every retrain and
 * history rebuild, and compaction removes them from events/; later events are kept.
 */
export interface Tombstone {
  readonly userId: string;
  /** ISO-8601 time of the (latest) request. */
  readonly forgottenAt: string;
}

/** Forgotten user ids and when each was forgotten (milliseconds since the epoch). */
export type Tombstones = ReadonlyMap<string, number>;

/** Tombstone bodies read at once. */
const READ_CONCURRENCY = 16;

export async function writeTombstone(s3: S3Client, bucket: string, userId: string, forgottenAt: Date): Promise<Tombstone> {
  const tombstone: Tombstone = { userId, forgottenAt: forgottenAt.toISOString() };
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: tombstoneKey(userId), Body: JSON.stringify(tombstone), ContentType: 'application/json' }),
  );
  return tombstone;
}

/**
 * Every tombstoned user id with its forgottenAt: the keys by ListObjectsV2 pages, then each body.
 * A body without a readable time counts from the object's LastModified, or, lacking that, forgets
 * every event of the user.
 */
export async function listTombstones(s3: S3Client, bucket: string): Promise<Map<string, number>> {
  const listed: { key: string; userId: string; lastModified?: Date }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: TOMBSTONES_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const userId = userIdOfKey(object.Key);
      if (userId !== undefined) listed.push({ key: object.Key!, userId, lastModified: object.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const times = await mapConcurrent(listed, READ_CONCURRENCY, async ({ key, lastModified }) => {
    const text = await readObjectText(s3, bucket, key);
    return forgottenAtOf(text) ?? lastModified?.getTime() ?? Number.POSITIVE_INFINITY;
  });
  return new Map(listed.map(({ userId }, i) => [userId, times[i]]));
}

function forgottenAtOf(text: string): number | undefined {
  try {
    const body: unknown = JSON.parse(text);
    const at = typeof body === 'object' && body !== null ? Date.parse(String((body as Partial<Tombstone>).forgottenAt)) : Number.NaN;
    return Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}

function userIdOfKey(key: string | undefined): string | undefined {
  if (!key?.startsWith(TOMBSTONES_PREFIX) || key.length === TOMBSTONES_PREFIX.length) return undefined;
  try {
    return decodeURIComponent(key.slice(TOMBSTONES_PREFIX.length));
  } catch {
    return undefined; // not a key tombstoneKey wrote
  }
}
