import { DataFormatError } from '../errors.ts';
import type { InteractionTable } from '../types/interactions.ts';
import { readEventsNdjson } from './eventsNdjson.ts';
import { readFirstLine } from './firstLine.ts';
import { InteractionTableBuilder } from './interactionTableBuilder.ts';
import { readMovieLens100kRatings } from './movieLens100k.ts';
import { readMovieLensRatingsCsv } from './movieLensCsv.ts';
import type { TableReadOptions } from './readLines.ts';

export type RatingsFormat = 'movielens-100k-tsv' | 'movielens-csv' | 'events-ndjson';

/**
 * The format of an interactions file, told from its first non-blank line (never from the file
 * name): a JSON object → NDJSON events; a tab → MovieLens 100K TSV (`u.data`, `train.tsv`);
 * a comma → MovieLens `ratings.csv`. Undefined for an empty file; DataFormatError otherwise.
 */
export async function detectRatingsFormat(path: string): Promise<RatingsFormat | undefined> {
  const first = await readFirstLine(path);
  if (first === undefined) return undefined;
  const { line, lineNumber } = first;
  if (line.trimStart().startsWith('{')) return 'events-ndjson';
  if (line.includes('\t')) return 'movielens-100k-tsv';
  if (line.includes(',')) return 'movielens-csv';
  throw new DataFormatError(
    path,
    lineNumber,
    'unrecognised ratings format: expected tab-separated user item rating timestamp (u.data), CSV userId,movieId,rating,timestamp (ratings.csv) or NDJSON events',
  );
}

/**
 * Reads a ratings / interactions file of any supported format (see detectRatingsFormat). An empty
 * file gives the builder's table as it is (empty for a fresh builder).
 */
export async function readRatingsFile(path: string, options: TableReadOptions = {}): Promise<InteractionTable> {
  const format = await detectRatingsFormat(path);
  switch (format) {
    case 'movielens-100k-tsv':
      return readMovieLens100kRatings(path, options);
    case 'movielens-csv':
      return readMovieLensRatingsCsv(path, options);
    case 'events-ndjson':
      return readEventsNdjson(path, options.builder, options);
    case undefined:
      return (options.builder ?? new InteractionTableBuilder()).build();
  }
}
