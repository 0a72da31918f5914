import { describe, expect, it } from 'vitest';
import { TrainingBudget, type TrainingBudgetOptions } from '../../../functions/retrain/trainingBudget.ts';
import type { EpochLog } from '../../../model/recommender/trainRecommender.ts';

/**
 * The trainer's calls are replayed by hand, in the order trainRecommender makes them: shouldStop
 * before each epoch, onEpoch after it, and one shouldStop between selection and refit. Every
 * selection epoch here takes 1 s (a refit epoch is then guessed at REFIT_SHARE = 0.75 s), nothing
 * is needed after training unless said, and `clock.left` is the time left in the run.
 */
function setup(overrides: Partial<TrainingBudgetOptions> = {}) {
  const clock = { left: 0 };
  const budget = new TrainingBudget({
    remainingMs: () => clock.left,
    afterTrainingMs: () => 0,
    firstEpochMs: 1000,
    patience: 3,
    maxEpochs: 50,
    validation: true,
    refit: true,
    ...overrides,
  });
  const select = (epoch: number, validationNdcgAt10: number): void =>
    budget.onEpoch({ phase: 'select', epoch, loss: 1, validationNdcgAt10, seconds: 1 } satisfies EpochLog);
  return { clock, budget, select };
}

describe('TrainingBudget', () => {
  it('never stops a run with time to spare', () => {
    const { clock, budget, select } = setup();
    clock.left = 1e9;
    for (let epoch = 1; epoch <= 5; epoch++) {
      expect(budget.shouldStop()).toBe(false);
      select(epoch, epoch <= 2 ? epoch / 10 : 0.1);
    }
    // Selection ended by patience (best epoch 2, then 3 without better): the refit goes ahead.
    expect(budget.shouldStop()).toBe(false);
    expect(budget.shouldStop()).toBe(false);
    expect(budget.stoppedEarly).toBe(false);
  });

  it('trades the refit for more selection when both no longer fit, and stops when an epoch does not', () => {
    const { clock, budget, select } = setup();
    clock.left = 5000;
    expect(budget.canStart()).toBe(true);
    expect(budget.shouldStop()).toBe(false);
    select(1, 0.1);
    clock.left = 4000; // next: 1 s + refit of 2 epochs (1.5 s) = 2.5 s ≤ 4 s
    expect(budget.shouldStop()).toBe(false);
    expect(budget.stoppedEarly).toBe(false);
    select(2, 0.2);
    clock.left = 3000; // 1 s + refit of 3 epochs (2.25 s) > 3 s, but 1 s fits: the refit is forgone
    expect(budget.shouldStop()).toBe(false);
    expect(budget.stoppedEarly).toBe(true);
    select(3, 0.25);
    clock.left = 1200;
    expect(budget.shouldStop()).toBe(false);
    select(4, 0.3);
    clock.left = 900; // one more epoch of 1 s does not fit
    expect(budget.shouldStop()).toBe(true);
    // The trainer's question between the phases: no refit after a stop.
    expect(budget.shouldStop()).toBe(true);
  });

  it('after forgoing the refit, still refits when the selection ends by itself and the refit fits', () => {
    const { clock, budget, select } = setup({ patience: 2 });
    clock.left = 3500;
    expect(budget.shouldStop()).toBe(false);
    select(1, 0.1);
    clock.left = 2500;
    expect(budget.shouldStop()).toBe(false); // 1 s + refit of 2 epochs (1.5 s) = 2.5 s ≤ 2.5 s
    select(2, 0.2);
    clock.left = 2000;
    expect(budget.shouldStop()).toBe(false); // forgone: 1 s + 2.25 s > 2 s, 1 s fits
    select(3, 0.15);
    clock.left = 1500;
    expect(budget.shouldStop()).toBe(false);
    select(4, 0.15); // patience: best epoch 2, selection over
    expect(budget.shouldStop()).toBe(false); // the refit of 2 epochs, 1.5 s, fits
  });

  it('lets a selection that ends by itself refit when the whole refit fits, measuring refit epochs as they come', () => {
    const { clock, budget, select } = setup({ patience: 2 });
    clock.left = 1e9;
    [0.1, 0.2, 0.15, 0.15].forEach((ndcg, k) => {
      expect(budget.shouldStop()).toBe(false);
      select(k + 1, ndcg);
    });
    // Best epoch 2: the refit needs 2 × 0.75 s.
    clock.left = 1600;
    expect(budget.shouldStop()).toBe(false);
    expect(budget.shouldStop()).toBe(false); // before refit epoch 1: 0.75 s ≤ 1.6 s
    budget.onEpoch({ phase: 'refit', epoch: 1, loss: 1, seconds: 1.2 });
    clock.left = 1200; // before refit epoch 2: the measured 1.2 s fits exactly
    expect(budget.shouldStop()).toBe(false);
    expect(budget.stoppedEarly).toBe(false);
  });

  it('skips the refit when it does not fit, keeping the selected model', () => {
    const { clock, budget, select } = setup({ patience: 2 });
    clock.left = 1e9;
    [0.1, 0.2, 0.15, 0.15].forEach((ndcg, k) => {
      budget.shouldStop();
      select(k + 1, ndcg);
    });
    clock.left = 1400; // the refit of 2 epochs needs 1.5 s
    expect(budget.shouldStop()).toBe(true);
    expect(budget.stoppedEarly).toBe(true);
  });

  it('counts what comes after training: the rating head, the evaluation and the margin', () => {
    const { clock, budget } = setup({
      afterTrainingMs: (selectEpochMs) => (selectEpochMs === undefined ? 10_000 : 2 * selectEpochMs) + 5000,
    });
    clock.left = 15_900; // 15 s after training + a 1 s epoch > 15.9 s
    expect(budget.canStart()).toBe(false);
    clock.left = 16_000;
    expect(budget.canStart()).toBe(true);
  });

  it('without validation, allows each epoch that fits', () => {
    const { clock, budget } = setup({ validation: false, refit: false });
    clock.left = 1500;
    expect(budget.shouldStop()).toBe(false);
    budget.onEpoch({ phase: 'fit', epoch: 1, loss: 1, seconds: 1 });
    clock.left = 999;
    expect(budget.shouldStop()).toBe(true);
    expect(budget.shouldStop()).toBe(true);
  });
});
