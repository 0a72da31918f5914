import { DataFormatError } from '../errors.ts';

/** Lowest and highest star rating accepted in any data file (MovieLens uses 0.5–5). */
export const RATING_MIN = 0.5;
export const RATING_MAX = 5;

/**
 * Timestamps at or past this many seconds (year 5138) are taken for milliseconds sent by mistake
 * and rejected rather than silently read as seconds.
 */
export const MAX_TIMESTAMP_SECONDS = 1e11;

/** Plain decimal numbers only: no hex, no empty string, no NaN / Infinity spelled out. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, or DataFormatError naming `field`. */
export function parseNumberField(text: string, field: string, file: string, line: number): number {
  const trimmed = text.trim();
  const value = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value)) {
    throw new DataFormatError(file, line, `${field} is not a finite number: '${text}'`);
  }
  return value;
}

/** A non-empty id (trimmed), or DataFormatError naming `field`. */
export function parseIdField(text: string, field: string, file: string, line: number): string {
  const id = text.trim();
  if (id.length === 0) throw new DataFormatError(file, line, `missing ${field}`);
  return id;
}

/** A star rating in [RATING_MIN, RATING_MAX], or DataFormatError. */
export function parseRatingField(text: string, file: string, line: number): number {
  return checkRating(parseNumberField(text, 'rating', file, line), file, line);
}

/** A timestamp in seconds since the epoch, or DataFormatError. */
export function parseTimestampField(text: string, file: string, line: number): number {
  return checkTimestamp(parseNumberField(text, 'timestamp', file, line), file, line);
}

export function checkRating(rating: number, file: string, line: number): number {
  if (!(rating >= RATING_MIN && rating <= RATING_MAX)) {
    throw new DataFormatError(file, line, `rating ${rating} is outside ${RATING_MIN}–${RATING_MAX}`);
  }
  return rating;
}

export function checkTimestamp(seconds: number, file: string, line: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new DataFormatError(file, line, `timestamp must be finite seconds since the epoch, got ${seconds}`);
  }
  if (seconds >= MAX_TIMESTAMP_SECONDS) {
    throw new DataFormatError(file, line, `timestamp ${seconds} looks like milliseconds; seconds expected`);
  }
  return seconds;
}
