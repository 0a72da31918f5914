import { describe, expect, it } from 'vitest';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { splitPerUser } from '../../../model/data/splitPerUser.ts';
import { buildTrainingData } from '../../../model/data/trainingData.ts';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';

/** Users with 1, 2, 5 and 10 rows; item j of a user has timestamp j (oldest first). */
function data(): TrainingData {
  const builder = new InteractionTableBuilder();
  const sizes: Record<string, number> = { one: 1, two: 2, five: 5, ten: 10 };
  for (const [user, n] of Object.entries(sizes)) {
    // Added newest first, so stored order (oldest first) differs from insertion order.
    for (let j = n - 1; j >= 0; j--) builder.add(user, `i${j}`, 1, NaN, 1000 + j);
  }
  return buildTrainingData(builder.build());
}

function itemsOf(d: TrainingData, userId: string): string[] {
  const u = d.userIds.indexOf(userId);
  return Array.from(d.userItems.subarray(d.userOffsets[u], d.userOffsets[u + 1]), (i) => d.itemIds[i]);
}

describe('splitPerUser', () => {
  it('holds out round(fraction × n) rows per user, at least 1, leaving at least 1 in train', () => {
    const { train, validation } = splitPerUser(data(), 0.2, new Random(1));
    const counts = (d: TrainingData) => Object.fromEntries(['one', 'two', 'five', 'ten'].map((u) => [u, itemsOf(d, u).length]));
    expect(counts(validation)).toEqual({ one: 0, two: 1, five: 1, ten: 2 });
    expect(counts(train)).toEqual({ one: 1, two: 1, five: 4, ten: 8 });
  });

  it("partitions every user's rows and shares the indices", () => {
    const full = data();
    const { train, validation } = splitPerUser(full, 0.3, new Random(2));
    for (const user of full.userIds) {
      const union = [...itemsOf(train, user), ...itemsOf(validation, user)].sort();
      expect(union).toEqual(itemsOf(full, user).sort());
    }
    expect(train.itemIds).toBe(full.itemIds);
    expect(validation.vocabulary).toBe(full.vocabulary);
    expect(validation.userIds).toBe(full.userIds);
  });

  it("with 'newest' holds out each user's latest rows", () => {
    const { train, validation } = splitPerUser(data(), 0.2, 'newest');
    expect(itemsOf(validation, 'ten')).toEqual(['i8', 'i9']);
    expect(itemsOf(validation, 'five')).toEqual(['i4']);
    expect(itemsOf(train, 'ten')).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7']);
    expect(itemsOf(validation, 'one')).toEqual([]);
  });

  it('is deterministic for a seed', () => {
    const a = splitPerUser(data(), 0.5, new Random(7));
    const b = splitPerUser(data(), 0.5, new Random(7));
    expect(Array.from(a.validation.userItems)).toEqual(Array.from(b.validation.userItems));
    const draws = new Set<string>();
    for (let seed = 0; seed < 8; seed++) draws.add(itemsOf(splitPerUser(data(), 0.5, new Random(seed)).validation, 'ten').join());
    expect(draws.size).toBeGreaterThan(1);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => splitPerUser(data(), 0, 'newest')).toThrow(ShapeError);
    expect(() => splitPerUser(data(), 1, 'newest')).toThrow(ShapeError);
    expect(() => splitPerUser(data(), NaN, 'newest')).toThrow(ShapeError);
  });
});
