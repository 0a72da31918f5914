import { readFileSync } from 'node:fs';
import type { TrainingData } from '../../../../model/types/trainingData.ts';
import { trainingDataFromLists } from './trainingDataFromLists.ts';

/**
 * Test-only reader of a `user\titem\trating\ttimestamp` train/test split (every row a positive),
 * standing in for the model/data loaders. Users and items are indexed in order of first
 * appearance in train, then in test, so both sets share one index space: items that only occur
 * in test get the indices after every train item.
 */
export function readRankingSplit(
  trainFile: string,
  testFile: string,
): {
  train: TrainingData;
  test: TrainingData;
  trainRows: number;
  testRows: number;
} {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const index = (map: Map<string, number>, id: string): number => {
    let i = map.get(id);
    if (i === undefined) {
      i = map.size;
      map.set(id, i);
    }
    return i;
  };
  const read = (file: string): { users: number[]; items: number[]; ratings: number[] } => {
    const users: number[] = [];
    const items: number[] = [];
    const ratings: number[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const [user, item, rating] = line.split('\t');
      users.push(index(userIndex, user));
      items.push(index(itemIndex, item));
      ratings.push(Number(rating));
    }
    return { users, items, ratings };
  };
  const trainRows = read(trainFile);
  const testRows = read(testFile);

  const userIds = [...userIndex.keys()];
  const itemIds = [...itemIndex.keys()];
  const toData = (rows: { users: number[]; items: number[]; ratings: number[] }): TrainingData => {
    const lists: number[][] = userIds.map(() => []);
    const ratings: number[][] = userIds.map(() => []);
    for (let r = 0; r < rows.users.length; r++) {
      lists[rows.users[r]].push(rows.items[r]);
      ratings[rows.users[r]].push(rows.ratings[r]);
    }
    return trainingDataFromLists(lists, { userIds, itemIds, ratings });
  };
  return { train: toData(trainRows), test: toData(testRows), trainRows: trainRows.users.length, testRows: testRows.users.length };
}
