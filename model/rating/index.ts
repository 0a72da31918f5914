export type { FloatArray, RatingExampleGradient, RatingModel, RatingParameters } from './types.ts';
export { DEFAULT_RATING_HYPER_PARAMETERS, type RatingHyperParameters } from './ratingHyperParameters.ts';
export { trainRatingModel, type RatingEpochLog, type TrainRatingOptions } from './trainRatingModel.ts';
export { clampRating, predictRating, predictRatingFromHistory, RATING_SCALE } from './predictRating.ts';
export { ratingRmse } from './ratingRmse.ts';
export { averageRatingModels } from './averageRatingModels.ts';
export { ratingExampleGradient } from './ratingExampleGradient.ts';
export { userHistoryVector } from './userHistoryVector.ts';
