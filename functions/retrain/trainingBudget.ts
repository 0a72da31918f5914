import type { EpochLog } from '../../model/recommender/trainRecommender.ts';

export interface TrainingBudgetOptions {
  /** Milliseconds left in the run, now (the Lambda context's getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
  /**
   * Milliseconds the run needs after the ranking model is trained (rating head, gate evaluation,
   * export, publish, safety margin), given the longest selection epoch measured so far (which
   * includes one validation pass over the users) or undefined before any.
   */
  readonly afterTrainingMs: (selectEpochMs: number | undefined) => number;
  /** A guess of one epoch's milliseconds, used until one has been measured. */
  readonly firstEpochMs: number;
  /** The trainer's settings that decide its control flow. */
  readonly patience: number;
  readonly maxEpochs: number;
  readonly validation: boolean;
  readonly refit: boolean;
}

/**
 * A refit epoch's length as a share of a selection epoch's, until one is measured: a refit epoch
 * trains on a ninth more data but runs no validation pass, and the validation pass (every user
 * scored against every item) is a large part of a selection epoch — refit/selection measured
 * 0.3–0.62 by bench/retrain.ts at 100 k and 1 M events.
 */
export const REFIT_SHARE = 0.75;

/**
 * Decides, before every epoch of trainRecommender, whether there is time for it: `shouldStop` and
 * `onEpoch` go to the trainer as they are. It follows the trainer's documented control flow:
 * with validation, a selection phase (early stopping on validation nDCG@10, the best epoch kept)
 * then, unless stopped, a refit on all the data for the chosen number of epochs; the trainer asks
 * `shouldStop` before each epoch and once between the phases.
 *
 * - While selecting, one more epoch goes ahead if after it there is still time for the refit of the
 *   best epoch count so far and for everything after training, so that a selection that ends by
 *   itself leaves time for the refit it asks for. When that no longer holds, the selection has not
 *   converged in the time there is, and another epoch of it is worth more than the refit's extra
 *   ninth of data: the refit is forgone and selection goes on while an epoch fits. A stop during
 *   selection returns the best selected model at once, without refit.
 * - Between the phases, the refit goes ahead only if all of it fits.
 * - During the refit (or a plain fit) an epoch is allowed if it fits; a refit stopped there is
 *   shorter than chosen, and the gate judges the result as it judges any candidate.
 *
 * An epoch's length is the longest measured in its phase; a refit epoch's, until one is measured,
 * REFIT_SHARE of a selection epoch's.
 */
export class TrainingBudget {
  private readonly options: TrainingBudgetOptions;
  /** Where the trainer is; `stopped`: this budget said stop, and keeps saying it. */
  private phase: 'select' | 'between' | 'refit' | 'fit' | 'stopped';
  private selectMs: number | undefined;
  private trainMs: number | undefined;
  private bestNdcg = Number.NEGATIVE_INFINITY;
  private bestEpoch = 0;
  /** Selection went on past the time a refit would have needed. */
  private refitForgone = false;

  constructor(options: TrainingBudgetOptions) {
    this.options = options;
    this.phase = options.validation ? 'select' : 'fit';
  }

  /** Whether the budget changed the trainer's course: ended training, or traded the refit for more selection. */
  get stoppedEarly(): boolean {
    return this.phase === 'stopped' || this.refitForgone;
  }

  /** Whether there is time for a first epoch at all (asked before training starts). */
  canStart(): boolean {
    return this.timeLeft() >= this.epochMs();
  }

  onEpoch = (log: EpochLog): void => {
    const ms = log.seconds * 1000;
    if (log.phase === 'select') {
      this.selectMs = Math.max(this.selectMs ?? 0, ms);
      if (log.validationNdcgAt10 !== undefined && log.validationNdcgAt10 > this.bestNdcg) {
        this.bestNdcg = log.validationNdcgAt10;
        this.bestEpoch = log.epoch;
      }
      // The trainer's own ends of selection: patience run out, or the epoch cap.
      const ends = log.epoch - this.bestEpoch >= this.options.patience || log.epoch >= this.options.maxEpochs;
      if (ends && this.phase === 'select') this.phase = 'between';
    } else {
      this.trainMs = Math.max(this.trainMs ?? 0, ms);
    }
  };

  shouldStop = (): boolean => {
    let need: number;
    switch (this.phase) {
      case 'stopped':
        return true;
      case 'select':
        need = this.epochMs();
        if (this.options.refit && !this.refitForgone) {
          if (this.timeLeft() >= need + this.refitMs(this.bestEpoch + 1)) return false;
          this.refitForgone = true;
        }
        break;
      case 'between':
        need = this.options.refit ? this.refitMs(this.bestEpoch) : 0;
        break;
      default:
        need = this.epochMs();
    }
    if (this.timeLeft() < need) {
      this.phase = 'stopped';
      return true;
    }
    // Allowed between the phases: the next question comes before the first refit epoch.
    if (this.phase === 'between') this.phase = 'refit';
    return false;
  };

  private timeLeft(): number {
    return this.options.remainingMs() - this.options.afterTrainingMs(this.selectMs);
  }

  /** The length of the next epoch of the current phase. */
  private epochMs(): number {
    if (this.phase === 'select') return this.selectMs ?? this.options.firstEpochMs;
    return this.trainMs ?? (this.selectMs ?? this.options.firstEpochMs) * REFIT_SHARE;
  }

  private refitMs(epochs: number): number {
    return epochs * (this.trainMs ?? (this.selectMs ?? this.options.firstEpochMs) * REFIT_SHARE);
  }
}
