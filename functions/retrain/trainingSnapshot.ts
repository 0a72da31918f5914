import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { addEvent } from '../../model/data/eventWeight.ts';
import { InteractionTableBuilder } from '../../model/data/interactionTableBuilder.ts';
import type { InteractionTable } from '../../model/types/interactions.ts';
import { readEventLog, type EventLogStats } from '../commons/eventLog.ts';
import type { Tombstones } from '../commons/tombstones.ts';

export interface TrainingSnapshotOptions {
  /** Forgotten users: their events up to the moment they were forgotten are skipped. */
  readonly tombstones: Tombstones;
  /** The idempotency window in seconds: an eventId read again within it is a duplicate. */
  readonly windowSeconds: number;
  /** Event objects read at once. */
  readonly concurrency?: number;
  /** Rows expected, to size the builder's columns once. */
  readonly expectedRows?: number;
}

/** The interactions of the event log as one table, and what reading it found. */
export interface TrainingSnapshot {
  readonly table: InteractionTable;
  readonly log: EventLogStats;
  /** The first malformed lines (file:line: reason), for the report; all of them are counted in `log`. */
  readonly invalidSamples: readonly string[];
  /**
   * Identifies the data: `events@<16 hex digits>`, a sha256 of the keys of the objects read, in
   * order. Objects are immutable (compaction writes new keys), so the same id means the same events.
   */
  readonly id: string;
  /** The newest object read (accepted last). */
  readonly newestKey?: string;
  /** Objects read that still had older generations beside them (an interrupted compaction). */
  readonly objectsWithStaleCopies: number;
}

const INVALID_SAMPLES = 5;

/**
 * Reads every event of the log (eventLog.readEventLog: highest generation of each object, eventIds
 * repeated within the window dropped, events of forgotten users up to their forget skipped, malformed lines skipped and
 * counted) straight into the columns of an InteractionTableBuilder: each event becomes one row of
 * typed arrays (weight by type, rating, timestamp), so memory grows with the rows, not with the
 * JSON text or one object per event.
 */
export async function readTrainingSnapshot(s3: S3Client, bucket: string, options: TrainingSnapshotOptions): Promise<TrainingSnapshot> {
  const builder = new InteractionTableBuilder(Math.max(1024, options.expectedRows ?? 0));
  const keys = createHash('sha256');
  const invalidSamples: string[] = [];
  let lastKey: string | undefined;
  let objectsWithStaleCopies = 0;
  const log = await readEventLog(
    s3,
    bucket,
    (event, object) => {
      if (object.key !== lastKey) {
        lastKey = object.key;
        keys.update(`${object.key}\n`);
        if (object.superseded.length > 0) objectsWithStaleCopies++;
      }
      addEvent(builder, event);
    },
    {
      tombstones: options.tombstones,
      windowSeconds: options.windowSeconds,
      concurrency: options.concurrency,
      onInvalidLine: (error) => {
        if (invalidSamples.length < INVALID_SAMPLES) invalidSamples.push(error.message);
      },
    },
  );
  return {
    table: builder.build(),
    log,
    invalidSamples,
    id: `events@${keys.digest('hex').slice(0, 16)}`,
    ...(lastKey === undefined ? {} : { newestKey: lastKey }),
    objectsWithStaleCopies,
  };
}
