import type { CatalogItem, TrainingData } from '../../model/index.ts';

/** What responses and filters need of a title, in model index order (`items.json` of a model version). */
export interface ServingItem {
  readonly itemId: string;
  readonly title?: string;
  readonly genres: readonly string[];
  readonly cast: readonly string[];
  readonly directors: readonly string[];
  readonly year?: number;
  readonly tags: readonly string[];
  /** Positive interactions in the training data (popularity). */
  readonly interactions: number;
}

export interface ServingItemsFile {
  readonly items: readonly ServingItem[];
}

/** The items.json of a model trained on `data`: catalog metadata where known, and popularity. */
export function buildServingItems(data: TrainingData, catalog: readonly CatalogItem[]): ServingItemsFile {
  const counts = new Int32Array(data.itemIds.length);
  for (let r = 0; r < data.userItems.length; r++) counts[data.userItems[r]]++;
  const byId = new Map(catalog.map((item) => [item.itemId, item]));
  return {
    items: data.itemIds.map((itemId, i) => {
      const item = byId.get(itemId);
      return {
        itemId,
        ...(item?.title ? { title: item.title } : {}),
        genres: item?.genres ?? [],
        cast: item?.cast ?? [],
        directors: item?.directors ?? [],
        ...(item?.year !== undefined ? { year: item.year } : {}),
        tags: item?.tags ?? [],
        interactions: counts[i],
      };
    }),
  };
}

/**
 * items.json as published since format 2: one column per field, genres as indices into a table
 * of their spellings. JSON.parse of 50,000 titles as objects (cast, directors, tags included)
 * took 120–160 ms of a cold start; as columns of what serving reads it takes a fraction of that.
 * Readers still accept the `{items: […]}` form of versions published before it.
 */
export interface ServingItemsColumns {
  readonly format: typeof SERVING_ITEMS_FORMAT;
  /** Model index order: must equal the manifest's itemIds. */
  readonly itemIds: readonly string[];
  readonly titles: readonly (string | null)[];
  readonly years: readonly (number | null)[];
  readonly interactions: readonly number[];
  /** Distinct genre spellings, in order of first appearance. */
  readonly genreNames: readonly string[];
  /** Item i's genres are genreNames[genres[j]] for j in [genreOffsets[i], genreOffsets[i + 1]). */
  readonly genreOffsets: readonly number[];
  readonly genres: readonly number[];
}

export const SERVING_ITEMS_FORMAT = 2;

/** The published text of items.json: `file` as columns (ServingItemsColumns). */
export function encodeServingItems(file: ServingItemsFile): string {
  const names = new Map<string, number>();
  const genreOffsets = [0];
  const genres: number[] = [];
  for (const item of file.items) {
    for (const genre of item.genres) {
      let id = names.get(genre);
      if (id === undefined) names.set(genre, (id = names.size));
      genres.push(id);
    }
    genreOffsets.push(genres.length);
  }
  const columns: ServingItemsColumns = {
    format: SERVING_ITEMS_FORMAT,
    itemIds: file.items.map((item) => item.itemId),
    titles: file.items.map((item) => item.title ?? null),
    years: file.items.map((item) => item.year ?? null),
    interactions: file.items.map((item) => item.interactions),
    genreNames: [...names.keys()],
    genreOffsets,
    genres,
  };
  return JSON.stringify(columns);
}

/** How many titles a parsed items.json (either form) lists; undefined when it is neither. */
export function servingItemsCount(parsed: unknown): number | undefined {
  const value = parsed as { items?: unknown; format?: unknown; itemIds?: unknown } | null;
  if (typeof value !== 'object' || value === null) return undefined;
  if (value.format === SERVING_ITEMS_FORMAT) return Array.isArray(value.itemIds) ? value.itemIds.length : undefined;
  return Array.isArray(value.items) ? value.items.length : undefined;
}
