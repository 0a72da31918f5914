/**
 * A trained recommender reduced to what scoring needs: dense matrices, row-major, `dim` columns.
 * The TypeScript reference scorer and the exported ONNX graph compute the same function of it:
 *
 *   s      = Σ_j w_j + λ·|prefs|
 *   u      = (Σ_j w_j · historyVectors[h_j] + λ · Σ_f preferenceVectors[f]) / max(s, 1)^β
 *   score_i = u · itemVectors[i] + itemBias[i]          (excluded items: -Infinity)
 *
 * where h_j, w_j are the history's item indices and weights, f the preference feature indices,
 * λ = preferenceWeight and β = historyExponent. Explanations: the contribution of history entry j
 * to item i is w_j · (historyVectors[h_j] · itemVectors[i]) / max(s, 1)^β.
 * Item-to-item similarity is the cosine of itemVectors rows.
 */
export interface ScoringModel {
  readonly dim: number;
  readonly itemCount: number;
  readonly featureCount: number;
  /** itemCount × dim: how an item in a history moves the user vector. */
  readonly historyVectors: Float32Array;
  /** featureCount × dim: how a stated preference moves the user vector. */
  readonly preferenceVectors: Float32Array;
  /** itemCount × dim: what the user vector is matched against. */
  readonly itemVectors: Float32Array;
  /** itemCount: popularity-like prior of each item. */
  readonly itemBias: Float32Array;
  readonly historyExponent: number;
  readonly preferenceWeight: number;
  /** The explicit-rating head, when trained. */
  readonly rating?: RatingHead;
  /**
   * featureCount × dim: the output-side rows of the content features. A title unknown to the model
   * (added to the catalog after training) is scored from its known features F alone, as a title
   * the model saw no interaction of is:  v_new = mean_{f ∈ F} featureItemVectors[f],
   * score_new = u · v_new + newItemBias. Absent in models exported before it existed.
   */
  readonly featureItemVectors?: Float32Array;
  /** The item bias of a title without interactions: the mean bias of the titles seen in training. */
  readonly newItemBias?: number;
}

/**
 * Predicted stars for a history (no per-user parameters):
 *   rating_i = globalMean + itemBias[i] + itemFactors[i] · (Σ_j w_j historyFactors[h_j]) / max(Σ_j w_j, 1)^0.5
 */
export interface RatingHead {
  readonly dim: number;
  readonly globalMean: number;
  /** itemCount */
  readonly itemBias: Float32Array;
  /** itemCount × dim */
  readonly itemFactors: Float32Array;
  /** itemCount × dim */
  readonly historyFactors: Float32Array;
}
