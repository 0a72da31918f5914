/** ONNX operator set the graphs are written for, and the IR version that goes with it. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const ONNX_PRODUCER_NAME = 'marquee';

/**
 * Names of the recommend graph's inputs, outputs and initializers. The initializers are the
 * ScoringModel itself, so `readScoringModel` can read a model back from the file.
 */
export const RECOMMEND_GRAPH = {
  name: 'marquee_recommend',
  inputs: {
    historyItems: 'history_items',
    historyWeights: 'history_weights',
    preferences: 'preferences',
    exclude: 'exclude',
    k: 'k',
  },
  outputs: {
    items: 'items',
    scores: 'scores',
    contributions: 'contributions',
    ratings: 'ratings',
    /** The user vector u [dim], so callers can score titles the graph does not hold (u · v + b). */
    userVector: 'user_vector',
    /** The bias of a title added after training (only when the model has one). */
    newItemBias: 'new_item_bias',
  },
  initializers: {
    historyVectors: 'history_vectors',
    preferenceVectors: 'preference_vectors',
    itemVectors: 'item_vectors',
    itemBias: 'item_bias',
    historyExponent: 'history_exponent',
    preferenceWeight: 'preference_weight',
    ratingGlobalMean: 'rating_global_mean',
    ratingItemBias: 'rating_item_bias',
    ratingItemFactors: 'rating_item_factors',
    ratingHistoryFactors: 'rating_history_factors',
    /** What scores titles added after training (see ScoringModel.featureItemVectors). */
    featureItemVectors: 'feature_item_vectors',
    newItemBias: 'new_item_bias_f64',
  },
} as const;

/** Names of the similar-items graph's inputs, outputs and initializer. */
export const SIMILAR_GRAPH = {
  name: 'marquee_similar',
  inputs: {
    item: 'item',
    exclude: 'exclude',
    k: 'k',
  },
  outputs: {
    items: 'items',
    scores: 'scores',
  },
  initializers: {
    normalizedItemVectors: 'normalized_item_vectors',
  },
} as const;
