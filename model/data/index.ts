export { InteractionTableBuilder } from './interactionTableBuilder.ts';
export {
  decadeOf,
  featureName,
  itemFeatureNames,
  normalizeFeatureValue,
  preferenceFeatureNames,
  yearFeatureName,
} from './features.ts';
export type { FeatureKind, PreferenceValue } from './features.ts';
export {
  MOVIELENS_100K_GENRES,
  parseMovieLens100kItems,
  readMovieLens100kItems,
  readMovieLens100kRatings,
} from './movieLens100k.ts';
export {
  MOVIES_CSV_HEADER,
  RATINGS_CSV_HEADER,
  parseMovieLensMoviesCsv,
  readMovieLensMoviesCsv,
  readMovieLensRatingsCsv,
} from './movieLensCsv.ts';
export { detectRatingsFormat, readRatingsFile } from './ratingsFile.ts';
export type { RatingsFormat } from './ratingsFile.ts';
export { detectItemsFormat, readItemsFile } from './itemsFile.ts';
export type { ItemsFormat } from './itemsFile.ts';
export { appendEventsNdjson, parseEventLine, readEventsNdjson } from './eventsNdjson.ts';
export { addEvent, eventRating, eventWeight } from './eventWeight.ts';
export { MAX_TIMESTAMP_SECONDS, RATING_MAX, RATING_MIN } from './fields.ts';
export type { LineStats, ReadOptions, TableReadOptions } from './readLines.ts';
export { buildTrainingData } from './trainingData.ts';
export type { BuiltTrainingData, TrainingDataOptions, TrainingDataStats } from './trainingData.ts';
export { splitPerUser } from './splitPerUser.ts';
export { generateDemoCatalog, generateDemoInteractions } from './demoCatalog.ts';
export type { DemoCatalog, DemoCatalogOptions } from './demoCatalog.ts';
