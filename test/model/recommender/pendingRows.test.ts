import { describe, expect, it } from 'vitest';
import { PendingRows } from '../../../model/recommender/pendingRows.ts';

describe('PendingRows', () => {
  it('lists each row once across adds, in the order first added', () => {
    const pending = new PendingRows(10);
    pending.add(Int32Array.from([3, 7, 3]), 3);
    pending.add(Int32Array.from([7, 1, 9, 0]), 3);
    expect(Array.from(pending.list.subarray(0, pending.count))).toEqual([3, 7, 1, 9]);
  });

  it('starts a new list after clear', () => {
    const pending = new PendingRows(5);
    pending.add(Int32Array.from([4, 2]), 2);
    pending.clear();
    expect(pending.count).toBe(0);
    pending.add(Int32Array.from([2, 4, 2]), 3);
    expect(Array.from(pending.list.subarray(0, pending.count))).toEqual([2, 4]);
  });
});
