import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BadRequestError } from '../../../functions/commons/httpErrors.ts';
import {
  booleanParam,
  countParam,
  genresParam,
  historySchema,
  parseInput,
  preferencesSchema,
  queryParser,
  queryValues,
} from '../../../functions/commons/servingRequest.ts';

const event = (single: Record<string, string> | null, multi: Record<string, string[]> | null) =>
  ({ queryStringParameters: single, multiValueQueryStringParameters: multi }) as unknown as APIGatewayProxyEvent;

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).field;
  }
  return undefined;
}

describe('query parsing', () => {
  it('takes every value of a repeated parameter, and single-value maps when that is all there is', () => {
    expect(queryValues(event({ genre: 'b' }, { genre: ['a', 'b'] }))).toEqual({ genre: ['a', 'b'] });
    expect(queryValues(event({ count: '5' }, null))).toEqual({ count: ['5'] });
    const parse = queryParser({
      genre: genresParam,
      count: countParam,
      explain: booleanParam(false),
      excludeSeen: booleanParam(true),
    });
    expect(parse(event(null, { genre: ['Drama', 'comedy'], count: ['7'], explain: ['1'] }))).toEqual({
      genre: ['Drama', 'comedy'],
      count: 7,
      explain: true,
      excludeSeen: true,
    });
  });

  it('names the parameter at fault', () => {
    const parse = queryParser({ count: countParam });
    expect(fieldOf(() => parse(event(null, { count: ['1e2'] })))).toBe('query.count');
    expect(fieldOf(() => parse(event(null, { count: ['7', '8'] })))).toBe('query.count');
    expect(fieldOf(() => parse(event(null, { cuont: ['7'] })))).toBe('query.cuont');
    expect(parse(event(null, null))).toEqual({ count: 10 });
    expect(parse(event(null, { count: ['3'] }))).toEqual({ count: 3 });
  });
});

describe('body parsing', () => {
  it('orders a history by timestamp when every entry has one, else keeps the list order', () => {
    const timed = parseInput(
      historySchema,
      [
        { itemId: 'b', type: 'like', timestamp: 20 },
        { itemId: 'a', type: 'watch', value: 0.5, timestamp: '1970-01-01T00:00:10Z' },
      ],
      'body.history',
    );
    expect(timed).toEqual([
      { itemId: 'a', weight: 0.5 },
      { itemId: 'b', weight: 1.5 },
    ]);
    const listed = parseInput(historySchema, [{ itemId: 'b', type: 'like', timestamp: 20 }, 7], 'body.history');
    expect(listed).toEqual([
      { itemId: 'b', weight: 1.5 },
      { itemId: '7', weight: 1 },
    ]);
  });

  it('accepts known preference keys in any case and names an unknown one', () => {
    expect(parseInput(preferencesSchema, { GENRE: 'action', Actor: ['A', 'B'], decade: 1990 }, 'body.preferences')).toEqual({
      GENRE: 'action',
      Actor: ['A', 'B'],
      decade: 1990,
    });
    expect(fieldOf(() => parseInput(preferencesSchema, { genre: 'x', colour: 'red' }, 'body.preferences'))).toBe('body.preferences.colour');
  });

  it('names an unknown field of a strict object by its key', () => {
    expect(fieldOf(() => parseInput(z.strictObject({ a: z.number() }), { a: 1, b: 2 }, 'body'))).toBe('body.b');
  });
});
