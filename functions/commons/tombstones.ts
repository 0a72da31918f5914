import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TOMBSTONES_PREFIX, tombstoneKey } from './storageLayout.ts';

/**
 * Viewers who asked to be forgotten: one object `tombstones/<userId>` each (DESIGN.md). Every
 * retrain and history rebuild ignores all events of a tombstoned user id, and compaction removes
 * them from events/. The body records when the request was made.
 */
export interface Tombstone {
  readonly userId: string;
  /** ISO-8601 time of the (latest) request. */
  readonly forgottenAt: string;
}

export async function writeTombstone(s3: S3Client, bucket: string, userId: string, forgottenAt: Date): Promise<Tombstone> {
  const tombstone: Tombstone = { userId, forgottenAt: forgottenAt.toISOString() };
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: tombstoneKey(userId), Body: JSON.stringify(tombstone), ContentType: 'application/json' }));
  return tombstone;
}

/** The ids of every tombstoned user (from the keys alone, one ListObjectsV2 page per 1000 users). */
export async function listTombstones(s3: S3Client, bucket: string): Promise<Set<string>> {
  const users = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: TOMBSTONES_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const userId = userIdOfKey(object.Key);
      if (userId !== undefined) users.add(userId);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return users;
}

function userIdOfKey(key: string | undefined): string | undefined {
  if (!key?.startsWith(TOMBSTONES_PREFIX) || key.length === TOMBSTONES_PREFIX.length) return undefined;
  try {
    return decodeURIComponent(key.slice(TOMBSTONES_PREFIX.length));
  } catch {
    return undefined; // not a key tombstoneKey wrote
  }
}
