import { ShapeError } from '../errors.ts';
import type { CatalogItem } from '../types/catalog.ts';
import type { InteractionTable } from '../types/interactions.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { itemFeatureNames } from './features.ts';

export interface TrainingDataOptions {
  /**
   * A fixed item index, e.g. the train set's `itemIds` when building a test set: rows of other
   * items are dropped (counted in `stats.unknownItemRows`) and catalog items outside it ignored.
   */
  readonly itemIds?: readonly string[];
  /** A fixed user index likewise: rows of other users are dropped (`stats.unknownUserRows`). */
  readonly userIds?: readonly string[];
  /** A fixed vocabulary likewise: item features outside it are dropped (`stats.unknownFeatures`). */
  readonly vocabulary?: readonly string[];
}

/** What buildTrainingData did with the table's rows. */
export interface TrainingDataStats {
  /** Rows of the table. */
  readonly rows: number;
  /** Rows in the result: one per (user, item) pair kept. */
  readonly kept: number;
  /** Rows superseded by a later row of the same (user, item) pair. */
  readonly duplicates: number;
  /** Pairs dropped because their latest row is a negative signal (weight <= 0, no rating). */
  readonly negatives: number;
  /** Rows dropped because their user is not in `options.userIds`. */
  readonly unknownUserRows: number;
  /** Rows dropped because their item is not in `options.itemIds` (users known). */
  readonly unknownItemRows: number;
  /** Item features dropped because they are not in `options.vocabulary`. */
  readonly unknownFeatures: number;
}

export interface BuiltTrainingData extends TrainingData {
  readonly stats: TrainingDataStats;
}

/**
 * Turns an interaction table (and optionally the catalog) into the CSR form trainers read.
 *
 * - Each (user, item) pair appears once. When it occurs several times the row with the latest
 *   timestamp wins whole (weight and rating), ties going to the row added later; a later `click`
 *   therefore replaces an earlier `complete`, and a later `dislike` removes the pair.
 * - Then pairs whose winning row has weight <= 0 and no rating (negative signals) are dropped.
 * - Each user's rows are ordered oldest first (by the winning timestamp), which splitPerUser's
 *   `'newest'` relies on.
 * - Users: in table order, those left with at least one row (or exactly `options.userIds`).
 * - Items: the table's items in table order, then catalog items without interactions, so that new
 *   titles get an index (or exactly `options.itemIds`). Item features come from the catalog via
 *   itemFeatureNames; the vocabulary is the sorted set of them (or `options.vocabulary`), and each
 *   item's feature indices are ascending. A catalog listing an id twice: the later entry counts.
 */
export function buildTrainingData(
  table: InteractionTable,
  catalog: readonly CatalogItem[] = [],
  options: TrainingDataOptions = {},
): BuiltTrainingData {
  checkTable(table);
  const n = table.size;

  // Items: output index of each table item (-1: not in a fixed index).
  const itemIds = options.itemIds ? options.itemIds.slice() : table.itemIds.slice();
  const itemIndex = indexOf(itemIds, 'itemIds');
  if (!options.itemIds) {
    for (const item of catalog) {
      if (!itemIndex.has(item.itemId)) {
        itemIndex.set(item.itemId, itemIds.length);
        itemIds.push(item.itemId);
      }
    }
  }
  const itemMap = mapIndices(table.itemIds, itemIndex);

  // Users: a provisional index (table order, or the fixed one); empty users are removed at the end.
  const provisionalUserIds = options.userIds ? options.userIds.slice() : table.userIds.slice();
  const userMap = mapIndices(table.userIds, indexOf(provisionalUserIds, 'userIds'));
  const userCount = provisionalUserIds.length;

  // Counting sort of the rows by user, keeping row order within each user.
  const offsets = new Int32Array(userCount + 1);
  let unknownUserRows = 0;
  let unknownItemRows = 0;
  for (let r = 0; r < n; r++) {
    const u = userMap[table.users[r]];
    if (u < 0) unknownUserRows++;
    else if (itemMap[table.items[r]] < 0) unknownItemRows++;
    else offsets[u + 1]++;
  }
  for (let u = 0; u < userCount; u++) offsets[u + 1] += offsets[u];
  const candidates = offsets[userCount];
  const order = new Int32Array(candidates);
  const cursor = offsets.slice(0, userCount);
  for (let r = 0; r < n; r++) {
    const u = userMap[table.users[r]];
    if (u >= 0 && itemMap[table.items[r]] >= 0) order[cursor[u]++] = r;
  }

  // Per user: order rows by (timestamp, row), then walk newest first so that the first row seen
  // of each item is the winner. `seenBy[i] === u` marks item i as taken for user u, so the marks
  // never need clearing between users.
  const { timestamps, weights, ratings } = table;
  const byTime = (a: number, b: number): number => timestamps[a] - timestamps[b] || a - b;
  const seenBy = new Int32Array(itemIds.length).fill(-1);
  const userOffsets = new Int32Array(userCount + 1);
  const outItems = new Int32Array(candidates);
  const outWeights = new Float32Array(candidates);
  const outRatings = new Float32Array(candidates);
  let kept = 0;
  let duplicates = 0;
  let negatives = 0;
  for (let u = 0; u < userCount; u++) {
    const start = offsets[u];
    const end = offsets[u + 1];
    if (!isChronological(order, start, end, timestamps)) order.subarray(start, end).sort(byTime);
    const first = kept;
    for (let p = end - 1; p >= start; p--) {
      const r = order[p];
      const i = itemMap[table.items[r]];
      if (seenBy[i] === u) {
        duplicates++;
        continue;
      }
      seenBy[i] = u;
      if (!(weights[r] > 0) && Number.isNaN(ratings[r])) {
        negatives++;
        continue;
      }
      outItems[kept] = i;
      outWeights[kept] = weights[r];
      outRatings[kept] = ratings[r];
      kept++;
    }
    // Written newest first: reverse to oldest first.
    outItems.subarray(first, kept).reverse();
    outWeights.subarray(first, kept).reverse();
    outRatings.subarray(first, kept).reverse();
    userOffsets[u + 1] = kept;
  }

  const users = options.userIds ? { userIds: provisionalUserIds, userOffsets } : withoutEmptyUsers(provisionalUserIds, userOffsets);
  const features = itemFeatures(itemIds, catalog, options.vocabulary);
  return {
    userIds: users.userIds,
    itemIds,
    vocabulary: features.vocabulary,
    userOffsets: users.userOffsets,
    userItems: outItems.slice(0, kept),
    userWeights: outWeights.slice(0, kept),
    userRatings: outRatings.slice(0, kept),
    itemFeatureOffsets: features.offsets,
    itemFeatures: features.features,
    stats: { rows: n, kept, duplicates, negatives, unknownUserRows, unknownItemRows, unknownFeatures: features.unknown },
  };
}

