import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseEventLine } from '../../model/data/eventsNdjson.ts';
import type { DataFormatError } from '../../model/errors.ts';
import type { InteractionEvent } from '../../model/types/interactions.ts';
import { isForgotten } from './forgetting.ts';
import { compactedEventsKey, EVENTS_PREFIX, eventsKeyAcceptedAt, eventsKeyHour, parseEventsKey } from './storageLayout.ts';
import type { Tombstones } from './tombstones.ts';
import type { HistoryEntry } from './userHistoryStore.ts';

/**
 * The event log: accepted batches as NDJSON objects under events/ (the source of truth for
 * retraining and for rebuilding the history store), one line per event in the format
 * model/data/eventsNdjson.ts reads: `{"eventId"?, "userId", "itemId", "type", "value"?, "timestamp"}`
 * with the timestamp in seconds since the epoch.
 *
 * Reading rules, shared by every reader (history rebuild, compaction, retraining):
 * - of the keys sharing a base (an accepted batch and its compacted copies), only the highest
 *   generation counts (see storageLayout.parseEventsKey);
 * - an event whose eventId was already read from an object accepted within the idempotency
 *   window is a duplicate (the rare copy a crash or a race between two requests leaves in S3,
 *   see functions/events/acceptEvents.ts) and is skipped;
 * - events a tombstone forgets are skipped: up to the moment the user was forgotten, by timestamp
 *   or by accepted time (forgetting.ts).
 */

/** One line of the log. */
export type LoggedEvent = InteractionEvent;

/** The NDJSON line of an event, keys in a fixed order, no trailing newline. */
export function eventLine(event: LoggedEvent): string {
  return JSON.stringify({
    ...(event.eventId === undefined ? {} : { eventId: event.eventId }),
    userId: event.userId,
    itemId: event.itemId,
    type: event.type,
    ...(event.value === undefined ? {} : { value: event.value }),
    timestamp: event.timestamp,
  });
}

/** The history-store entry of an event (what the events function appends and the rebuild restores). */
export function historyEntry(event: LoggedEvent): HistoryEntry {
  return {
    ...(event.eventId === undefined ? {} : { eventId: event.eventId }),
    itemId: event.itemId,
    type: event.type,
    ...(event.value === undefined ? {} : { value: event.value }),
    timestamp: event.timestamp,
  };
}

/** Writes one batch as one NDJSON object (one PUT: the batch is in the log whole or not at all). */
export async function putEventBatch(s3: S3Client, bucket: string, key: string, events: readonly LoggedEvent[]): Promise<void> {
  const body = `${events.map(eventLine).join('\n')}\n`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
}

/** A live object of the log, with the older generations it supersedes (left by an interrupted compaction). */
export interface EventObject {
  readonly key: string;
  readonly base: string;
  readonly generation: number;
  /** The UTC hour the batch was accepted in, from its folder; undefined outside the layout. */
  readonly hour?: Date;
  /** When the batch was accepted, from its batch id; undefined outside the layout. */
  readonly acceptedAt?: Date;
  /** Keys of lower generations of the same base, lowest first: stale, to be deleted by compaction. */
  readonly superseded: readonly string[];
}

/**
 * Every live object under events/, in key order (accepted time, since folders are hours and batch
 * ids start with the accepted time), one ListObjectsV2 page at a time.
 */
export async function* listEventObjects(s3: S3Client, bucket: string): AsyncGenerator<EventObject> {
  let group: { base: string; keys: { key: string; generation: number }[] } | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: EVENTS_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith('/')) continue;
      const { base, generation } = parseEventsKey(key);
      if (group && group.base !== base) {
        yield liveObject(group.base, group.keys);
        group = undefined;
      }
      group ??= { base, keys: [] };
      group.keys.push({ key, generation });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (group) yield liveObject(group.base, group.keys);
}

function liveObject(base: string, keys: { key: string; generation: number }[]): EventObject {
  const sorted = [...keys].sort((a, b) => a.generation - b.generation);
  const live = sorted[sorted.length - 1];
  const hour = eventsKeyHour(live.key);
  const acceptedAt = eventsKeyAcceptedAt(live.key);
  return {
    key: live.key,
    base,
    generation: live.generation,
    ...(hour ? { hour } : {}),
    ...(acceptedAt ? { acceptedAt } : {}),
    superseded: sorted.slice(0, -1).map((k) => k.key),
  };
}

/** An object's body as text. */
export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Body ? await Body.transformToString('utf8') : '';
}

export interface ReadEventLogOptions {
  /** Forgotten users: their events up to the moment they were forgotten are skipped. */
  readonly tombstones?: Tombstones;
  /** Seconds an eventId is remembered (the idempotency window); default 24 h. */
  readonly windowSeconds?: number;
  /** Called for each malformed line, which is skipped (default: skipped silently, counted). */
  readonly onInvalidLine?: (error: DataFormatError) => void;
  /**
   * Objects fetched at once (default 1: one after another). Reads run ahead of the visitor, which
   * still sees the events in accepted order: with S3's per-request latency, reading a large log
   * one object at a time is bound by round trips, not bandwidth.
   */
  readonly concurrency?: number;
}

export interface EventLogStats {
  readonly objects: number;
  /** Events passed to the visitor. */
  readonly events: number;
  readonly duplicates: number;
  readonly invalidLines: number;
  readonly tombstoned: number;
}

