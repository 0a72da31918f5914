import { afterAll, describe, expect, it } from 'vitest';
import { parseMovieLensMoviesCsv, readMovieLensMoviesCsv, readMovieLensRatingsCsv } from '../../../model/data/movieLensCsv.ts';
import { DataFormatError } from '../../../model/errors.ts';
import { tempFolder } from './tempFiles.ts';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('readMovieLensRatingsCsv', () => {
  it('skips the header and reads half-star ratings as weight-1 interactions', async () => {
    const path = folder.write('ratings.csv', 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,0.5,964981247\n2,1,3.5,964982224\n');
    const table = await readMovieLensRatingsCsv(path);
    expect(table.size).toBe(3);
    expect(table.userIds).toEqual(['1', '2']);
    expect(table.itemIds).toEqual(['1', '3']);
    expect(Array.from(table.ratings)).toEqual([4, 0.5, 3.5]);
    expect(Array.from(table.weights)).toEqual([1, 1, 1]);
    expect(Array.from(table.timestamps)).toEqual([964982703, 964981247, 964982224]);
  });

  it.each([
    ['1,1,4.0', 'expected 4 comma-separated fields'],
    ['1,1,5.5,964982703', 'rating 5.5 is outside'],
    ['1,1,,964982703', 'rating is not a finite number'],
    ['1,1,4,soon', 'timestamp is not a finite number'],
    [',1,4,964982703', 'missing user id'],
  ])('rejects %j naming the file and line', async (bad, message) => {
    const path = folder.write('bad-ratings.csv', `userId,movieId,rating,timestamp\n1,1,4.0,964982703\n${bad}\n`);
    const error = await readMovieLensRatingsCsv(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).line).toBe(3);
    expect((error as DataFormatError).message).toContain(`${path}:3: ${message}`);
  });
});

describe('parseMovieLensMoviesCsv', () => {
  const text = [
    'movieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '11,"American President, The (1995)",Comedy|Drama|Romance',
    '2851,"""Great Performances"" Cats (1998)",Musical',
    '182727,A Christmas Story Live! (2017),(no genres listed)',
    '40697,Babylon 5,Sci-Fi',
    '',
  ].join('\n');

  it('reads quoted titles, genres and the year from the title', () => {
    const items = parseMovieLensMoviesCsv(Buffer.from(text, 'utf8'));
    expect(items.map((i) => i.itemId)).toEqual(['1', '11', '2851', '182727', '40697']);
    expect(items[0]).toEqual({
      itemId: '1',
      title: 'Toy Story (1995)',
      genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      cast: [],
      directors: [],
      year: 1995,
      tags: [],
    });
    expect(items[1].title).toBe('American President, The (1995)');
    expect(items[1].year).toBe(1995);
    expect(items[2].title).toBe('"Great Performances" Cats (1998)');
    expect(items[2].year).toBe(1998);
    expect(items[3].genres).toEqual([]);
    expect(items[4].year).toBeUndefined();
  });

  it('decodes UTF-8 titles', async () => {
    const path = folder.write('movies.csv', 'movieId,title,genres\n73,"Misérables, Les (1995)",Drama|War\n');
    const items = await readMovieLensMoviesCsv(path);
    expect(items[0].title).toBe('Misérables, Les (1995)');
  });

  it('rejects a wrong field count or an unterminated quote naming the file and line', () => {
    expect(() => parseMovieLensMoviesCsv(Buffer.from('movieId,title,genres\n1,Heat (1995)\n'), 'movies.csv')).toThrow(
      /^movies\.csv:2: expected 3/,
    );
    expect(() => parseMovieLensMoviesCsv(Buffer.from('1,"Heat (1995),Action\n'), 'movies.csv')).toThrow(/^movies\.csv:1: unterminated/);
  });
});
