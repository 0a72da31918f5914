import { afterAll, describe, expect, it } from 'vitest';
import { detectItemsFormat, readItemsFile } from '../../../model/data/itemsFile.ts';
import { DataFormatError } from '../../../model/errors.ts';
import { tempFolder } from './tempFiles.ts';

const folder = tempFolder();
afterAll(() => folder.remove());

const flags = (...on: number[]): string => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');
const uItem = Buffer.from(`543|Misérables, Les (1995)|01-Jan-1995||http://x|${flags(8, 17)}\n`, 'latin1');

describe('readItemsFile', () => {
  it('reads a Latin-1 u.item by its content, whatever its name', async () => {
    const path = folder.write('movies.csv', uItem);
    expect(detectItemsFormat(uItem, path)).toBe('movielens-100k-item');
    const items = await readItemsFile(path);
    expect(items).toHaveLength(1);
    expect(items[0].title).toBe('Misérables, Les (1995)');
    expect(items[0].genres).toEqual(['Drama', 'War']);
  });

  it('reads a movies.csv by its content, with or without header', async () => {
    const withHeader = folder.write('u.item', 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n');
    expect((await readItemsFile(withHeader))[0].genres).toEqual(['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']);
    const withoutHeader = folder.write('items.txt', '11,"American President, The (1995)",Comedy|Drama|Romance\n');
    const items = await readItemsFile(withoutHeader);
    expect(items[0].title).toBe('American President, The (1995)');
  });

  it('gives no items for an empty file', async () => {
    expect(await readItemsFile(folder.write('empty.item', ''))).toEqual([]);
  });

  it('rejects an unrecognised format naming the file and line', async () => {
    const path = folder.write('odd.item', '1;Heat;Action\n');
    const error = await readItemsFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).line).toBe(1);
    expect((error as DataFormatError).message).toContain(path);
  });
});
