export type { RelevantItems } from './rankingMetrics.ts';
export { averagePrecisionAtK, hitRateAtK, ndcgAtK, precisionAtK, recallAtK } from './rankingMetrics.ts';
export { mae, rmse } from './ratingMetrics.ts';
export type { EvaluateRankingOptions, RankingEvaluation, RankingMetricName } from './evaluateRanking.ts';
export { evaluateRanking } from './evaluateRanking.ts';
export type { EvaluateRatingOptions, RatingColumns, RatingEvaluation } from './evaluateRating.ts';
export { evaluateRating } from './evaluateRating.ts';
