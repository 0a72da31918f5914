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
