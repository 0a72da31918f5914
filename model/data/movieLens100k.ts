import { DataFormatError } from '../errors.ts';
import type { CatalogItem } from '../types/catalog.ts';
import type { InteractionTable } from '../types/interactions.ts';
import { parseIdField } from './fields.ts';
import { InteractionTableBuilder } from './interactionTableBuilder.ts';
import { addRatingRow } from './ratingRow.ts';
import { readBytes } from './readBytes.ts';
import { forEachLine, readLines } from './readLines.ts';
import type { ReadOptions, TableReadOptions } from './readLines.ts';
import { titleYear } from './titleYear.ts';

/** Genre names of the 19 u.item genre flags, in column order (the fixed u.genre list). */
export const MOVIELENS_100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** id|title|release date|video release date|IMDb URL, then one flag per genre. */
const ITEM_FIELDS = 5 + MOVIELENS_100K_GENRES.length;

/**
 * Reads MovieLens 100K ratings: `u.data`, `uN.base` / `uN.test`, or the ml-100k-ranking
 * `train.tsv` / `test.tsv` — tab-separated `user item rating timestamp`, no header. Each line is
 * an interaction of weight 1 whose rating column holds the stars. Streams the file, so any size
 * reads in bounded memory; a malformed line throws DataFormatError naming file and line (or goes
 * to `options.onInvalidLine`).
 */
export async function readMovieLens100kRatings(path: string, options: TableReadOptions = {}): Promise<InteractionTable> {
  const builder = options.builder ?? new InteractionTableBuilder();
  await readLines(path, (line, lineNumber) => addTsvRating(builder, line, path, lineNumber), options);
  return builder.build();
}

/** Adds one `user\titem\trating\ttimestamp` line; throws DataFormatError when malformed. */
export function addTsvRating(builder: InteractionTableBuilder, line: string, file: string, lineNumber: number): void {
  const fields = line.split('\t');
  if (fields.length !== 4) {
    throw new DataFormatError(file, lineNumber, `expected 4 tab-separated fields (user item rating timestamp), got ${fields.length}`);
  }
  addRatingRow(builder, fields, file, lineNumber);
}

/**
 * Parses MovieLens 100K `u.item` bytes — Latin-1 text, `|`-separated
 * `id|title|release date|video release date|IMDb URL|19 genre flags`. Genres come from the flags
 * (the `unknown` genre is left out); the year from the release date (`01-Jan-1995`) or else from
 * a `(1995)` at the end of the title; `title` is the original title text, year included.
 */
export function parseMovieLens100kItems(bytes: Uint8Array, file = 'u.item', options: ReadOptions = {}): CatalogItem[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const items: CatalogItem[] = [];
  forEachLine(text, (line, lineNumber) => items.push(parseItemLine(line, file, lineNumber)), options);
  return items;
}

/** Reads and parses a MovieLens 100K `u.item` file (see parseMovieLens100kItems). */
export async function readMovieLens100kItems(path: string, options: ReadOptions = {}): Promise<CatalogItem[]> {
  return parseMovieLens100kItems(await readBytes(path), path, options);
}

function parseItemLine(line: string, file: string, lineNumber: number): CatalogItem {
  const fields = line.split('|');
  if (fields.length !== ITEM_FIELDS) {
    throw new DataFormatError(file, lineNumber, `expected ${ITEM_FIELDS} '|'-separated fields, got ${fields.length}`);
  }
  const itemId = parseIdField(fields[0], 'item id', file, lineNumber);
  const title = fields[1].trim();
  const genres: string[] = [];
  for (let g = 0; g < MOVIELENS_100K_GENRES.length; g++) {
    const flag = fields[5 + g].trim();
    if (flag !== '0' && flag !== '1') {
      throw new DataFormatError(file, lineNumber, `genre flag ${MOVIELENS_100K_GENRES[g]} must be 0 or 1, got '${flag}'`);
    }
    if (flag === '1' && g > 0) genres.push(MOVIELENS_100K_GENRES[g]);
  }
  const release = /^\d{1,2}-[A-Za-z]{3}-(\d{4})$/.exec(fields[2].trim());
  const year = release ? Number(release[1]) : titleYear(title);
  return { itemId, title, genres, cast: [], directors: [], ...(year === undefined ? {} : { year }), tags: [] };
}
