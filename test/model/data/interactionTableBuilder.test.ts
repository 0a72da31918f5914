import { describe, expect, it } from 'vitest';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { ShapeError } from '../../../model/errors.ts';

describe('InteractionTableBuilder', () => {
  it('gives users and items dense indices in order of first appearance', () => {
    const builder = new InteractionTableBuilder();
    builder.add('alice', 'm1', 1, 4, 100);
    builder.add('bob', 'm2', 0.5, NaN, 200);
    builder.add('alice', 'm2', 1.5, NaN, 300);
    const table = builder.build();
    expect(table.size).toBe(3);
    expect(table.userIds).toEqual(['alice', 'bob']);
    expect(table.itemIds).toEqual(['m1', 'm2']);
    expect(Array.from(table.users)).toEqual([0, 1, 0]);
    expect(Array.from(table.items)).toEqual([0, 1, 1]);
    expect(Array.from(table.weights)).toEqual([1, 0.5, 1.5]);
    expect(table.ratings[0]).toBe(4);
    expect(Number.isNaN(table.ratings[1])).toBe(true);
    expect(Array.from(table.timestamps)).toEqual([100, 200, 300]);
  });

  it('grows past its initial capacity without losing rows', () => {
    const builder = new InteractionTableBuilder(2);
    for (let r = 0; r < 1000; r++) builder.add(`u${r % 7}`, `i${r % 13}`, (r % 5) + 1, r % 2 ? NaN : 3, 1e9 + r);
    const table = builder.build();
    expect(table.size).toBe(1000);
    expect(table.users.length).toBe(1000);
    expect(table.userIds.length).toBe(7);
    expect(table.itemIds.length).toBe(13);
    for (let r = 0; r < 1000; r++) {
      expect(table.userIds[table.users[r]]).toBe(`u${r % 7}`);
      expect(table.itemIds[table.items[r]]).toBe(`i${r % 13}`);
      expect(table.weights[r]).toBe((r % 5) + 1);
      expect(table.timestamps[r]).toBe(1e9 + r);
    }
  });

  it('builds compact tables that later rows do not change', () => {
    const builder = new InteractionTableBuilder(8);
    builder.add('u', 'a', 1, NaN, 1);
    const first = builder.build();
    builder.add('v', 'b', 2, NaN, 2);
    const second = builder.build();
    expect(first.size).toBe(1);
    expect(first.users.length).toBe(1);
    expect(first.userIds).toEqual(['u']);
    expect(first.itemIds).toEqual(['a']);
    expect(second.size).toBe(2);
    expect(second.userIds).toEqual(['u', 'v']);
  });

  it('keeps weight 0 (negative signals) but rejects what would poison training', () => {
    const builder = new InteractionTableBuilder();
    builder.add('u', 'a', 0, NaN, 1);
    expect(builder.size).toBe(1);
    expect(() => builder.add('u', 'a', NaN, NaN, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', 'a', -1, NaN, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', 'a', Infinity, NaN, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', 'a', 1e39, NaN, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', 'a', 1, Infinity, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', 'a', 1, NaN, NaN)).toThrow(ShapeError);
    expect(() => builder.add('', 'a', 1, NaN, 1)).toThrow(ShapeError);
    expect(() => builder.add('u', '', 1, NaN, 1)).toThrow(ShapeError);
    expect(builder.size).toBe(1);
    expect(() => new InteractionTableBuilder(0)).toThrow(ShapeError);
  });
});
