import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listEventObjects, readObjectText, type EventObject } from './eventLog.ts';
import { isForgotten } from './forgetting.ts';
import { compactedEventsKey } from './storageLayout.ts';
import type { Tombstones } from './tombstones.ts';

export interface CompactionReport {
  readonly objectsScanned: number;
  /** Objects replaced by a compacted copy holding the lines of other users. */
  readonly objectsRewritten: number;
  /** Objects deleted without a copy: every line was a forgotten user's. */
  readonly objectsEmptied: number;
  /** Lower generations left by an interrupted compaction, deleted. */
  readonly supersededDeleted: number;
  readonly linesRemoved: number;
}

export interface CompactionOptions {
  /** Objects processed at once (default 8). */
  readonly concurrency?: number;
}

/**
 * Removes the events the tombstones forget from events/ (a forgotten user's events up to the
 * moment they were forgotten, by timestamp or accepted time: forgetting.ts; later ones stay):
 * every object holding such a line is replaced by a copy without those lines (every other line
 * kept byte for byte, malformed ones included) under its next generation key, and only then
 * deleted; an object left with no line is deleted. A crash between the two steps leaves both generations; readers count
 * only the highest (storageLayout.parseEventsKey) and the next run deletes the older one, so no
 * event of another user is ever lost or counted twice. Safe to run again at any time.
 */
export async function compactEvents(
  s3: S3Client,
  bucket: string,
  tombstones: Tombstones,
  options: CompactionOptions = {},
): Promise<CompactionReport> {
  const limit = options.concurrency ?? 8;
  let objectsScanned = 0;
  let objectsRewritten = 0;
  let objectsEmptied = 0;
  let supersededDeleted = 0;
  let linesRemoved = 0;
  const remove = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

  const compactOne = async (object: EventObject): Promise<void> => {
    // Stale generations go first (lowest first): the live object stays the highest throughout.
    for (const key of object.superseded) {
      await remove(key);
      supersededDeleted++;
    }
    if (tombstones.size === 0) return;
    const lines = (await readObjectText(s3, bucket, object.key)).split('\n').filter((line) => line.trim().length > 0);
    const acceptedAtMs = object.acceptedAt?.getTime();
    const kept = lines.filter((line) => !forgetsLine(tombstones, line, acceptedAtMs));
    if (kept.length === lines.length) return;
    linesRemoved += lines.length - kept.length;
    if (kept.length > 0) {
      const key = compactedEventsKey(object.key, object.generation + 1);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${kept.join('\n')}\n`, ContentType: 'application/x-ndjson' }));
      objectsRewritten++;
    } else {
      objectsEmptied++;
    }
    await remove(object.key);
  };

  let failure: { error: unknown } | undefined;
  const running = new Set<Promise<void>>();
  for await (const object of listEventObjects(s3, bucket)) {
    if (failure) break;
    objectsScanned++;
    const task: Promise<void> = compactOne(object)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
  return { objectsScanned, objectsRewritten, objectsEmptied, supersededDeleted, linesRemoved };
}

/**
 * Whether a tombstone forgets the event of `line`: its userId as parseEventLine reads it (a trimmed
 * string or a number's text) is forgotten, and its timestamp (seconds or ISO-8601; a line without a
 * readable one counts as old) or its batch's accepted time is at or before the moment. A line that is not an event is kept.
 */
function forgetsLine(tombstones: Tombstones, line: string, acceptedAtMs: number | undefined): boolean {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof record !== 'object' || record === null) return false;
  const { userId: raw, timestamp } = record as Record<string, unknown>;
  const userId = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined;
  if (userId === undefined) return false;
  const seconds = typeof timestamp === 'number' ? timestamp : Date.parse(String(timestamp)) / 1000;
  return isForgotten(tombstones.get(userId), Number.isFinite(seconds) ? seconds : 0, acceptedAtMs);
}
