import { EVENT_WEIGHTS } from '../constants.ts';
import { DataFormatError } from '../errors.ts';
import type { InteractionEvent, InteractionTable, InteractionType } from '../types/interactions.ts';
import { addEvent } from './eventWeight.ts';
import { checkRating, checkTimestamp } from './fields.ts';
import { InteractionTableBuilder } from './interactionTableBuilder.ts';
import { parseIsoDateTime } from './isoDateTime.ts';
import { readLines } from './readLines.ts';
import type { LineStats, ReadOptions } from './readLines.ts';

const EVENT_TYPES = Object.keys(EVENT_WEIGHTS) as InteractionType[];

/**
 * Parses one NDJSON event line `{"userId", "itemId", "type", "value"?, "timestamp", "eventId"?}`
 * into an InteractionEvent with the timestamp in seconds. Ids may be strings or numbers (read as
 * their decimal text). `timestamp` is seconds since the epoch or an ISO-8601 string of a real
 * calendar date (parseIsoDateTime: a time without a zone is UTC). A `rating` needs
 * a value in 0.5–5 stars; a `watch` value, when present, is the watched fraction 0–1; a `null`
 * value counts as absent. Anything else throws DataFormatError naming the file and line.
 */
export function parseEventLine(line: string, file: string, lineNumber: number): InteractionEvent {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new DataFormatError(file, lineNumber, `invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DataFormatError(file, lineNumber, 'an event must be a JSON object');
  }
  const record = json as Record<string, unknown>;
  const userId = idField(record, 'userId', file, lineNumber);
  const itemId = idField(record, 'itemId', file, lineNumber);
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_WEIGHTS, type)) {
    throw new DataFormatError(file, lineNumber, `unknown event type ${JSON.stringify(type)} (expected one of ${EVENT_TYPES.join(', ')})`);
  }
  const value = valueField(record.value, type as InteractionType, file, lineNumber);
  const timestamp = timestampField(record.timestamp, file, lineNumber);
  const eventId = record.eventId === undefined || record.eventId === null ? undefined : idField(record, 'eventId', file, lineNumber);
  // One object shape for every line (absent fields are undefined rather than missing): readers
  // of millions of lines stay monomorphic, which halves the parse time of a large event log.
  return { eventId, userId, itemId, type: type as InteractionType, value, timestamp };
}

/**
 * Streams an NDJSON events file line by line (node:readline over a read stream) into `builder`
 * (see parseEventLine and addEvent); blank lines are ignored. Use this to gather many files into
 * one builder; `options.onInvalidLine` skips and reports malformed lines instead of throwing.
 */
export function appendEventsNdjson(path: string, builder: InteractionTableBuilder, options: ReadOptions = {}): Promise<LineStats> {
  return readLines(path, (line, lineNumber) => addEvent(builder, parseEventLine(line, path, lineNumber)), options);
}

/** Reads an NDJSON events file into `builder` (a fresh one by default) and builds the table of all it holds. */
export async function readEventsNdjson(
  path: string,
  builder: InteractionTableBuilder = new InteractionTableBuilder(),
  options: ReadOptions = {},
): Promise<InteractionTable> {
  await appendEventsNdjson(path, builder, options);
  return builder.build();
}

function idField(record: Record<string, unknown>, field: string, file: string, lineNumber: number): string {
  const raw = record[field];
  const id = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
  if (id.length === 0) throw new DataFormatError(file, lineNumber, `missing ${field} (a non-empty string or a number)`);
  return id;
}

function valueField(raw: unknown, type: InteractionType, file: string, lineNumber: number): number | undefined {
  if (raw === undefined || raw === null) {
    if (type === 'rating') throw new DataFormatError(file, lineNumber, 'a rating event needs a value (0.5–5 stars)');
    return undefined;
  }
  // JSON.parse reads 1e999 as Infinity, so finiteness is checked even though JSON has no NaN.
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new DataFormatError(file, lineNumber, `value must be a finite number, got ${JSON.stringify(raw)}`);
  }
  if (type === 'rating') return checkRating(raw, file, lineNumber);
  if (type === 'watch' && !(raw >= 0 && raw <= 1)) {
    throw new DataFormatError(file, lineNumber, `a watch value is the watched fraction 0–1, got ${raw}`);
  }
  return raw;
}

function timestampField(raw: unknown, file: string, lineNumber: number): number {
  if (typeof raw === 'number') return checkTimestamp(raw, file, lineNumber);
  if (typeof raw === 'string') {
    const seconds = parseIsoDateTime(raw);
    if (seconds !== undefined) return checkTimestamp(seconds, file, lineNumber);
    throw new DataFormatError(file, lineNumber, `timestamp is not an ISO-8601 date-time: ${JSON.stringify(raw)}`);
  }
  throw new DataFormatError(file, lineNumber, 'missing timestamp (seconds since the epoch or an ISO-8601 string)');
}
