// A tiny `user item rating timestamp` TSV reader for the rating tests and bench/tuneRating.ts,
// until the shared loaders of model/data/ are in place.
import { readFileSync } from 'node:fs';
import { Random } from '../../model/random.ts';
import type { TrainingData } from '../../model/types/trainingData.ts';

/** Rating rows with external ids, in file order. */
export interface RatingRows {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly ratings: readonly number[];
}

export function parseRatingsTsv(text: string): RatingRows {
  const users: string[] = [];
  const items: string[] = [];
  const ratings: number[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [user, item, rating] = line.split('\t');
    users.push(user);
    items.push(item);
    ratings.push(Number(rating));
  }
  return { users, items, ratings };
}

export function readRatingsTsv(path: string): RatingRows {
  return parseRatingsTsv(readFileSync(path, 'utf8'));
}

/** A random `fraction` of the rows (second) and the rest (first), seeded. */
export function splitRatingRows(rows: RatingRows, fraction: number, seed: number): [RatingRows, RatingRows] {
  const order = Array.from(rows.ratings, (_, k) => k);
  new Random(seed).shuffle(order);
  const held = new Set(order.slice(0, Math.round(fraction * order.length)));
  const pick = (keep: boolean): RatingRows => {
    const ks = rows.ratings.map((_, k) => k).filter((k) => held.has(k) === keep);
    return { users: ks.map((k) => rows.users[k]), items: ks.map((k) => rows.items[k]), ratings: ks.map((k) => rows.ratings[k]) };
  };
  return [pick(false), pick(true)];
}

/**
 * TrainingData of each row set over one shared user and item index (ids in order of first
 * appearance across the sets), so a test set is indexed like its training set. Weights are 1,
 * there are no item features; rows keep file order within each user.
 */
export function ratingTrainingData(rowSets: readonly RatingRows[]): TrainingData[] {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  for (const rows of rowSets) {
    for (const u of rows.users) if (!userIndex.has(u)) userIndex.set(u, userIndex.size);
    for (const i of rows.items) if (!itemIndex.has(i)) itemIndex.set(i, itemIndex.size);
  }
  const userIds = [...userIndex.keys()];
  const itemIds = [...itemIndex.keys()];
  return rowSets.map((rows) => {
    const n = rows.ratings.length;
    const userOffsets = new Int32Array(userIds.length + 1);
    for (const u of rows.users) userOffsets[userIndex.get(u)! + 1]++;
    for (let u = 0; u < userIds.length; u++) userOffsets[u + 1] += userOffsets[u];
    const next = userOffsets.slice(0, userIds.length);
    const userItems = new Int32Array(n);
    const userRatings = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const r = next[userIndex.get(rows.users[k])!]++;
      userItems[r] = itemIndex.get(rows.items[k])!;
      userRatings[r] = rows.ratings[k];
    }
    return {
      userIds,
      itemIds,
      vocabulary: [],
      userOffsets,
      userItems,
      userWeights: new Float32Array(n).fill(1),
      userRatings,
      itemFeatureOffsets: new Int32Array(itemIds.length + 1),
      itemFeatures: new Int32Array(0),
    };
  });
}
