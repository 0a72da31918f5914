import type { S3Client } from '@aws-sdk/client-s3';
import { historyEntry, readEventLog, type EventLogStats } from './eventLog.ts';
import { historyKey } from './historyKey.ts';
import { mapConcurrent } from './mapConcurrent.ts';
import { listTombstones } from './tombstones.ts';
import type { HistoryEntry, HistoryRecord, UserHistoryStore } from './userHistoryStore.ts';

export interface RebuildHistoryOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly history: UserHistoryStore;
  /** Newest entries kept per user (HISTORY_LENGTH). */
  readonly maxLength: number;
  /**
   * Seconds a history entry lives after it was written (HISTORY_TTL_DAYS): a user whose newest
   * batch was accepted longer ago than this has nothing to restore.
   */
  readonly ttlSeconds: number;
  /** The idempotency window, for reading the log (default 24 h). */
  readonly windowSeconds?: number;
  readonly now?: Date;
  /** Users written at once (default 16). */
  readonly concurrency?: number;
  /** Called after each user is written, with the count done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RebuildReport {
  readonly log: EventLogStats;
  /** Users with events in the log (tombstoned users excluded). */
  readonly users: number;
  /** Users whose history lacked entries, now restored. */
  readonly usersRestored: number;
  readonly entriesRestored: number;
  /** Users whose history already held every entry. */
  readonly usersUpToDate: number;
  /** Users skipped because their newest batch is older than the entry TTL. */
  readonly usersExpired: number;
  /** Forgotten users whose forget marker was (re)written and whose entries up to it were deleted. */
  readonly tombstonedUsers: number;
  readonly usersFailed: number;
  readonly firstError?: string;
}

/**
 * Restores the history store from the event log (after the table was lost or recreated, or a
 * client never retried a batch answered 503 after its S3 write). For each user it takes the newest
 * `maxLength` events of the log and puts the ones the history lacks, at the keys the events
 * function uses (historyKey.ts), so entries written meanwhile by live requests are kept and running
 * it twice changes nothing. Events a tombstone forgets are not restored, and each forgotten
 * user's marker is rewritten and their entries up to it deleted. Memory: at most 2 × maxLength
 * entries per user.
 */
export async function rebuildHistory(options: RebuildHistoryOptions): Promise<RebuildReport> {
  const { s3, bucket, history, maxLength } = options;
  const now = options.now ?? new Date();
  const tombstones = await listTombstones(s3, bucket);
  const users = new Map<string, { records: HistoryRecord[]; lastAcceptedMs: number }>();
  const log = await readEventLog(
    s3,
    bucket,
    (event, object, line) => {
      let user = users.get(event.userId);
      if (!user) {
        user = { records: [], lastAcceptedMs: 0 };
        users.set(event.userId, user);
      }
      const entry = historyEntry(event);
      const batchId = object.base.slice(object.base.lastIndexOf('/') + 1);
      user.records.push({ userId: event.userId, key: historyKey(entry, { batchId, line }), entry });
      user.lastAcceptedMs = Math.max(user.lastAcceptedMs, object.hour?.getTime() ?? now.getTime());
      if (user.records.length >= 2 * maxLength) user.records = newest(user.records, maxLength);
    },
    { tombstones, windowSeconds: options.windowSeconds, concurrency: 16 },
  );

  // An entry lives ttlSeconds after its write; the hour folder bounds that write from below.
  const expiredBefore = now.getTime() - options.ttlSeconds * 1000 - 3_600_000;
  const live = [...users].filter(([, user]) => user.lastAcceptedMs >= expiredBefore);
  let usersRestored = 0;
  let entriesRestored = 0;
  let usersUpToDate = 0;
  let usersFailed = 0;
  let firstError: string | undefined;
  let done = 0;
  await mapConcurrent(live, options.concurrency ?? 16, async ([userId, user]) => {
    try {
      const missing = missingRecords(newest(user.records, maxLength), await history.recent(userId));
      if (missing.length === 0) {
        usersUpToDate++;
      } else {
        await history.put(missing);
        usersRestored++;
        entriesRestored += missing.length;
      }
    } catch (error) {
      usersFailed++;
      firstError ??= `${userId}: ${(error as Error).message}`;
    }
    options.onProgress?.(++done, live.length);
  });
  await mapConcurrent([...tombstones], options.concurrency ?? 16, async ([userId, forgottenAtMs]) => {
    try {
      await history.forget(userId, forgottenAtMs, 'upToMarker');
    } catch (error) {
      usersFailed++;
      firstError ??= `${userId}: ${(error as Error).message}`;
    }
  });
  return {
    log,
    users: users.size,
    usersRestored,
    entriesRestored,
    usersUpToDate,
    usersExpired: users.size - live.length,
    tombstonedUsers: tombstones.size,
    usersFailed,
    ...(firstError ? { firstError } : {}),
  };
}

/** The newest `count` records by timestamp (on ties, the later read). */
function newest(records: readonly HistoryRecord[], count: number): HistoryRecord[] {
  const ordered = records.map((record, order) => ({ record, order }));
  ordered.sort((a, b) => a.record.entry.timestamp - b.record.entry.timestamp || a.order - b.order);
  return ordered.slice(Math.max(0, ordered.length - count)).map(({ record }) => record);
}

/** Records of `wanted` whose entry `current` does not hold (as a multiset of identical entries). */
function missingRecords(wanted: readonly HistoryRecord[], current: readonly HistoryEntry[]): HistoryRecord[] {
  const have = new Map<string, number>();
  for (const entry of current) have.set(entryText(entry), (have.get(entryText(entry)) ?? 0) + 1);
  const missing: HistoryRecord[] = [];
  for (const record of wanted) {
    const text = entryText(record.entry);
    const count = have.get(text) ?? 0;
    if (count > 0) have.set(text, count - 1);
    else missing.push(record);
  }
  return missing;
}

function entryText(entry: HistoryEntry): string {
  return JSON.stringify([entry.eventId ?? null, entry.itemId, entry.type, entry.value ?? null, entry.timestamp]);
}
