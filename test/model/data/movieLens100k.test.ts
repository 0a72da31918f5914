import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { parseMovieLens100kItems, readMovieLens100kItems, readMovieLens100kRatings } from '../../../model/data/movieLens100k.ts';
import { DataFormatError, ModelError } from '../../../model/errors.ts';
import { tempFolder } from './tempFiles.ts';

const folder = tempFolder();
afterAll(() => folder.remove());

const flags = (...on: number[]): string => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');

describe('readMovieLens100kRatings', () => {
  it('reads user item rating timestamp lines as weight-1 interactions carrying the stars', async () => {
    const path = folder.write('u.data', '196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n');
    const table = await readMovieLens100kRatings(path);
    expect(table.size).toBe(3);
    expect(table.userIds).toEqual(['196', '186']);
    expect(table.itemIds).toEqual(['242', '302', '377']);
    expect(Array.from(table.users)).toEqual([0, 1, 0]);
    expect(Array.from(table.weights)).toEqual([1, 1, 1]);
    expect(Array.from(table.ratings)).toEqual([3, 3, 1]);
    expect(Array.from(table.timestamps)).toEqual([881250949, 891717742, 878887116]);
  });

  it('ignores blank lines and reads CRLF line ends', async () => {
    const path = folder.write('crlf.data', '1\t10\t4\t100\r\n\r\n2\t20\t5\t200\r\n\n');
    const table = await readMovieLens100kRatings(path);
    expect(table.size).toBe(2);
    expect(Array.from(table.ratings)).toEqual([4, 5]);
  });

  it.each([
    ['1\t10\t4', 'expected 4 tab-separated fields'],
    ['1\t10\t4\t100\t7', 'expected 4 tab-separated fields'],
    ['1\t10\tfour\t100', 'rating is not a finite number'],
    ['1\t10\tNaN\t100', 'rating is not a finite number'],
    ['1\t10\t\t100', 'rating is not a finite number'],
    ['1\t10\t4\tInfinity', 'timestamp is not a finite number'],
    ['1\t10\t4\t0x10', 'timestamp is not a finite number'],
    ['1\t10\t6\t100', 'outside'],
    ['1\t10\t0\t100', 'outside'],
    ['1\t10\t4\t-5', 'timestamp must be'],
    ['1\t10\t4\t1700000000000', 'milliseconds'],
    ['\t10\t4\t100', 'missing user id'],
    ['1\t \t4\t100', 'missing item id'],
  ])('rejects %j naming the file and line', async (bad, message) => {
    const path = folder.write('bad.data', `1\t10\t4\t100\n\n${bad}\n2\t20\t5\t200\n`);
    const error = await readMovieLens100kRatings(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).file).toBe(path);
    expect((error as DataFormatError).line).toBe(3);
    expect((error as DataFormatError).message).toContain(`${path}:3: `);
    expect((error as DataFormatError).message).toContain(message);
  });

  it('skips and reports malformed lines when given onInvalidLine', async () => {
    const path = folder.write('mixed.data', '1\t10\t4\t100\nbad line\n2\t20\t5\t200\n3\t30\t9\t300\n');
    const invalid: DataFormatError[] = [];
    const table = await readMovieLens100kRatings(path, { onInvalidLine: (e) => invalid.push(e) });
    expect(table.size).toBe(2);
    expect(table.userIds).toEqual(['1', '2']);
    expect(invalid.map((e) => e.line)).toEqual([2, 4]);
  });

  it('adds to a given builder', async () => {
    const builder = new InteractionTableBuilder();
    builder.add('1', '99', 1, NaN, 50);
    const table = await readMovieLens100kRatings(folder.write('more.data', '1\t10\t4\t100\n'), { builder });
    expect(table.size).toBe(2);
    expect(table.itemIds).toEqual(['99', '10']);
  });

  it('reports a missing file as a ModelError', async () => {
    const error = await readMovieLens100kRatings(join(folder.write('x', ''), '..', 'missing.data')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).not.toBeInstanceOf(DataFormatError);
  });
});

