import { DataFormatError } from '../errors.ts';
import type { CatalogItem } from '../types/catalog.ts';
import type { InteractionTable } from '../types/interactions.ts';
import { parseCsvLine } from './csvLine.ts';
import { parseIdField } from './fields.ts';
import { InteractionTableBuilder } from './interactionTableBuilder.ts';
import { addRatingRow } from './ratingRow.ts';
import { readBytes } from './readBytes.ts';
import { forEachLine, readLines } from './readLines.ts';
import type { ReadOptions, TableReadOptions } from './readLines.ts';
import { titleYear } from './titleYear.ts';

export const RATINGS_CSV_HEADER = ['userId', 'movieId', 'rating', 'timestamp'] as const;
export const MOVIES_CSV_HEADER = ['movieId', 'title', 'genres'] as const;

/** What movies.csv writes for a film without genres. */
const NO_GENRES = '(no genres listed)';

/**
 * Reads a MovieLens `ratings.csv` (ml-latest / ml-latest-small / ml-25m): header
 * `userId,movieId,rating,timestamp`, then one rating (0.5–5 stars) per line. Each line is an
 * interaction of weight 1 whose rating column holds the stars. Header lines are skipped (so that
 * concatenated files read too); the file is streamed, so any size reads in bounded memory.
 */
export async function readMovieLensRatingsCsv(path: string, options: TableReadOptions = {}): Promise<InteractionTable> {
  const builder = options.builder ?? new InteractionTableBuilder();
  await readLines(path, (line, lineNumber) => addCsvRating(builder, line, path, lineNumber), options);
  return builder.build();
}

/** Adds one `userId,movieId,rating,timestamp` line (skipping the header line); throws DataFormatError when malformed. */
export function addCsvRating(builder: InteractionTableBuilder, line: string, file: string, lineNumber: number): void {
  // Ratings lines never need quoting; split directly unless a quote shows up.
  const fields = line.includes('"') ? parseCsvLine(line, file, lineNumber) : line.split(',');
  if (isHeader(fields, RATINGS_CSV_HEADER)) return;
  if (fields.length !== 4) {
    throw new DataFormatError(
      file,
      lineNumber,
      `expected 4 comma-separated fields (userId,movieId,rating,timestamp), got ${fields.length}`,
    );
  }
  addRatingRow(builder, fields, file, lineNumber);
}

/**
 * Parses MovieLens `movies.csv` bytes (UTF-8): header `movieId,title,genres`; titles may be
 * double-quoted with commas and `""` inside; genres are `|`-separated, `(no genres listed)` meaning
 * none; the year comes from a `(1995)` at the end of the title, which `title` keeps.
 */
export function parseMovieLensMoviesCsv(bytes: Uint8Array, file = 'movies.csv', options: ReadOptions = {}): CatalogItem[] {
  const text = new TextDecoder('utf-8').decode(bytes);
  const items: CatalogItem[] = [];
  forEachLine(
    text,
    (line, lineNumber) => {
      const fields = parseCsvLine(line, file, lineNumber);
      if (isHeader(fields, MOVIES_CSV_HEADER)) return;
      if (fields.length !== 3) {
        throw new DataFormatError(file, lineNumber, `expected 3 comma-separated fields (movieId,title,genres), got ${fields.length}`);
      }
      const itemId = parseIdField(fields[0], 'movie id', file, lineNumber);
      const title = fields[1].trim();
      const genreText = fields[2].trim();
      const genres =
        genreText === NO_GENRES
          ? []
          : genreText
              .split('|')
              .map((g) => g.trim())
              .filter((g) => g.length > 0);
      const year = titleYear(title);
      items.push({ itemId, title, genres, cast: [], directors: [], ...(year === undefined ? {} : { year }), tags: [] });
    },
    options,
  );
  return items;
}

/** Reads and parses a MovieLens `movies.csv` file (see parseMovieLensMoviesCsv). */
export async function readMovieLensMoviesCsv(path: string, options: ReadOptions = {}): Promise<CatalogItem[]> {
  return parseMovieLensMoviesCsv(await readBytes(path), path, options);
}

function isHeader(fields: readonly string[], header: readonly string[]): boolean {
  return fields.length === header.length && fields.every((f, i) => f.trim().toLowerCase() === header[i].toLowerCase());
}
