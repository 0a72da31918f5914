import { afterAll, describe, expect, it } from 'vitest';
import { detectRatingsFormat, readRatingsFile } from '../../../model/data/ratingsFile.ts';
import { DataFormatError } from '../../../model/errors.ts';
import { tempFolder } from './tempFiles.ts';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('readRatingsFile', () => {
  it('reads a u.data TSV by its content, whatever its name', async () => {
    const path = folder.write('ratings.csv', '\n196\t242\t3\t881250949\n186\t302\t3\t891717742\n');
    expect(await detectRatingsFormat(path)).toBe('movielens-100k-tsv');
    const table = await readRatingsFile(path);
    expect(table.size).toBe(2);
    expect(table.userIds).toEqual(['196', '186']);
  });

  it('reads a ratings.csv by its content, whatever its name', async () => {
    const path = folder.write('u.data', '\ufeffuserId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n');
    expect(await detectRatingsFormat(path)).toBe('movielens-csv');
    const table = await readRatingsFile(path);
    expect(table.size).toBe(1);
    expect(table.ratings[0]).toBe(4);
  });

  it('reads NDJSON events', async () => {
    const path = folder.write('events.txt', '{"userId":"u","itemId":"i","type":"like","timestamp":5}\n');
    expect(await detectRatingsFormat(path)).toBe('events-ndjson');
    const table = await readRatingsFile(path);
    expect(table.weights[0]).toBe(1.5);
  });

  it('gives an empty table for an empty file', async () => {
    const table = await readRatingsFile(folder.write('empty.tsv', '\n\n'));
    expect(table.size).toBe(0);
  });

  it('rejects an unrecognised format naming the file and first line', async () => {
    const path = folder.write('odd.data', '\n1 10 4 100\n');
    const error = await readRatingsFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).line).toBe(2);
    expect((error as DataFormatError).file).toBe(path);
  });
});
