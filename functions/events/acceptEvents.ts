import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { historyEntry, putEventBatch, type LoggedEvent } from '../commons/eventLog.ts';
import { ServiceUnavailableError } from '../commons/httpErrors.ts';
import type { IdempotencyStore } from '../commons/idempotencyStore.ts';
import { logger, metrics } from '../commons/observability.ts';
import { eventsBatchKey, keyTime } from '../commons/storageLayout.ts';
import type { HistoryEntry, UserHistoryStore } from '../commons/userHistoryStore.ts';
import { viewerRef } from '../commons/viewerRef.ts';

export interface EventStores {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly idempotency: IdempotencyStore;
  readonly history: UserHistoryStore;
}

export interface AcceptedBatch {
  /** Events stored for the first time. */
  readonly accepted: number;
  /** eventIds already seen within the idempotency window (or twice in this batch): not stored again. */
  readonly duplicates: string[];
  /** Names the stored object events/…/<batchId>.ndjson; null when every event was a duplicate. */
  readonly batchId: string | null;
}

/** Seconds a client should wait before retrying after the event log could not be written. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Stores a validated batch. The order is what makes it durable and idempotent:
 *
 * 1. Duplicates are dropped: repeats within the batch, and eventIds the idempotency table holds
 *    (a read; if DynamoDB cannot answer, nothing is dropped — see 3).
 * 2. The rest is written to S3 as one NDJSON object. If that fails the request fails with 503 and
 *    nothing has been written anywhere: no id was claimed, so the client's retry is accepted.
 * 3. Only then are the eventIds claimed (conditional writes). Claiming after the write means no
 *    crash or failure can leave an id claimed whose event is not in S3, so an event is never lost
 *    to idempotency. The price is a rare duplicate line in S3: when a concurrent request with the
 *    same id won the claim in between (that event is reported as a duplicate and not added to the
 *    history), or when the process died between 2 and 3 and the client retried. Every reader of
 *    the log drops an eventId already read within the window (eventLog.readEventLog), which makes
 *    these copies harmless; events without an eventId cannot be recognised and are never dropped.
 * 4. Each user's recent history is appended. A DynamoDB failure in 3 or 4 keeps the 202 — the
 *    events are in S3 — is logged once and counted, and `npx marquee history rebuild` restores
 *    the history store from S3.
 */
export async function acceptEvents(stores: EventStores, events: readonly LoggedEvent[], now: Date): Promise<AcceptedBatch> {
  const duplicates: string[] = [];
  const inBatch = new Set<string>();
  let fresh: LoggedEvent[] = [];
  for (const event of events) {
    if (event.eventId !== undefined) {
      if (inBatch.has(event.eventId)) {
        duplicates.push(event.eventId);
        continue;
      }
      inBatch.add(event.eventId);
    }
    fresh.push(event);
  }

  if (inBatch.size > 0) {
    let seen: Set<string> | undefined;
    try {
      seen = await stores.idempotency.seen([...inBatch], now);
    } catch (error) {
      logger.warn('idempotency check failed; storing the batch unchecked (readers drop repeated eventIds)', { error: errorText(error) });
      metrics.addMetric('IdempotencyCheckFailures', MetricUnit.Count, 1);
    }
    if (seen && seen.size > 0) {
      fresh = fresh.filter((event) => {
        if (event.eventId === undefined || !seen.has(event.eventId)) return true;
        duplicates.push(event.eventId);
        return false;
      });
    }
  }
  if (fresh.length === 0) {
    metrics.addMetric('EventDuplicates', MetricUnit.Count, duplicates.length);
    return { accepted: 0, duplicates, batchId: null };
  }

  const batchId = `${keyTime(now)}-${randomBytes(8).toString('hex')}`;
  try {
    await putEventBatch(stores.s3, stores.bucket, eventsBatchKey(now, batchId), fresh);
  } catch (error) {
    metrics.addMetric('EventLogWriteFailures', MetricUnit.Count, 1);
    throw new ServiceUnavailableError('the events could not be stored; none was accepted, retry the whole batch', RETRY_AFTER_SECONDS, { cause: error });
  }

  const ids = fresh.flatMap((event) => (event.eventId === undefined ? [] : [event.eventId]));
  const claims = await stores.idempotency.claim(ids, batchId, now);
  if (claims.failed.length > 0) {
    logger.error('idempotency claims failed after the batch was stored (the events are kept)', {
      batchId,
      failedClaims: claims.failed.length,
      error: errorText(claims.error),
    });
    metrics.addMetric('IdempotencyClaimFailures', MetricUnit.Count, claims.failed.length);
  }
  let stored = fresh;
  if (claims.taken.length > 0) {
    // Lost a race to a concurrent request carrying the same ids: that request owns these events.
    const taken = new Set(claims.taken);
    stored = fresh.filter((event) => event.eventId === undefined || !taken.has(event.eventId));
    duplicates.push(...claims.taken);
    logger.info('eventIds claimed concurrently by another batch; their copies in this batch are duplicates', { batchId, taken: claims.taken.length });
  }

  await appendHistories(stores.history, stored, batchId);
  metrics.addMetric('EventsAccepted', MetricUnit.Count, stored.length);
  if (duplicates.length > 0) metrics.addMetric('EventDuplicates', MetricUnit.Count, duplicates.length);
  return { accepted: stored.length, duplicates, batchId };
}

/** Appends each user's events to their history, all users at once; failures are logged once and counted. */
async function appendHistories(history: UserHistoryStore, events: readonly LoggedEvent[], batchId: string): Promise<void> {
  const byUser = new Map<string, HistoryEntry[]>();
  for (const event of events) {
    const entries = byUser.get(event.userId);
    if (entries) entries.push(historyEntry(event));
    else byUser.set(event.userId, [historyEntry(event)]);
  }
  const users = [...byUser.keys()];
  const outcomes = await Promise.allSettled(users.map((userId) => history.append(userId, byUser.get(userId)!)));
  const failed = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ userId: users[i], reason: outcome.reason as unknown }] : []));
  if (failed.length === 0) return;
  logger.error('history write failed after the batch was stored; run `npx marquee history rebuild` to restore it', {
    batchId,
    failedUsers: failed.length,
    firstViewer: viewerRef(failed[0].userId),
    error: errorText(failed[0].reason),
  });
  metrics.addMetric('HistoryWriteFailures', MetricUnit.Count, failed.length);
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
