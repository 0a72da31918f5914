import type { InteractionTableBuilder } from './interactionTableBuilder.ts';
import { parseIdField, parseRatingField, parseTimestampField } from './fields.ts';

/**
 * Adds one explicit rating `user, item, stars, timestamp` (already split into exactly four
 * fields) as an interaction of weight 1 carrying the stars. Throws DataFormatError when malformed.
 */
export function addRatingRow(builder: InteractionTableBuilder, fields: readonly string[], file: string, line: number): void {
  const userId = parseIdField(fields[0], 'user id', file, line);
  const itemId = parseIdField(fields[1], 'item id', file, line);
  const rating = parseRatingField(fields[2], file, line);
  const timestamp = parseTimestampField(fields[3], file, line);
  builder.add(userId, itemId, 1, rating, timestamp);
}
