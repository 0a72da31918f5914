/**
 * Interactions in columnar form: row r says user `users[r]` interacted with item `items[r]`.
 * Users and items are dense indices into `userIds` / `itemIds` (external ids, in order of first
 * appearance). Columnar typed arrays keep millions of events in a few bytes each.
 */
export interface InteractionTable {
  readonly size: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Implicit-feedback confidence, > 0 and finite. */
  readonly weights: Float32Array;
  /** Explicit rating (stars) or NaN when the interaction carries none. */
  readonly ratings: Float32Array;
  /** Seconds since the Unix epoch. */
  readonly timestamps: Float64Array;
}

/** An interaction event as clients send it (`POST /v1/events`) and as NDJSON files hold it. */
export interface InteractionEvent {
  readonly eventId?: string;
  readonly userId: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value?: number;
  /** Seconds since the Unix epoch, or an ISO-8601 string in NDJSON files. */
  readonly timestamp: number;
}

export type InteractionType = 'watch' | 'complete' | 'rating' | 'like' | 'dislike' | 'click' | 'skip';
