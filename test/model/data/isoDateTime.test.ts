import { describe, expect, it } from 'vitest';
import { parseIsoDateTime } from '../../../model/data/isoDateTime.ts';

describe('parseIsoDateTime', () => {
  it.each([
    ['2024-02-29', Date.UTC(2024, 1, 29) / 1000],
    ['2000-02-29', Date.UTC(2000, 1, 29) / 1000],
    ['2024-04-30T23:59:59Z', Date.UTC(2024, 3, 30, 23, 59, 59) / 1000],
    ['2024-05-01T10:20', Date.UTC(2024, 4, 1, 10, 20) / 1000],
    ['2024-05-01T10:20:30.5Z', Date.UTC(2024, 4, 1, 10, 20, 30) / 1000 + 0.5],
    ['2024-05-01 10:20:30+02:00', Date.UTC(2024, 4, 1, 8, 20, 30) / 1000],
    ['2024-05-01T10:20-0130', Date.UTC(2024, 4, 1, 11, 50) / 1000],
  ])('reads %s', (text, seconds) => {
    expect(parseIsoDateTime(text)).toBeCloseTo(seconds, 6);
  });

  it.each([
    '2024-02-30', // Date.parse: 1 March
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-01-01T24:00Z', // Date.parse: the next day
    '2024-01-01T23:60Z',
    '2024-01-01T23:59:60Z',
    '2024-01-01T10:00+24:00',
    ' 2024-01-01',
    '2024-1-1',
    'yesterday',
  ])('refuses %s, which names no real instant', (text) => {
    expect(parseIsoDateTime(text)).toBeUndefined();
  });
});
