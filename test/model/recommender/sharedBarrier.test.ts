import { describe, expect, it } from 'vitest';
import { TrainingError } from '../../../model/errors.ts';
import { CONTROL, SharedBarrier } from '../../../model/recommender/sharedBarrier.ts';

function barrier(parties: number): { barrier: SharedBarrier; control: Int32Array } {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.size));
  return { barrier: new SharedBarrier(control, parties, new Uint8Array(new SharedArrayBuffer(64))), control };
}

describe('SharedBarrier', () => {
  it('opens when the last party arrives, starting a new generation each time', () => {
    const { barrier: b, control } = barrier(1);
    b.wait();
    b.wait();
    expect(control[CONTROL.generation]).toBe(2);
    expect(control[CONTROL.arrived]).toBe(0);
  });

  it('throws the first failure instead of waiting for a party that will not come', () => {
    const { barrier: b } = barrier(2);
    b.fail(1, 'out of memory');
    b.fail(0, 'a later failure');
    expect(b.failed).toBe(true);
    expect(() => b.wait()).toThrow(TrainingError);
    expect(b.failure()).toBe('training thread 1 failed: out of memory');
  });

  it('keeps as much of a long message as fits', () => {
    const { barrier: b } = barrier(2);
    b.fail(0, 'x'.repeat(100));
    expect(b.failure()).toBe(`training thread 0 failed: ${'x'.repeat(64)}`);
  });
});
