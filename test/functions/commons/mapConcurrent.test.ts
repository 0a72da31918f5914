import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../../functions/commons/mapConcurrent.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapConcurrent', () => {
  it('keeps results in input order with at most `limit` tasks running', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        return n * n;
      },
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(peak).toBe(3);
  });

  it('stops starting tasks after a failure and throws it', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await tick();
        if (n === 1) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(6);
  });

  it('handles no items and refuses a bad limit', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
    await expect(mapConcurrent([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
