import type { TrainingData } from '../../../../model/types/trainingData.ts';

/**
 * Test-only TrainingData from per-user item lists (user u's items are `lists[u]`), weight 1,
 * optional ratings in the same shape, no item features. Users and items are named by index
 * unless `userIds` / `itemIds` are given, so a train and a test set can share them.
 */
export function trainingDataFromLists(
  lists: readonly (readonly number[])[],
  options: {
    readonly itemIds?: readonly string[];
    readonly itemCount?: number;
    readonly userIds?: readonly string[];
    readonly ratings?: readonly (readonly number[])[];
  } = {},
): TrainingData {
  const itemIds = options.itemIds ?? Array.from({ length: options.itemCount ?? 0 }, (_, i) => `i${i}`);
  const userIds = options.userIds ?? lists.map((_, u) => `u${u}`);
  const userOffsets = new Int32Array(lists.length + 1);
  for (let u = 0; u < lists.length; u++) userOffsets[u + 1] = userOffsets[u] + lists[u].length;
  const rows = userOffsets[lists.length];
  const userItems = new Int32Array(rows);
  const userRatings = new Float32Array(rows).fill(Number.NaN);
  for (let u = 0; u < lists.length; u++) {
    userItems.set(lists[u], userOffsets[u]);
    const ratings = options.ratings?.[u];
    if (ratings) userRatings.set(ratings, userOffsets[u]);
  }
  return {
    userIds,
    itemIds,
    vocabulary: [],
    userOffsets,
    userItems,
    userWeights: new Float32Array(rows).fill(1),
    userRatings,
    itemFeatureOffsets: new Int32Array(itemIds.length + 1),
    itemFeatures: new Int32Array(0),
  };
}
