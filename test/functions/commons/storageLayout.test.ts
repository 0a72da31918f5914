import { describe, expect, it } from 'vitest';
import {
  catalogChangeKey,
  catalogChangesStartAfter,
  compactedEventsKey,
  eventsBatchKey,
  eventsKeyHour,
  keyTime,
  parseEventsKey,
} from '../../../functions/commons/storageLayout.ts';

describe('storage layout keys', () => {
  const at = new Date('2026-03-04T05:06:07.089Z');
  const batch = eventsBatchKey(at, '20260304T050607089Z-0123456789abcdef');

  it('names event batches by accepted hour and reads the hour back', () => {
    expect(batch).toBe('events/2026/03/04/05/20260304T050607089Z-0123456789abcdef.ndjson');
    expect(eventsKeyHour(batch)).toEqual(new Date('2026-03-04T05:00:00.000Z'));
    expect(eventsKeyHour('events/elsewhere.ndjson')).toBeUndefined();
  });

  it('names compacted generations after their batch and parses base and generation back', () => {
    const base = batch.slice(0, -'.ndjson'.length);
    expect(parseEventsKey(batch)).toEqual({ base, generation: 0 });
    const c1 = compactedEventsKey(batch, 1);
    expect(c1).toBe(`${base}.c1.ndjson`);
    expect(parseEventsKey(c1)).toEqual({ base, generation: 1 });
    expect(compactedEventsKey(c1, 12)).toBe(`${base}.c12.ndjson`);
    expect(parseEventsKey(`${base}.c12.ndjson`)).toEqual({ base, generation: 12 });
    expect(() => compactedEventsKey(batch, 0)).toThrow(RangeError);
  });

  it('orders key times as the times they name', () => {
    const times = ['2026-03-04T05:06:07.089Z', '2026-03-04T05:06:07.090Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z'];
    const keys = times.map((t) => keyTime(new Date(t)));
    expect(keys[0]).toBe('20260304T050607089Z');
    expect([...keys].sort()).toEqual(keys);
  });

  it('lists catalog changes at or after a time with StartAfter', () => {
    const change = catalogChangeKey(at, 'abc');
    expect(change).toBe('catalog/changes/20260304T050607089Z-abc.json');
    expect(change > catalogChangesStartAfter(at)).toBe(true);
    expect(change > catalogChangesStartAfter(new Date(at.getTime() + 1))).toBe(false);
    expect(change > catalogChangesStartAfter(new Date(at.getTime() - 1))).toBe(true);
  });
});
