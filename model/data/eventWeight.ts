import { DEFAULT_WATCH_FRACTION, EVENT_WEIGHTS, MIN_WATCH_WEIGHT } from '../constants.ts';
import { ShapeError } from '../errors.ts';
import type { InteractionEvent } from '../types/interactions.ts';
import type { InteractionTableBuilder } from './interactionTableBuilder.ts';

/**
 * Implicit-feedback weight of an event: EVENT_WEIGHTS[type], and for `watch` that times the
 * watched fraction `value` (DEFAULT_WATCH_FRACTION when absent), at least MIN_WATCH_WEIGHT.
 * 0 for negative signals (dislike, skip).
 */
export function eventWeight(event: Pick<InteractionEvent, 'type' | 'value'>): number {
  if (!Object.hasOwn(EVENT_WEIGHTS, event.type)) throw new ShapeError(`unknown event type '${event.type}'`);
  if (event.type === 'watch') {
    return Math.max(event.value ?? DEFAULT_WATCH_FRACTION, MIN_WATCH_WEIGHT) * EVENT_WEIGHTS.watch;
  }
  return EVENT_WEIGHTS[event.type];
}

/** The stars of a `rating` event (its `value`), NaN for every other event. */
export function eventRating(event: Pick<InteractionEvent, 'type' | 'value'>): number {
  return event.type === 'rating' && event.value !== undefined ? event.value : NaN;
}

/** Adds an event to a builder as one row: its weight, its rating (or NaN), its timestamp. */
export function addEvent(builder: InteractionTableBuilder, event: InteractionEvent): void {
  builder.add(event.userId, event.itemId, eventWeight(event), eventRating(event), event.timestamp);
}
