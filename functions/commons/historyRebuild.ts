import type { S3Client } from '@aws-sdk/client-s3';
import { historyEntry, readEventLog, type EventLogStats } from './eventLog.ts';
import { mapConcurrent } from './mapConcurrent.ts';
import { listTombstones } from './tombstones.ts';
import { mergeEntries, type HistoryEntry, type UserHistoryStore } from './userHistoryStore.ts';

export interface RebuildHistoryOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly history: UserHistoryStore;
  /** Newest entries kept per user (HISTORY_LENGTH). */
  readonly maxLength: number;
  /**
   * Seconds a history row lives after its last write (HISTORY_TTL_DAYS): a user whose newest batch
   * was accepted longer ago than this has no row to restore.
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
  /** Users whose row lacked entries, now restored. */
  readonly usersRestored: number;
  readonly entriesRestored: number;
  /** Users whose row already held every entry. */
  readonly usersUpToDate: number;
  /** Users skipped because their newest batch is older than the row TTL. */
  readonly usersExpired: number;
  /** Tombstoned users whose row was deleted (whether or not one existed). */
  readonly tombstonedUsers: number;
  readonly usersFailed: number;
  readonly firstError?: string;
}

/**
 * Restores the history store from the event log after DynamoDB writes were lost (the events
 * function answers 202 once a batch is in S3, even when the history write after it fails). For
 * each user it takes the newest `maxLength` events of the log and adds to their row the ones it
 * lacks (UserHistoryStore.append: read, merge by timestamp, conditional write), so entries written
 * meanwhile by live requests are kept and running it twice changes nothing. Tombstoned users are
 * skipped and their rows deleted. Memory: at most 2 × maxLength entries per user.
 */
export async function rebuildHistory(options: RebuildHistoryOptions): Promise<RebuildReport> {
  const { s3, bucket, history, maxLength } = options;
  const now = options.now ?? new Date();
  const tombstones = await listTombstones(s3, bucket);
  const users = new Map<string, { entries: HistoryEntry[]; lastAcceptedMs: number }>();
  const log = await readEventLog(
    s3,
    bucket,
    (event, object) => {
      let user = users.get(event.userId);
      if (!user) {
        user = { entries: [], lastAcceptedMs: 0 };
        users.set(event.userId, user);
      }
      user.entries.push(historyEntry(event));
      user.lastAcceptedMs = Math.max(user.lastAcceptedMs, object.hour?.getTime() ?? now.getTime());
      if (user.entries.length >= 2 * maxLength) user.entries = mergeEntries(user.entries, [], maxLength);
    },
    { tombstones, windowSeconds: options.windowSeconds, concurrency: 16 },
  );

  // A row lives ttlSeconds after its last write; the hour folder bounds that write from below.
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
      const wanted = mergeEntries(user.entries, [], maxLength);
      const missing = missingEntries(wanted, await history.get(userId));
      if (missing.length === 0) {
        usersUpToDate++;
      } else {
        await history.append(userId, missing);
        usersRestored++;
        entriesRestored += missing.length;
      }
    } catch (error) {
      usersFailed++;
      firstError ??= `${userId}: ${(error as Error).message}`;
    }
    options.onProgress?.(++done, live.length);
  });
  await mapConcurrent([...tombstones], options.concurrency ?? 16, async (userId) => {
    try {
      await history.delete(userId);
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

/** Entries of `wanted` that `current` does not hold (as a multiset of identical entries). */
function missingEntries(wanted: readonly HistoryEntry[], current: readonly HistoryEntry[]): HistoryEntry[] {
  const have = new Map<string, number>();
  for (const entry of current) have.set(entryKey(entry), (have.get(entryKey(entry)) ?? 0) + 1);
  const missing: HistoryEntry[] = [];
  for (const entry of wanted) {
    const key = entryKey(entry);
    const count = have.get(key) ?? 0;
    if (count > 0) have.set(key, count - 1);
    else missing.push(entry);
  }
  return missing;
}

function entryKey(entry: HistoryEntry): string {
  return JSON.stringify([entry.itemId, entry.type, entry.value ?? null, entry.timestamp]);
}
