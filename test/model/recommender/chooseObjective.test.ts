import { describe, expect, it } from 'vitest';
import { chooseObjective, FULL_COST_RATIO } from '../../../model/recommender/chooseObjective.ts';
import { DEFAULT_RECOMMENDER_HYPER_PARAMETERS as HP } from '../../../model/recommender/hyperParameters.ts';

describe('chooseObjective', () => {
  const negatives = HP.negatives + HP.batchNegatives;

  it('keeps the full softmax for small catalogs and samples beyond FULL_COST_RATIO × negatives', () => {
    expect(chooseObjective('auto', { titles: 1682, negatives })).toBe('full');
    expect(chooseObjective('auto', { titles: FULL_COST_RATIO * negatives, negatives })).toBe('full');
    expect(chooseObjective('auto', { titles: FULL_COST_RATIO * negatives + 1, negatives })).toBe('sampled');
    expect(chooseObjective('auto', { titles: 50_000, negatives })).toBe('sampled');
  });

  it('moves the threshold with the negatives a batch draws', () => {
    expect(chooseObjective('auto', { titles: 3500, negatives: 1000 })).toBe('full');
    expect(chooseObjective('auto', { titles: 3500, negatives: 500 })).toBe('sampled');
  });

  it('returns an explicit choice as it is', () => {
    expect(chooseObjective('full', { titles: 100_000, negatives })).toBe('full');
    expect(chooseObjective('sampled', { titles: 10, negatives })).toBe('sampled');
  });
});
