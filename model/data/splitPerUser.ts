import { ShapeError } from '../errors.ts';
import type { Random } from '../random.ts';
import type { TrainingData } from '../types/trainingData.ts';

/**
 * Splits each user's rows into train and validation for hold-out validation. A user with n >= 2
 * rows gives round(fraction · n) of them, at least 1 and at most n − 1, to validation: chosen at
 * random with `rng`, or with `'newest'` the last ones (buildTrainingData orders each user's rows
 * oldest first). Users with fewer than 2 rows stay wholly in train. Both halves keep the users,
 * items, vocabulary and item features of `data` (shared, not copied) and the rows' order.
 */
export function splitPerUser(
  data: TrainingData,
  fraction: number,
  rng: Random | 'newest',
): { train: TrainingData; validation: TrainingData } {
  if (!(fraction > 0 && fraction < 1)) throw new ShapeError(`fraction must be in (0, 1), got ${fraction}`);
  const { userOffsets } = data;
  const userCount = data.userIds.length;
  if (userOffsets.length !== userCount + 1) {
    throw new ShapeError(`userOffsets has ${userOffsets.length} entries, expected ${userCount + 1}`);
  }
  const rows = userOffsets[userCount];

  // Mark validation rows; a scratch list of positions serves the partial Fisher–Yates draws.
  const inValidation = new Uint8Array(rows);
  let longest = 0;
  for (let u = 0; u < userCount; u++) longest = Math.max(longest, userOffsets[u + 1] - userOffsets[u]);
  const positions = new Int32Array(longest);
  for (let u = 0; u < userCount; u++) {
    const start = userOffsets[u];
    const n = userOffsets[u + 1] - start;
    if (n < 2) continue;
    const k = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
    if (rng === 'newest') {
      inValidation.fill(1, start + n - k, start + n);
    } else {
      for (let p = 0; p < n; p++) positions[p] = p;
      for (let p = 0; p < k; p++) {
        const q = p + rng.nextInt(n - p);
        const t = positions[p];
        positions[p] = positions[q];
        positions[q] = t;
        inValidation[start + positions[p]] = 1;
      }
    }
  }

  return { train: subset(data, inValidation, 0), validation: subset(data, inValidation, 1) };
}

function subset(data: TrainingData, inValidation: Uint8Array, wanted: number): TrainingData {
  const userCount = data.userIds.length;
  let count = 0;
  for (let r = 0; r < inValidation.length; r++) if (inValidation[r] === wanted) count++;
  const userOffsets = new Int32Array(userCount + 1);
  const userItems = new Int32Array(count);
  const userWeights = new Float32Array(count);
  const userRatings = new Float32Array(count);
  let w = 0;
  for (let u = 0; u < userCount; u++) {
    for (let r = data.userOffsets[u]; r < data.userOffsets[u + 1]; r++) {
      if (inValidation[r] !== wanted) continue;
      userItems[w] = data.userItems[r];
      userWeights[w] = data.userWeights[r];
      userRatings[w] = data.userRatings[r];
      w++;
    }
    userOffsets[u + 1] = w;
  }
  return {
    userIds: data.userIds,
    itemIds: data.itemIds,
    vocabulary: data.vocabulary,
    userOffsets,
    userItems,
    userWeights,
    userRatings,
    itemFeatureOffsets: data.itemFeatureOffsets,
    itemFeatures: data.itemFeatures,
  };
}
