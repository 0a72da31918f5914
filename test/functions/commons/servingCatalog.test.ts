import { describe, expect, it } from 'vitest';
import { InvalidModelError } from '../../../functions/commons/modelErrors.ts';
import { ServingCatalog } from '../../../functions/commons/servingCatalog.ts';
import { encodeServingItems, servingItemsCount, type ServingItem } from '../../../functions/commons/servingItems.ts';
import type { ModelManifest } from '../../../model/index.ts';

const item = (itemId: string, genres: string[], year: number | undefined, interactions: number): ServingItem => ({
  itemId,
  title: `Title ${itemId}`,
  genres,
  cast: [],
  directors: [],
  ...(year === undefined ? {} : { year }),
  tags: [],
  interactions,
});

const ITEMS = [
  item('a', ['Action'], 1995, 5),
  item('b', ['Comedy', 'Drama'], 2001, 9),
  item('c', ['drama'], undefined, 9),
  item('d', ['Sci-Fi', 'ACTION'], 2010, 1),
  item('e', [], 1980, 0),
];

function manifest(itemIds: string[]): ModelManifest {
  return {
    formatVersion: 1,
    version: 'v1',
    createdAt: '2024-01-01T00:00:00Z',
    trainingData: { snapshot: 's', users: 1, items: itemIds.length, interactions: 1 },
    hyperParameters: {},
    metrics: {},
    itemIds,
    vocabulary: ['genre:action', 'genre:drama'],
    files: { 'model.onnx': { sha256: '0', bytes: 0 }, 'similar.onnx': { sha256: '0', bytes: 0 } },
  };
}

/** From items.json as columns (what publishModel writes). */
const catalogOf = (items: readonly ServingItem[], ids = items.map((i) => i.itemId)) =>
  ServingCatalog.fromFiles(manifest(ids), Buffer.from(encodeServingItems({ items })));
/** From items.json as `{items: […]}` (versions published before the columns). */
const legacyCatalogOf = (items: readonly ServingItem[], ids = items.map((i) => i.itemId)) =>
  ServingCatalog.fromFiles(manifest(ids), Buffer.from(JSON.stringify({ items })));
const columnsWith = (change: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ ...JSON.parse(encodeServingItems({ items: ITEMS })), ...change }));
const idsOf = (catalog: ServingCatalog, indices: Iterable<number>) => Array.from(indices, (i) => catalog.itemId(i));