function checkTable(table: InteractionTable): void {
  const { size } = table;
  for (const [name, column] of [
    ['users', table.users],
    ['items', table.items],
    ['weights', table.weights],
    ['ratings', table.ratings],
    ['timestamps', table.timestamps],
  ] as const) {
    if (column.length !== size) throw new ShapeError(`table.${name} has ${column.length} rows, expected ${size}`);
  }
  for (let r = 0; r < size; r++) {
    const u = table.users[r];
    const i = table.items[r];
    if (u < 0 || u >= table.userIds.length || i < 0 || i >= table.itemIds.length) {
      throw new ShapeError(`table row ${r} refers to user ${u} / item ${i} outside the id lists`);
    }
    if (!Number.isFinite(table.weights[r]) || !Number.isFinite(table.timestamps[r])) {
      throw new ShapeError(`table row ${r} has a non-finite weight or timestamp`);
    }
  }
}

function indexOf(ids: readonly string[], what: string): Map<string, number> {
  const index = new Map<string, number>();
  for (let k = 0; k < ids.length; k++) {
    if (index.has(ids[k])) throw new ShapeError(`${what} lists '${ids[k]}' twice`);
    index.set(ids[k], k);
  }
  return index;
}

function mapIndices(ids: readonly string[], index: ReadonlyMap<string, number>): Int32Array {
  const map = new Int32Array(ids.length);
  for (let k = 0; k < ids.length; k++) map[k] = index.get(ids[k]) ?? -1;
  return map;
}

function isChronological(order: Int32Array, start: number, end: number, timestamps: Float64Array): boolean {
  for (let p = start + 1; p < end; p++) {
    if (timestamps[order[p]] < timestamps[order[p - 1]]) return false;
  }
  return true;
}

function withoutEmptyUsers(userIds: readonly string[], offsets: Int32Array): { userIds: string[]; userOffsets: Int32Array } {
  const kept: string[] = [];
  const keptOffsets: number[] = [0];
  for (let u = 0; u < userIds.length; u++) {
    if (offsets[u + 1] > offsets[u]) {
      kept.push(userIds[u]);
      keptOffsets.push(offsets[u + 1]);
    }
  }
  return { userIds: kept, userOffsets: Int32Array.from(keptOffsets) };
}

function itemFeatures(
  itemIds: readonly string[],
  catalog: readonly CatalogItem[],
  fixedVocabulary: readonly string[] | undefined,
): { vocabulary: string[]; offsets: Int32Array; features: Int32Array; unknown: number } {
  const byId = new Map<string, CatalogItem>();
  for (const item of catalog) byId.set(item.itemId, item);
  const names: (readonly string[])[] = itemIds.map((id) => {
    const item = byId.get(id);
    return item ? itemFeatureNames(item) : [];
  });
  const vocabulary = fixedVocabulary ? fixedVocabulary.slice() : [...new Set(names.flat())].sort();
  const featureIndex = indexOf(vocabulary, 'vocabulary');
  const offsets = new Int32Array(itemIds.length + 1);
  const features: number[] = [];
  let unknown = 0;
  for (let i = 0; i < itemIds.length; i++) {
    const indices: number[] = [];
    for (const name of names[i]) {
      const f = featureIndex.get(name);
      if (f === undefined) unknown++;
      else indices.push(f);
    }
    indices.sort((a, b) => a - b);
    features.push(...indices);
    offsets[i + 1] = features.length;
  }
  return { vocabulary, offsets, features: Int32Array.from(features), unknown };
}
