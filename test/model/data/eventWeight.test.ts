import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_FRACTION, EVENT_WEIGHTS, MIN_WATCH_WEIGHT } from '../../../model/constants.ts';
import { addEvent, eventRating, eventWeight } from '../../../model/data/eventWeight.ts';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { ShapeError } from '../../../model/errors.ts';

describe('eventWeight', () => {
  it('scales watch by the watched fraction, with a default and a floor', () => {
    expect(eventWeight({ type: 'watch', value: 0.8 })).toBeCloseTo(0.8 * EVENT_WEIGHTS.watch, 6);
    expect(eventWeight({ type: 'watch' })).toBeCloseTo(DEFAULT_WATCH_FRACTION * EVENT_WEIGHTS.watch, 6);
    expect(eventWeight({ type: 'watch', value: 0.01 })).toBeCloseTo(MIN_WATCH_WEIGHT * EVENT_WEIGHTS.watch, 6);
  });

  it('takes the other weights from EVENT_WEIGHTS, whatever the value', () => {
    expect(eventWeight({ type: 'like' })).toBe(EVENT_WEIGHTS.like);
    expect(eventWeight({ type: 'rating', value: 1 })).toBe(EVENT_WEIGHTS.rating);
    expect(eventWeight({ type: 'dislike' })).toBe(0);
    expect(eventWeight({ type: 'skip' })).toBe(0);
    expect(() => eventWeight({ type: 'share' as 'like' })).toThrow(ShapeError);
  });
});

describe('eventRating', () => {
  it('is the value of a rating event and NaN otherwise', () => {
    expect(eventRating({ type: 'rating', value: 4.5 })).toBe(4.5);
    expect(eventRating({ type: 'watch', value: 0.9 })).toBeNaN();
    expect(eventRating({ type: 'like' })).toBeNaN();
  });
});

describe('addEvent', () => {
  it('adds weight, rating and timestamp as one row', () => {
    const builder = new InteractionTableBuilder();
    addEvent(builder, { userId: 'u', itemId: 'i', type: 'rating', value: 2, timestamp: 10 });
    addEvent(builder, { userId: 'u', itemId: 'j', type: 'watch', value: 0.25, timestamp: 11 });
    const table = builder.build();
    expect(Array.from(table.weights)).toEqual([1, 0.25]);
    expect(table.ratings[0]).toBe(2);
    expect(table.ratings[1]).toBeNaN();
    expect(Array.from(table.timestamps)).toEqual([10, 11]);
  });
});
