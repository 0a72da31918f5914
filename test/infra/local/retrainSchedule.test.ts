import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseInterval, RetrainSchedule } from '../../../infra/local/retrainSchedule.ts';

describe('parseInterval', () => {
  it('reads milliseconds, seconds, minutes, hours and days', () => {
    expect(parseInterval('500ms')).toBe(500);
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('10m')).toBe(600_000);
    expect(parseInterval(' 1.5h ')).toBe(5_400_000);
    expect(parseInterval('1d')).toBe(86_400_000);
  });

  it('refuses anything else', () => {
    for (const text of ['', '10', 'm', '-1m', '0s', '1w', '1 hour', 'rate(1 day)']) expect(parseInterval(text), text).toBeUndefined();
  });
});

describe('RetrainSchedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at each tick, skips a tick while a run is going, and stop() aborts the run in progress and waits for it', async () => {
    vi.useFakeTimers();
    const runs: AbortSignal[] = [];
    let finish: () => void = () => undefined;
    let skipped = 0;
    const schedule = new RetrainSchedule(
      1_000,
      (signal) => {
        runs.push(signal);
        return new Promise<void>((resolve) => {
          finish = resolve;
          signal.addEventListener('abort', () => resolve());
        });
      },
      () => skipped++,
    );
    schedule.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(1);
    expect(schedule.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toHaveLength(1);
    expect(skipped).toBe(2);
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(2);
    await schedule.stop();
    expect(runs[1].aborted).toBe(true);
    expect(schedule.busy).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toHaveLength(2);
  });

  it('keeps going after a failed run', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const schedule = new RetrainSchedule(100, async () => {
      calls++;
      throw new Error('run failed');
    });
    schedule.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(calls).toBe(3);
    await schedule.stop();
  });
});
