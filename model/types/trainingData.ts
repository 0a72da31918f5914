/**
 * What the trainers read: every user's items as compressed sparse rows, and every item's content
 * features likewise. Items and features are dense indices; `itemIds[i]` and `vocabulary[f]`
 * name them. Rows hold each (user, item) pair at most once.
 */
export interface TrainingData {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Feature names such as `genre:action`, `person:john doe`, `year:1990s`, `tag:noir`. */
  readonly vocabulary: readonly string[];
  /** User u's interactions are rows userOffsets[u] .. userOffsets[u+1]-1. */
  readonly userOffsets: Int32Array;
  readonly userItems: Int32Array;
  /** Implicit confidence of each row, > 0. */
  readonly userWeights: Float32Array;
  /** Explicit rating of each row, NaN when none. */
  readonly userRatings: Float32Array;
  /** Item i's features are itemFeatures[itemFeatureOffsets[i] .. itemFeatureOffsets[i+1]-1]. */
  readonly itemFeatureOffsets: Int32Array;
  readonly itemFeatures: Int32Array;
}
