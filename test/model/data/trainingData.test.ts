import { describe, expect, it } from 'vitest';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { buildTrainingData } from '../../../model/data/trainingData.ts';
import { ShapeError } from '../../../model/errors.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';

type Row = [user: string, item: string, weight: number, rating: number, timestamp: number];

function table(rows: readonly Row[]) {
  const builder = new InteractionTableBuilder(2);
  for (const row of rows) builder.add(...row);
  return builder.build();
}

/** User u's rows as [itemId, weight, rating] in stored order. */
function rowsOf(data: TrainingData, userId: string): [string, number, number][] {
  const u = data.userIds.indexOf(userId);
  const result: [string, number, number][] = [];
  for (let r = data.userOffsets[u]; r < data.userOffsets[u + 1]; r++) {
    result.push([data.itemIds[data.userItems[r]], data.userWeights[r], data.userRatings[r]]);
  }
  return result;
}

function item(itemId: string, genres: string[], extra: Partial<CatalogItem> = {}): CatalogItem {
  return { itemId, title: itemId, genres, cast: [], directors: [], tags: [], ...extra };
}

describe('buildTrainingData', () => {
  it('keeps each (user, item) pair once: the latest timestamp wins, ties go to the later row', () => {
    const data = buildTrainingData(
      table([
        ['u', 'a', 1, NaN, 10],
        ['u', 'a', 0.25, NaN, 30],
        ['u', 'a', 1.5, NaN, 20],
        ['u', 'b', 1, 2, 50],
        ['u', 'b', 1, 5, 50],
      ]),
    );
    expect(rowsOf(data, 'u')).toEqual([
      ['a', 0.25, NaN],
      ['b', 1, 5],
    ]);
    expect(data.stats.duplicates).toBe(3);
    expect(data.stats.kept).toBe(2);
  });

  it('drops pairs whose latest row is a negative signal, but keeps weight 0 with a rating', () => {
    const data = buildTrainingData(
      table([
        ['u', 'a', 1, NaN, 10],
        ['u', 'a', 0, NaN, 20],
        ['u', 'b', 0, NaN, 20],
        ['u', 'c', 0, 3, 20],
        ['v', 'a', 0, NaN, 5],
      ]),
    );
    expect(rowsOf(data, 'u')).toEqual([['c', 0, 3]]);
    expect(data.stats.negatives).toBe(3);
    // v had only a negative signal: no rows, so not a user of the training data.
    expect(data.userIds).toEqual(['u']);
    // Its item still has an index.
    expect(data.itemIds).toEqual(['a', 'b', 'c']);
  });

  it("orders each user's rows oldest first by the winning timestamp", () => {
    const data = buildTrainingData(
      table([
        ['u', 'a', 1, NaN, 300],
        ['u', 'b', 1, NaN, 100],
        ['u', 'c', 1, NaN, 200],
        ['u', 'b', 1, NaN, 400],
      ]),
    );
    expect(rowsOf(data, 'u').map(([id]) => id)).toEqual(['c', 'a', 'b']);
  });

  it('holds a consistent CSR layout', () => {
    const rows: Row[] = [];
    for (let r = 0; r < 200; r++) rows.push([`u${r % 9}`, `i${(r * 7) % 23}`, 1 + (r % 3), NaN, r % 17]);
    const data = buildTrainingData(table(rows));
    expect(data.userOffsets.length).toBe(data.userIds.length + 1);
    expect(data.userOffsets[0]).toBe(0);
    expect(data.userOffsets[data.userIds.length]).toBe(data.userItems.length);
    expect(data.userWeights.length).toBe(data.userItems.length);
    expect(data.userRatings.length).toBe(data.userItems.length);
    for (let u = 0; u < data.userIds.length; u++) {
      const items = Array.from(data.userItems.subarray(data.userOffsets[u], data.userOffsets[u + 1]));
      expect(new Set(items).size).toBe(items.length);
      expect(items.every((i) => i >= 0 && i < data.itemIds.length)).toBe(true);
    }
    const distinctPairs = new Set(rows.map(([u, i]) => `${u}/${i}`)).size;
    expect(data.userItems.length).toBe(distinctPairs);
  });

  it('adds catalog-only items after the interacted ones, with sorted vocabulary and features', () => {
    const catalog = [
      item('new', ['Horror'], { year: 2025, tags: ['Gory'] }),
      item('b', ['Drama'], { cast: ['Jane Roe'], year: 1994 }),
      item('a', ['Action', 'Drama']),
    ];
    const data = buildTrainingData(
      table([
        ['u', 'a', 1, NaN, 1],
        ['u', 'b', 1, NaN, 2],
        ['u', 'x', 1, NaN, 3],
      ]),
      catalog,
    );
    expect(data.itemIds).toEqual(['a', 'b', 'x', 'new']);
    expect(data.vocabulary).toEqual([...data.vocabulary].sort());
    expect(new Set(data.vocabulary)).toEqual(
      new Set(['genre:action', 'genre:drama', 'genre:horror', 'person:jane roe', 'year:1990s', 'year:2020s', 'tag:gory']),
    );
    const featuresOf = (itemId: string): string[] => {
      const i = data.itemIds.indexOf(itemId);
      const indices = Array.from(data.itemFeatures.subarray(data.itemFeatureOffsets[i], data.itemFeatureOffsets[i + 1]));
      expect(indices).toEqual([...indices].sort((p, q) => p - q));
      return indices.map((f) => data.vocabulary[f]);
    };
    expect(featuresOf('a')).toEqual(['genre:action', 'genre:drama']);
    expect(new Set(featuresOf('b'))).toEqual(new Set(['genre:drama', 'person:jane roe', 'year:1990s']));
    expect(featuresOf('x')).toEqual([]);
    expect(new Set(featuresOf('new'))).toEqual(new Set(['genre:horror', 'year:2020s', 'tag:gory']));
    expect(data.itemFeatureOffsets.length).toBe(data.itemIds.length + 1);
  });

  it("builds a test set on a train set's indices, dropping and counting unknown users, items and features", () => {
    const catalog = [item('a', ['Drama']), item('b', ['Comedy']), item('c', ['Western'])];
    const train = buildTrainingData(
      table([
        ['u', 'a', 1, NaN, 1],
        ['v', 'b', 1, NaN, 2],
      ]),
      catalog.slice(0, 2),
    );
    const test = buildTrainingData(
      table([
        ['v', 'a', 1, NaN, 5],
        ['w', 'a', 1, NaN, 5],
        ['u', 'c', 1, NaN, 6],
        ['u', 'b', 1, NaN, 7],
      ]),
      catalog,
      { itemIds: train.itemIds, userIds: train.userIds, vocabulary: train.vocabulary },
    );
    expect(test.itemIds).toEqual(train.itemIds);
    expect(test.userIds).toEqual(train.userIds);
    expect(test.vocabulary).toEqual(train.vocabulary);
    expect(Array.from(test.itemFeatures)).toEqual(Array.from(train.itemFeatures));
    expect(rowsOf(test, 'u')).toEqual([['b', 1, NaN]]);
    expect(rowsOf(test, 'v')).toEqual([['a', 1, NaN]]);
    expect(test.stats.unknownUserRows).toBe(1);
    expect(test.stats.unknownItemRows).toBe(1);
    expect(test.stats.unknownFeatures).toBe(0);

    const fixedVocabulary = buildTrainingData(table([['u', 'c', 1, NaN, 1]]), catalog, { vocabulary: ['genre:drama'] });
    // Items c, then catalog-only a and b: only a's genre:drama is in the vocabulary.
    expect(fixedVocabulary.itemIds).toEqual(['c', 'a', 'b']);
    expect(fixedVocabulary.stats.unknownFeatures).toBe(2);
    expect(Array.from(fixedVocabulary.itemFeatureOffsets)).toEqual([0, 0, 1, 1]);
    expect(Array.from(fixedVocabulary.itemFeatures)).toEqual([0]);
  });

  it('rejects a fixed index listing an id twice', () => {
    expect(() => buildTrainingData(table([['u', 'a', 1, NaN, 1]]), [], { itemIds: ['a', 'a'] })).toThrow(ShapeError);
  });
});
