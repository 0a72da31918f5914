import { DataFormatError } from '../errors.ts';
import type { CatalogItem } from '../types/catalog.ts';
import { parseCsvLine } from './csvLine.ts';
import { MOVIELENS_100K_GENRES, parseMovieLens100kItems } from './movieLens100k.ts';
import { MOVIES_CSV_HEADER, parseMovieLensMoviesCsv } from './movieLensCsv.ts';
import { readBytes } from './readBytes.ts';
import type { ReadOptions } from './readLines.ts';

export type ItemsFormat = 'movielens-100k-item' | 'movielens-movies-csv';

/** Fields of a u.item line: id|title|release|video release|URL + one flag per genre. */
const U_ITEM_FIELDS = 5 + MOVIELENS_100K_GENRES.length;

/**
 * The format of a catalog file, told from its first non-blank line (never from the file name):
 * 24 `|`-separated fields → MovieLens 100K `u.item` (a movies.csv line has `|` only inside its
 * genres, so never 24 fields); the `movieId,title,genres` header or 3 CSV fields → `movies.csv`.
 * Undefined for an empty file; DataFormatError otherwise.
 */
export function detectItemsFormat(bytes: Uint8Array, file: string): ItemsFormat | undefined {
  // Latin-1 decodes any bytes, which is all format detection needs.
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024)).replace(/^\u00ef\u00bb\u00bf/, '');
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.trim().length > 0);
  if (index === -1) return undefined;
  const line = lines[index].replace(/\r$/, '');
  if (line.split('|').length === U_ITEM_FIELDS) return 'movielens-100k-item';
  const header = MOVIES_CSV_HEADER.join(',').toLowerCase();
  if (line.replace(/\s/g, '').toLowerCase() === header) return 'movielens-movies-csv';
  try {
    if (parseCsvLine(line, file, index + 1).length === MOVIES_CSV_HEADER.length) return 'movielens-movies-csv';
  } catch {
    // Not CSV either: reported below.
  }
  throw new DataFormatError(
    file,
    index + 1,
    `unrecognised items format: expected ${U_ITEM_FIELDS} '|'-separated fields (u.item) or CSV movieId,title,genres (movies.csv)`,
  );
}

/** Reads a catalog file of any supported format (see detectItemsFormat); empty file → no items. */
export async function readItemsFile(path: string, options: ReadOptions = {}): Promise<CatalogItem[]> {
  const bytes = await readBytes(path);
  switch (detectItemsFormat(bytes, path)) {
    case 'movielens-100k-item':
      return parseMovieLens100kItems(bytes, path, options);
    case 'movielens-movies-csv':
      return parseMovieLensMoviesCsv(bytes, path, options);
    case undefined:
      return [];
  }
}
