import { describe, expect, it } from 'vitest';
import { idSchema, MAX_ID_LENGTH, readId } from '../../../functions/commons/idSchema.ts';
import { textSchema } from '../../../functions/commons/textSchema.ts';

describe('readId: the one rule for ids', () => {
  it.each([
    ['u1', 'u1'],
    ['John Doe', 'John Doe'],
    ['film:42/ß', 'film:42/ß'],
    ['😀', '😀'],
    [42, '42'],
    ['x'.repeat(MAX_ID_LENGTH), 'x'.repeat(MAX_ID_LENGTH)],
  ])('keeps %j as %j, unchanged', (value, id) => {
    expect(readId(value)).toEqual({ id });
  });

  it.each([
    [' u1', 'whitespace'],
    ['u1 ', 'whitespace'],
    ['u1\n', 'whitespace'],
    ['', 'empty'],
    ['   ', 'blank'],
    ['u\u0000x', 'U+0000'],
    ['u\u0007x', 'U+0007'],
    ['u\u001bx', 'U+001B'],
    ['u\u202Ex', 'U+202E'],
    ['u\u2066x', 'U+2066'],
    ['u\u200Bx', 'U+200B'],
    ['u\u2028x', 'U+2028'],
    ['u\uD800x', 'U+D800'],
    ['u\uDC00', 'U+DC00'],
    ['x'.repeat(MAX_ID_LENGTH + 1), `at most ${MAX_ID_LENGTH}`],
    [1.5, 'integer'],
    [Number.MAX_SAFE_INTEGER + 1, 'integer'],
    [null, 'integer'],
    [undefined, 'required'],
  ])('refuses %j, saying why (%s)', (value, reason) => {
    const read = readId(value);
    expect('error' in read && read.error).toContain(reason);
    expect(idSchema.safeParse(value).success).toBe(false);
  });
});

describe('textSchema: titles and other text', () => {
  const title = textSchema(50);

  it('trims, keeps spaces inside, and lets the joiners of scripts and emoji through', () => {
    expect(title.parse('  The Long  Night ')).toBe('The Long  Night');
    expect(title.parse('👩\u200D👩\u200D👧 family')).toBe('👩\u200D👩\u200D👧 family');
    expect(title.parse('می\u200Cخواهم')).toBe('می\u200Cخواهم');
  });

  it.each(['a\u0000b', 'a\tb', 'a\u202Eb', 'a\uFEFFb', 'a\uD83Db', '   ', 'x'.repeat(51)])('refuses %j', (text) => {
    expect(title.safeParse(text).success).toBe(false);
  });
});
