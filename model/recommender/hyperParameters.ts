/** Training objective: the full softmax over the catalog, a sampled softmax, or chosen by cost (chooseObjective). */
export type RecommenderObjective = 'full' | 'sampled' | 'auto';

/** Hyper-parameters of the ranking model and its training. */
export interface RecommenderHyperParameters {
  /**
   * 'full': softmax over every title (cost per epoch viewers × titles × dim); 'sampled': softmax
   * over the batch's positives and negatives shared by the batch (cost independent of titles);
   * 'auto': chooseObjective's pick from the catalog size. The trained model records the resolved one.
   */
  readonly objective: RecommenderObjective;
  /** Sampled objective: negatives drawn per mini-batch from the proposal, shared by its users. */
  readonly negatives: number;
  /** Sampled objective: extra negatives drawn per mini-batch from the batch's own positives. */
  readonly batchNegatives: number;
  /** Sampled objective: the proposal is (1 − uniformMix) · popularity^α / Σ + uniformMix / titles. */
  readonly proposalExponent: number;
  readonly uniformMix: number;
  /**
   * Sampled objective: users per mini-batch (a larger batch shares the negatives, the touched rows
   * and their update more widely) and its Adam step size.
   */
  readonly sampledBatchUsers: number;
  readonly sampledLearningRate: number;
  /**
   * Sampled objective: with more viewers than sampledBatchUsers × this, the batch grows so that an
   * epoch takes this many steps (up to SAMPLED_MAX_BATCH_USERS), and the step size with the square
   * root of the batch: each touched row is updated once for more events. ml-100k keeps 128 viewers.
   */
  readonly sampledStepsPerEpoch: number;
  /**
   * Sampled objective: the most steps over which the content-feature rows' gradients are summed
   * before one update, never more than a sixteenth of an epoch's steps (default 1: every step).
   * Cheaper at 50 k titles (16: 9.4 → 6.6 CPU s an epoch), but at 20 k titles and 20 k viewers
   * summing 9 steps lost a fifth of nDCG@10 (BENCHMARKS.md, issue 12), so it stays off.
   */
  readonly sampledFeatureSteps: number;
  /** Embedding dimension. */
  readonly dim: number;
  /** Upper bound on epochs; early stopping usually ends sooner. */
  readonly maxEpochs: number;
  /** Epochs without a better validation nDCG@10 before training stops. */
  readonly patience: number;
  /** Users per mini-batch. */
  readonly batchUsers: number;
  /** Adam step size. */
  readonly learningRate: number;
  /** L2 penalty on every embedding (decoupled weight decay, applied each step). */
  readonly weightDecay: number;
  /** Probability of dropping each history entry from the encoder's input during training. */
  readonly historyDropout: number;
  /** Which history entries the softmax predicts: all of them, or only those dropped from the input. */
  readonly targets: 'all' | 'dropped';
  /** β of the user-vector normalisation max(s, 1)^β. */
  readonly historyExponent: number;
  /** λ: weight of one stated preference relative to one interaction. */
  readonly preferenceWeight: number;
  /** Share of each user's interactions held out to choose the epoch (0 disables early stopping). */
  readonly validationFraction: number;
  /** After early stopping, train again on all data for the chosen number of epochs. */
  readonly refit: boolean;
  /** Decay of the exponential moving average of the parameters that is evaluated and returned (0: none). */
  readonly parameterAverage: number;
  /** Standard deviation of the initial embeddings. */
  readonly initScale: number;
  readonly seed: number;
}

export const DEFAULT_RECOMMENDER_HYPER_PARAMETERS: RecommenderHyperParameters = {
  objective: 'auto',
  negatives: 384,
  batchNegatives: 128,
  proposalExponent: 0.75,
  uniformMix: 0.1,
  sampledBatchUsers: 128,
  sampledLearningRate: 0.04,
  sampledStepsPerEpoch: 40,
  sampledFeatureSteps: 1,
  dim: 64,
  maxEpochs: 200,
  patience: 5,
  batchUsers: 32,
  learningRate: 0.02,
  weightDecay: 1,
  historyDropout: 0.5,
  targets: 'all',
  historyExponent: 0.75,
  preferenceWeight: 1,
  validationFraction: 0.1,
  refit: true,
  parameterAverage: 0.99,
  initScale: 0.05,
  seed: 42,
};
