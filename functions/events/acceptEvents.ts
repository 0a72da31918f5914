import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { historyEntry, putEventBatch, type LoggedEvent } from '../commons/eventLog.ts';
import { isForgotten } from '../commons/forgetting.ts';
import { historyKey } from '../commons/historyKey.ts';
import { ServiceUnavailableError } from '../commons/httpErrors.ts';
import type { IdempotencyStore } from '../commons/idempotencyStore.ts';
import { logger, metrics } from '../commons/observability.ts';
import { eventsBatchKey, keyTime } from '../commons/storageLayout.ts';
import type { HistoryRecord, UserHistoryStore } from '../commons/userHistoryStore.ts';

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

/** Seconds a client should wait before retrying a batch that could not be stored. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Stores a validated batch. The invariant: an event answered 202 is in S3 and in its viewer's
 * history, and an eventId counts as seen only once the event is in both. So:
 *
 * 1. Duplicates are dropped: repeats within the batch, and eventIds the idempotency table holds
 *    (a read; if DynamoDB cannot answer, nothing is dropped — the steps below are safe to repeat).
 * 2. The rest is written to S3 as one NDJSON object (beside it, the viewers' forget markers are
 *    read). If that fails: 503, nothing was claimed, the client's retry is accepted.
 * 3. The events are put into the histories, one item per event at a key made from the event
 *    (historyKey.ts), skipping events at or before a viewer's forget. If that fails: 503, nothing
 *    was claimed; the client's retry writes S3 again (a copy every log reader drops by eventId,
 *    eventLog.readEventLog) and puts the same history items again.
 * 4. Only then are the eventIds claimed (conditional writes). An id another request claimed in
 *    between is reported as a duplicate (both wrote the same items). A failed claim keeps the 202:
 *    the event is stored, and a retry would only rewrite it.
 *
 * Events without an eventId cannot be recognised: a retry after a 503 stores them again. An
 * eventId names one event: two different events sent at once under one id may both reach the
 * history (only one is accepted and read from the log).
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
      logger.warn('idempotency check failed; storing the batch unchecked (writes are idempotent)', { error: errorText(error) });
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
  const [logged, forgotten] = await Promise.allSettled([
    putEventBatch(stores.s3, stores.bucket, eventsBatchKey(now, batchId), fresh),
    stores.history.forgottenAt(fresh.map((event) => event.userId)),
  ]);
  if (logged.status === 'rejected') {
    metrics.addMetric('EventLogWriteFailures', MetricUnit.Count, 1);
    throw new ServiceUnavailableError('the events could not be stored; none was accepted, retry the whole batch', RETRY_AFTER_SECONDS, {
      cause: logged.reason,
    });
  }

  try {
    if (forgotten.status === 'rejected') throw forgotten.reason;
    await stores.history.put(historyRecords(fresh, batchId, forgotten.value));
  } catch (error) {
    metrics.addMetric('HistoryWriteFailures', MetricUnit.Count, 1);
    throw new ServiceUnavailableError(
      "the events could not be added to the viewers' histories; none was accepted, retry the whole batch",
      RETRY_AFTER_SECONDS,
      {
        cause: error,
      },
    );
  }

  const ids = fresh.flatMap((event) => (event.eventId === undefined ? [] : [event.eventId]));
  const claims = await stores.idempotency.claim(ids, batchId, now);
  if (claims.failed.length > 0) {
    logger.error('idempotency claims failed after the batch was stored (the events are kept; a retry rewrites them)', {
      batchId,
      failedClaims: claims.failed.length,
      error: errorText(claims.error),
    });
    metrics.addMetric('IdempotencyClaimFailures', MetricUnit.Count, claims.failed.length);
  }
  if (claims.taken.length > 0) {
    // A concurrent request with the same ids claimed them first: it reports them as accepted.
    duplicates.push(...claims.taken);
    logger.info('eventIds claimed concurrently by another batch; their copies in this batch are duplicates', {
      batchId,
      taken: claims.taken.length,
    });
  }
  const accepted = fresh.length - claims.taken.length;
  metrics.addMetric('EventsAccepted', MetricUnit.Count, accepted);
  if (duplicates.length > 0) metrics.addMetric('EventDuplicates', MetricUnit.Count, duplicates.length);
  return { accepted, duplicates, batchId };
}

/** The history items of a stored batch (line = position in the batch object), leaving out what a forget covers. */
function historyRecords(events: readonly LoggedEvent[], batchId: string, forgottenAt: ReadonlyMap<string, number>): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  events.forEach((event, line) => {
    if (isForgotten(forgottenAt.get(event.userId), event.timestamp)) return;
    const entry = historyEntry(event);
    records.push({ userId: event.userId, key: historyKey(entry, { batchId, line }), entry });
  });
  return records;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
