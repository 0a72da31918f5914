import { Random } from '../random.ts';
import type { TrainingData } from '../types/trainingData.ts';

/**
 * `data` with the rows of at most `maxUsers` of its users that have rows (a fixed-seed uniform
 * sample; all of them when there are no more), the other users left without rows. Users, items
 * and features keep their indices, so the result evaluates against the same train data.
 */
export function sampleUsers(data: TrainingData, maxUsers: number, seed: number): TrainingData {
  const userCount = data.userIds.length;
  const withRows: number[] = [];
  for (let u = 0; u < userCount; u++) if (data.userOffsets[u + 1] > data.userOffsets[u]) withRows.push(u);
  if (withRows.length <= maxUsers) return data;
  // Partial Fisher–Yates: the first maxUsers entries become a uniform sample.
  const rng = new Random(seed);
  for (let p = 0; p < maxUsers; p++) {
    const q = p + rng.nextInt(withRows.length - p);
    [withRows[p], withRows[q]] = [withRows[q], withRows[p]];
  }
  const chosen = new Uint8Array(userCount);
  for (let p = 0; p < maxUsers; p++) chosen[withRows[p]] = 1;
  const userOffsets = new Int32Array(userCount + 1);
  let rows = 0;
  for (let u = 0; u < userCount; u++) {
    if (chosen[u]) rows += data.userOffsets[u + 1] - data.userOffsets[u];
    userOffsets[u + 1] = rows;
  }
  const userItems = new Int32Array(rows);
  const userWeights = new Float32Array(rows);
  const userRatings = new Float32Array(rows);
  for (let u = 0; u < userCount; u++) {
    if (!chosen[u]) continue;
    const from = data.userOffsets[u];
    const to = data.userOffsets[u + 1];
    userItems.set(data.userItems.subarray(from, to), userOffsets[u]);
    userWeights.set(data.userWeights.subarray(from, to), userOffsets[u]);
    userRatings.set(data.userRatings.subarray(from, to), userOffsets[u]);
  }
  return { ...data, userOffsets, userItems, userWeights, userRatings };
}
