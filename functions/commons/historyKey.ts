import { createHash } from 'node:crypto';

/** Digits of a history key's time (milliseconds; timestamps stay below 10^11 seconds). */
const TIME_DIGITS = 15;
/** Longest eventId kept readable in a key; longer ones are hashed (DynamoDB sort keys hold 1,024 bytes). */
const MAX_ID_BYTES = 900;

/** Where an event without an eventId was accepted: its batch and its line in the batch object. */
export interface EntrySource {
  readonly batchId: string;
  readonly line: number;
}

/**
 * The sort key of a history entry: its time in zero-padded milliseconds, so keys sort by time,
 * then what identifies the event — its eventId, or the batch and line it was accepted in. The key
 * is a function of the event alone, so writing an event again (a client's retry, a rebuild) puts
 * the same item, and concurrent writers never touch each other's items.
 */
export function historyKey(entry: { readonly eventId?: string; readonly timestamp: number }, source: EntrySource): string {
  const time = historyKeyTime(Math.floor(entry.timestamp * 1000));
  if (entry.eventId === undefined) return `${time}#b:${source.batchId}:${source.line}`;
  if (Buffer.byteLength(entry.eventId, 'utf8') <= MAX_ID_BYTES) return `${time}#e:${entry.eventId}`;
  return `${time}#h:${createHash('sha256').update(entry.eventId, 'utf8').digest('hex')}`;
}

/** The time prefix of the keys of entries at `ms` (milliseconds since the epoch). */
export function historyKeyTime(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(TIME_DIGITS, '0');
}
