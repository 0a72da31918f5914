import { describe, expect, it } from 'vitest';
import { parseCsvLine } from '../../../model/data/csvLine.ts';
import { DataFormatError } from '../../../model/errors.ts';

describe('parseCsvLine', () => {
  it('splits plain fields, keeping empty ones', () => {
    expect(parseCsvLine('1,Heat (1995),Action|Crime', 'f', 1)).toEqual(['1', 'Heat (1995)', 'Action|Crime']);
    expect(parseCsvLine('a,,b,', 'f', 1)).toEqual(['a', '', 'b', '']);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(parseCsvLine('11,"American President, The (1995)",Comedy', 'f', 1)).toEqual(['11', 'American President, The (1995)', 'Comedy']);
    expect(parseCsvLine('7,"""Great Performances"" Cats (1998)",Musical', 'f', 1)).toEqual([
      '7',
      '"Great Performances" Cats (1998)',
      'Musical',
    ]);
    expect(parseCsvLine('"",x', 'f', 1)).toEqual(['', 'x']);
  });

  it('reports an unterminated quote or junk after a quote with file and line', () => {
    expect(() => parseCsvLine('1,"Heat (1995),Action', 'movies.csv', 4)).toThrow(/movies\.csv:4: unterminated/);
    expect(() => parseCsvLine('1,"Heat" (1995),Action', 'movies.csv', 5)).toThrow(DataFormatError);
  });
});