describe('parseMovieLens100kItems', () => {
  const lines = [
    `1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${flags(3, 4, 5)}`,
    `543|Misérables, Les (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Mis%E9rables%2C%20Les%20%281995%29|${flags(8, 17)}`,
    `1000|Lotto Land (1995)|||http://example|${flags(0, 8)}`,
    `267|unknown||||${flags(0)}`,
  ];
  // u.item is Latin-1: é is the single byte 0xE9.
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');

  it('decodes Latin-1 and reads genres, year and title', () => {
    expect(bytes.includes(0xe9)).toBe(true);
    const items = parseMovieLens100kItems(bytes);
    expect(items).toHaveLength(4);
    expect(items[0]).toEqual({
      itemId: '1',
      title: 'Toy Story (1995)',
      genres: ['Animation', "Children's", 'Comedy'],
      cast: [],
      directors: [],
      year: 1995,
      tags: [],
    });
    expect(items[1].title).toBe('Misérables, Les (1995)');
    expect(items[1].genres).toEqual(['Drama', 'War']);
  });

  it('leaves out the unknown genre and takes the year from the title when the date is missing', () => {
    const items = parseMovieLens100kItems(bytes);
    expect(items[2].genres).toEqual(['Drama']);
    expect(items[2].year).toBe(1995);
    expect(items[3].genres).toEqual([]);
    expect(items[3].year).toBeUndefined();
  });

  it('rejects a wrong field count or a bad genre flag naming the file and line', () => {
    const badCount = Buffer.from(`${lines[0]}\n2|GoldenEye (1995)|01-Jan-1995||url|0|1\n`, 'latin1');
    expect(() => parseMovieLens100kItems(badCount, 'u.item')).toThrow(/^u\.item:2: expected 24/);
    const badFlag = Buffer.from(`${lines[0].replace(/\|0$/, '|2')}\n`, 'latin1');
    expect(() => parseMovieLens100kItems(badFlag, 'u.item')).toThrow(/u\.item:1: genre flag Western/);
  });

  it('reads from a file', async () => {
    const path = folder.write('u.item', bytes);
    const items = await readMovieLens100kItems(path);
    expect(items.map((i) => i.itemId)).toEqual(['1', '543', '1000', '267']);
    expect(items[1].title).toBe('Misérables, Les (1995)');
  });
});

const datasets = process.env.MARQUEE_DATASETS;
if (!datasets) console.warn('MovieLens 100K dataset tests skipped: set MARQUEE_DATASETS to the datasets folder');
describe.skipIf(!datasets)('MovieLens 100K files (needs MARQUEE_DATASETS)', () => {
  const root = datasets ?? '';

  it('reads u.data: 100000 ratings by 943 users on 1682 items', async () => {
    const table = await readMovieLens100kRatings(join(root, 'ml-100k', 'u.data'));
    expect(table.size).toBe(100_000);
    expect(table.userIds.length).toBe(943);
    expect(table.itemIds.length).toBe(1682);
    expect(table.ratings.every((r) => r >= 1 && r <= 5)).toBe(true);
  });

  it("reads u.item: 1682 items, Toy Story is Animation, Children's, Comedy", async () => {
    const items = await readMovieLens100kItems(join(root, 'ml-100k', 'u.item'));
    expect(items).toHaveLength(1682);
    const toyStory = items.find((i) => i.itemId === '1');
    expect(toyStory?.title).toBe('Toy Story (1995)');
    expect(toyStory?.genres).toEqual(['Animation', "Children's", 'Comedy']);
    expect(toyStory?.year).toBe(1995);
    expect(items.find((i) => i.itemId === '543')?.title).toBe('Misérables, Les (1995)');
  });

  it('reads the ranking split train.tsv: 74992 rows', async () => {
    const table = await readMovieLens100kRatings(join(root, 'ml-100k-ranking', 'train.tsv'));
    expect(table.size).toBe(74_992);
  });
});
