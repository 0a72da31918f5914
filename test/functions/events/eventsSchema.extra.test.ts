import { describe, expect, it } from 'vitest';
import { eventSchema } from '../../../functions/events/eventsSchema.ts';

describe('event values', () => {
  it('are kept to 6 decimals, so a tiny watched fraction is storable everywhere', () => {
    const parsed = eventSchema.parse({ userId: 'u', itemId: 'i', type: 'watch', value: 1e-200 });
    expect(parsed.value).toBe(0);
    expect(Object.is(parsed.value, -0)).toBe(false);
    expect(eventSchema.parse({ userId: 'u', itemId: 'i', type: 'watch', value: 0.1234567 }).value).toBe(0.123457);
  });

  it('refuses magnitudes no store can hold, naming the field', () => {
    const result = eventSchema.safeParse({ userId: 'u', itemId: 'i', type: 'click', value: 1e300 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['value']);
  });
});
