import { DEFAULT_RATING_HYPER_PARAMETERS, type RatingHyperParameters } from '../../model/rating/ratingHyperParameters.ts';

/**
 * Rough run-time guesses for what the time budget cannot measure before it happens: the first
 * training epoch, the rating head (trained after the ranking model, in one go) and the gate
 * evaluation. Constants are seconds per unit of work as bench/retrain.ts measured them (one
 * thread of a shared 2-core x86 machine), with a margin of about 1.5–2×; once an epoch has been
 * measured the budget uses the measurement instead (TrainingBudget).
 */

/** One user × item × dimension of a selection epoch (full-softmax step and validation pass): measured 4.3e-9. */
const EPOCH_SECONDS_PER_UNIT = 8e-9;
/** One user × item × dimension of scoring a user (evaluation: user vector · every item): measured 1.5–2.6e-9. */
const SCORE_SECONDS_PER_UNIT = 4e-9;
/** One interaction × latent column × epoch of the rating head (each ensemble member's columns count): measured 6e-9. */
const RATING_SECONDS_PER_UNIT = 1e-8;

/** Milliseconds of a first selection epoch over `users` × `items` at dimension `dim`. */
export function firstEpochMs(users: number, items: number, dim: number): number {
  return users * items * dim * EPOCH_SECONDS_PER_UNIT * 1000;
}

/** Milliseconds to evaluate models of the given dimensions for `users` users over `items` items. */
export function evaluationMs(users: number, items: number, dims: readonly number[]): number {
  return dims.reduce((sum, dim) => sum + users * items * dim * SCORE_SECONDS_PER_UNIT * 1000, 0);
}

/** Milliseconds of the rating head over `interactions` rows (all rows feed the histories) with these settings. */
export function ratingHeadMs(interactions: number, overrides: Partial<RatingHyperParameters> = {}): number {
  const hp = { ...DEFAULT_RATING_HYPER_PARAMETERS, ...overrides };
  return interactions * hp.dim * hp.ensembleSize * hp.epochs * RATING_SECONDS_PER_UNIT * 1000;
}