describe('ServingCatalog', () => {
  it('maps ids, features and popularity (most interactions first, ties to the lower index)', () => {
    const catalog = catalogOf(ITEMS);
    expect(catalog.indexOf('c')).toBe(2);
    expect(catalog.indexOf('zzz')).toBe(-1);
    expect(catalog.featureOf('genre:drama')).toBe(1);
    expect(idsOf(catalog, catalog.popularOrder)).toEqual(['b', 'c', 'a', 'd', 'e']);
    expect(catalog.popularity(0)).toBeCloseTo(5 / 9, 12);
    expect(catalog.responseItem(2, 0.5)).toEqual({ itemId: 'c', score: 0.5, title: 'Title c', genres: ['drama'], year: null });
  });

  it('filters on any of the genres (case-insensitive) and on a year range that titles without a year fail', () => {
    const catalog = catalogOf(ITEMS);
    const action = catalog.filter({ genres: ['action'] });
    expect(action.active).toBe(true);
    expect(idsOf(catalog, action.rejected)).toEqual(['b', 'c', 'e']);
    const dramaOrAction = catalog.filter({ genres: [' DRAMA ', 'Action'] });
    expect(idsOf(catalog, dramaOrAction.rejected)).toEqual(['e']);
    const years = catalog.filter({ genres: [], yearFrom: 1990, yearTo: 2005 });
    expect(idsOf(catalog, years.rejected)).toEqual(['c', 'd', 'e']);
    const both = catalog.filter({ genres: ['drama'], yearFrom: 2000 });
    expect(idsOf(catalog, both.rejected)).toEqual(['a', 'c', 'd', 'e']);
    expect(catalog.filter({ genres: ['western'] }).rejected).toHaveLength(5);
    expect(catalog.filter({ genres: [] })).toMatchObject({ active: false, rejected: new Int32Array(0) });
    // The same spec, however spelt, is resolved once.
    expect(catalog.filter({ genres: ['Action', 'drama'] })).toBe(dramaOrAction);
  });

  it('lists popular titles of a filter, skipping some, and relaxes the filter only when asked', () => {
    const catalog = catalogOf(ITEMS);
    const action = catalog.filter({ genres: ['action'] });
    expect(idsOf(catalog, catalog.popular(5, action, new Set(), false))).toEqual(['a', 'd']);
    expect(idsOf(catalog, catalog.popular(4, action, new Set([0]), true))).toEqual(['d', 'b', 'c', 'e']);
    const items = catalog.popularItems(2, action, new Set(), false);
    expect(items.map((i) => [i.itemId, i.reason, i.score])).toEqual([
      ['a', 'popular', 5 / 9],
      ['d', 'popular', 1 / 9],
    ]);
  });

  it('reads items.json as columns and in the {items} form of earlier versions alike', () => {
    const columns = catalogOf(ITEMS);
    const legacy = legacyCatalogOf(ITEMS);
    for (let i = 0; i < ITEMS.length; i++) expect(columns.responseItem(i, 1)).toEqual(legacy.responseItem(i, 1));
    expect(Array.from(columns.popularOrder)).toEqual(Array.from(legacy.popularOrder));
    for (const spec of [{ genres: ['drama'] }, { genres: ['action', 'sci-fi'], yearFrom: 2000 }, { genres: [], yearTo: 1999 }]) {
      expect(Array.from(columns.filter(spec).rejected)).toEqual(Array.from(legacy.filter(spec).rejected));
    }
    expect(columns.responseItem(1, 0)).toEqual({ itemId: 'b', score: 0, title: 'Title b', genres: ['Comedy', 'Drama'], year: 2001 });
    expect(servingItemsCount(JSON.parse(encodeServingItems({ items: ITEMS })))).toBe(5);
    expect(servingItemsCount({ items: ITEMS })).toBe(5);
    expect(servingItemsCount({ nothing: true })).toBeUndefined();
  });

  it('rejects items.json columns that do not describe the manifest items', () => {
    const ids = ITEMS.map((i) => i.itemId);
    const read = (bytes: Buffer) => () => ServingCatalog.fromFiles(manifest(ids), bytes);
    expect(read(columnsWith({ itemIds: ['b', 'a', 'c', 'd', 'e'] }))).toThrow(/items\.json of model v1: entry 0 does not describe item a/);
    expect(read(columnsWith({ itemIds: ids.slice(0, 4) }))).toThrow(/holds 4 items, the manifest 5/);
    expect(read(columnsWith({ titles: ['x'] }))).toThrow(/no titles column/);
    expect(read(columnsWith({ interactions: [1, 2, -3, 4, 5] }))).toThrow(/entry 2 does not describe item c/);
    expect(read(columnsWith({ years: [1995, 2001.5, null, 2010, 1980] }))).toThrow(/entry 1 /);
    expect(read(columnsWith({ genreOffsets: [0, 1, 3, 2, 6, 6] }))).toThrow(/entry 2 /);
    expect(read(columnsWith({ genreOffsets: [0, 1, 3, 4, 6, 9] }))).toThrow(/entry 4 /);
    expect(read(columnsWith({ genres: [0, 1, 2, 3, 4, 99] }))).toThrow(/genre index 99/);
    expect(read(columnsWith({ genreNames: ['Action', 7] }))).toThrow(/no genre names/);
    expect(() => ServingCatalog.fromFiles(manifest(ids), Buffer.from('{"format": 2'))).toThrow(/not JSON/);
  });

  it('rejects an items.json that does not describe the manifest items in order', () => {
    expect(() =>
      catalogOf(
        ITEMS.slice(0, 4),
        ITEMS.map((i) => i.itemId),
      ),
    ).toThrow(InvalidModelError);
    expect(() =>
      legacyCatalogOf(
        ITEMS.slice(0, 4),
        ITEMS.map((i) => i.itemId),
      ),
    ).toThrow(InvalidModelError);
    expect(() =>
      legacyCatalogOf(
        [ITEMS[1], ITEMS[0], ...ITEMS.slice(2)],
        ITEMS.map((i) => i.itemId),
      ),
    ).toThrow(/entry 0 does not describe item a/);
    expect(() => legacyCatalogOf([{ ...ITEMS[0], interactions: -1 }, ...ITEMS.slice(1)])).toThrow(InvalidModelError);
    expect(() =>
      catalogOf(
        [ITEMS[1], ITEMS[0], ...ITEMS.slice(2)],
        ITEMS.map((i) => i.itemId),
      ),
    ).toThrow(/entry 0 does not describe item a/);
    expect(() => catalogOf([{ ...ITEMS[0], interactions: -1 }, ...ITEMS.slice(1)])).toThrow(InvalidModelError);
    expect(() => ServingCatalog.fromFiles(manifest(['a']), Buffer.from('{"items": ['))).toThrow(/not JSON/);
    expect(() => ServingCatalog.fromFiles(manifest(['a', 'a']), Buffer.from(JSON.stringify({ items: [ITEMS[0], ITEMS[0]] })))).toThrow(
      /twice/,
    );
  });
});