const DEFAULT_WINDOW_SECONDS = 24 * 3_600;
/** Objects parsed between two turns of the event loop. */
const YIELD_EVERY_OBJECTS = 4;
/** Tries at reading one object whose connection drops. */
const READ_ATTEMPTS = 4;
const HOUR_MS = 3_600_000;

/**
 * Reads the whole log in accepted order, applying the reading rules above, and passes each event
 * to `visit` with its line in the object (0-based, as historyKey.ts numbers the lines of a batch).
 */
export async function readEventLog(
  s3: S3Client,
  bucket: string,
  visit: (event: InteractionEvent, object: EventObject, line: number) => void,
  options: ReadEventLogOptions = {},
): Promise<EventLogStats> {
  const tombstones: Tombstones = options.tombstones ?? new Map<string, number>();
  const window = new EventIdWindow((options.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000);
  let objects = 0;
  let events = 0;
  let duplicates = 0;
  let invalidLines = 0;
  let tombstoned = 0;
  for await (const { object, read } of readAhead(s3, bucket, options.concurrency ?? 1)) {
    objects++;
    const acceptedMs = object.hour?.getTime();
    const acceptedAtMs = object.acceptedAt?.getTime();
    if (acceptedMs !== undefined) window.advanceTo(acceptedMs);
    // Reads that finished ahead are awaited without passing through the I/O phase: without this
    // turn, parsing a run of them holds the event loop long enough that idle sockets the server
    // closed meanwhile are handed out again (ECONNRESET, "socket hang up").
    if (objects % YIELD_EVERY_OBJECTS === 0) await nextTurn();
    const { key, text } = await read;
    let lineNumber = 0;
    for (const line of text.split('\n')) {
      lineNumber++;
      if (line.trim().length === 0) continue;
      let event: InteractionEvent;
      try {
        event = parseEventLine(line, key, lineNumber);
      } catch (error) {
        invalidLines++;
        options.onInvalidLine?.(error as DataFormatError);
        continue;
      }
      if (isForgotten(tombstones.get(event.userId), event.timestamp, acceptedAtMs)) {
        tombstoned++;
        continue;
      }
      if (event.eventId !== undefined && !window.add(event.eventId, acceptedMs)) {
        duplicates++;
        continue;
      }
      events++;
      visit(event, object, lineNumber - 1);
    }
  }
  return { objects, events, duplicates, invalidLines, tombstoned };
}

/** The live objects in key order, each with its read started up to `concurrency` objects ahead. */
async function* readAhead(
  s3: S3Client,
  bucket: string,
  concurrency: number,
): AsyncGenerator<{ object: EventObject; read: Promise<{ key: string; text: string }> }> {
  const limit = Math.max(1, Math.floor(concurrency));
  const objects = listEventObjects(s3, bucket);
  const pending: { object: EventObject; read: Promise<{ key: string; text: string }> }[] = [];
  let listed = false;
  for (;;) {
    while (!listed && pending.length < limit) {
      const next = await objects.next();
      if (next.done) {
        listed = true;
        break;
      }
      const read = readLiveObject(s3, bucket, next.value);
      // Awaited in order by the caller; this only keeps a failure that arrives early from counting as unhandled.
      read.catch(() => undefined);
      pending.push({ object: next.value, read });
    }
    const head = pending.shift();
    if (!head) return;
    yield head;
  }
}

/**
 * The object's text; when a compaction replaced it between the listing and the read (NoSuchKey),
 * the text of its next generation (which sorts before the listing's position), or nothing when
 * compaction emptied it.
 */
async function readLiveObject(s3: S3Client, bucket: string, object: EventObject): Promise<{ key: string; text: string }> {
  const candidates = [object.key, ...[1, 2, 3].map((step) => compactedEventsKey(object.key, object.generation + step))];
  for (const key of candidates) {
    try {
      return { key, text: await readObjectTextRetried(s3, bucket, key) };
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') throw error;
    }
  }
  return { key: object.key, text: '' };
}

/**
 * readObjectText, again after a connection that dropped mid-response (the SDK retries a request
 * that fails, not a body that breaks off): one such drop among thousands of objects must not
 * fail a retrain of many minutes. Other errors are thrown at once.
 */
async function readObjectTextRetried(s3: S3Client, bucket: string, key: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readObjectText(s3, bucket, key);
    } catch (error) {
      if (attempt >= READ_ATTEMPTS || !isDroppedConnection(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

function isDroppedConnection(error: unknown): boolean {
  const { name, code } = error as { name?: string; code?: string };
  return name === 'TimeoutError' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

/** A turn of the event loop, through its I/O phase. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The eventIds read from objects accepted within the last `windowMs` (plus the hour of folder
 * granularity), in a map and a FIFO queue so that forgetting old ids costs O(1) each.
 */
class EventIdWindow {
  private readonly lastSeen = new Map<string, number>();
  private readonly queue: { id: string; at: number }[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  advanceTo(acceptedMs: number): void {
    const cutoff = acceptedMs - this.windowMs - HOUR_MS;
    while (this.head < this.queue.length && this.queue[this.head].at < cutoff) {
      const { id, at } = this.queue[this.head++];
      if (this.lastSeen.get(id) === at) this.lastSeen.delete(id);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** False when `id` was seen within the window (a duplicate); objects outside the layout count as always recent. */
  add(id: string, acceptedMs: number | undefined): boolean {
    if (this.lastSeen.has(id)) return false;
    const at = acceptedMs ?? Number.MAX_SAFE_INTEGER;
    this.lastSeen.set(id, at);
    this.queue.push({ id, at });
    return true;
  }
}
