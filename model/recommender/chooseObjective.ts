/** What the choice of objective looks at. */
export interface ObjectiveCostInputs {
  /** Titles in the catalog (rows of the softmax). */
  readonly titles: number;
  /** Negatives per mini-batch of the sampled objective (shared and in-batch together). */
  readonly negatives: number;
}

/**
 * The full softmax scores every title for every user of a batch; the sampled one scores the
 * batch's shared negatives plus each user's own positives. The full softmax is kept while it costs
 * at most FULL_COST_RATIO times the sampled one, because there it is also the better estimate (no
 * proposal, no variance): at the defaults (512 negatives) up to 2,048 titles.
 */
export const FULL_COST_RATIO = 4;

/**
 * Resolves `auto` to 'full' or 'sampled' from the estimated cost of a step: full while
 * titles ≤ FULL_COST_RATIO × negatives, sampled beyond. An explicit choice is returned as it is.
 */
export function chooseObjective(requested: 'full' | 'sampled' | 'auto', inputs: ObjectiveCostInputs): 'full' | 'sampled' {
  if (requested !== 'auto') return requested;
  return inputs.titles <= FULL_COST_RATIO * Math.max(inputs.negatives, 1) ? 'full' : 'sampled';
}
