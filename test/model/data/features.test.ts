import { describe, expect, it } from 'vitest';
import { decadeOf, featureName, itemFeatureNames, normalizeFeatureValue, preferenceFeatureNames } from '../../../model/data/features.ts';
import { ShapeError } from '../../../model/errors.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';

describe('featureName', () => {
  it('lower-cases, trims and collapses inner whitespace', () => {
    expect(featureName('genre', '  Science \t  FICTION ')).toBe('genre:science fiction');
    expect(featureName('person', 'John\nDoe')).toBe('person:john doe');
  });

  it('names a composed and a decomposed accent the same', () => {
    expect(normalizeFeatureValue('Cafe\u0301')).toBe(normalizeFeatureValue('Caf\u00e9'));
  });

  it('rejects empty values and unknown kinds', () => {
    expect(() => featureName('tag', '   ')).toThrow(ShapeError);
    expect(() => featureName('mood' as 'tag', 'dark')).toThrow(ShapeError);
  });

  it('buckets years by decade', () => {
    expect(decadeOf(1994)).toBe('1990s');
    expect(decadeOf(2000)).toBe('2000s');
    expect(decadeOf(1999)).toBe('1990s');
  });
});

describe('itemFeatureNames', () => {
  const item: CatalogItem = {
    itemId: 'm1',
    title: 'Heat (1995)',
    genres: ['Action', 'Crime', 'action '],
    cast: ['Al Pacino', 'Robert De Niro'],
    directors: ['Michael Mann', 'al  pacino'],
    year: 1995,
    tags: ['Heist', ''],
  };

  it('names genres, people, the decade and tags, without duplicates or empties', () => {
    expect(itemFeatureNames(item)).toEqual([
      'genre:action',
      'genre:crime',
      'person:al pacino',
      'person:robert de niro',
      'person:michael mann',
      'year:1990s',
      'tag:heist',
    ]);
  });

  it('leaves out the year bucket when the year is unknown', () => {
    const { year: _year, ...withoutYear } = item;
    expect(itemFeatureNames(withoutYear).some((name) => name.startsWith('year:'))).toBe(false);
  });
});

describe('preferenceFeatureNames', () => {
  it('maps keys case-insensitively to feature kinds and reports unknown keys', () => {
    const result = preferenceFeatureNames({ Genre: 'Action', ACTOR: 'John  Doe', mood: 'dark', constructor: 'x' });
    expect(result.names).toEqual(['genre:action', 'person:john doe']);
    expect(result.unknownKeys).toEqual(['mood', 'constructor']);
  });

  it('reads lists, skips empty values and deduplicates', () => {
    const result = preferenceFeatureNames({
      genres: ['Drama', ' drama', ''],
      directors: ['Jane Roe'],
      cast: 'Jane Roe',
      tags: 'Twist Ending',
    });
    expect(result.names).toEqual(['genre:drama', 'person:jane roe', 'tag:twist ending']);
    expect(result.unknownKeys).toEqual([]);
  });

  it('puts year and decade values in their decade bucket', () => {
    for (const value of [1994, '1994', '1990s', "1990's", '90s', "'90s"]) {
      expect(preferenceFeatureNames({ year: value }).names).toEqual(['year:1990s']);
    }
    expect(preferenceFeatureNames({ decade: '20s' }).names).toEqual(['year:2020s']);
    expect(preferenceFeatureNames({ decade: '2010S' }).names).toEqual(['year:2010s']);
    expect(preferenceFeatureNames({ year: 'sometime' }).names).toEqual(['year:sometime']);
  });
});
