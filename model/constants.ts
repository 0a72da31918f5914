/**
 * Implicit-feedback weight of each event type. Positive weights make an interaction a positive
 * example; 0 marks a negative signal (the title is excluded from that viewer's recommendations as
 * seen, but never trained on as a positive). `watch` scales by the watched fraction in `value`.
 */
export const EVENT_WEIGHTS = {
  complete: 1,
  watch: 1,
  rating: 1,
  like: 1.5,
  click: 0.25,
  dislike: 0,
  skip: 0,
} as const;

/** Default watched fraction of a `watch` event without a value. */
export const DEFAULT_WATCH_FRACTION = 0.5;

/** Lowest weight a `watch` event gets, so a barely-started title still counts a little. */
export const MIN_WATCH_WEIGHT = 0.1;

/** Feature kinds of the vocabulary; a feature name is `<kind>:<normalised value>`. */
export const FEATURE_KINDS = {
  genre: 'genre',
  person: 'person',
  year: 'year',
  tag: 'tag',
} as const;

/** Preference keys clients may send, mapped to feature kinds (matched case-insensitively). */
export const PREFERENCE_KEYS = {
  genre: 'genre',
  genres: 'genre',
  actor: 'person',
  actors: 'person',
  cast: 'person',
  director: 'person',
  directors: 'person',
  person: 'person',
  people: 'person',
  tag: 'tag',
  tags: 'tag',
  decade: 'year',
  year: 'year',
} as const;

/** The k of every offline ranking metric. */
export const METRIC_K = 10;
