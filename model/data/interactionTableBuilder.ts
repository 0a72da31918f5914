import { ShapeError } from '../errors.ts';
import type { InteractionTable } from '../types/interactions.ts';

const DEFAULT_CAPACITY = 1024;

/**
 * Accumulates interactions row by row into growable columnar typed arrays (capacity doubles when
 * full), so millions of rows cost 24 bytes each plus one Map entry per distinct user and item —
 * no object per row. External ids become dense indices in order of first appearance.
 *
 * Rows are checked here only for what would poison training (non-finite or negative weight,
 * non-finite timestamp, ±Infinity rating); loaders check their input first so that they can name
 * the file and line. A weight of 0 is a negative signal (dislike, skip): kept in the table,
 * dropped later by buildTrainingData unless the row carries a rating.
 */
export class InteractionTableBuilder {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly userIds: string[] = [];
  private readonly itemIds: string[] = [];
  private capacity: number;
  private count = 0;
  private users: Int32Array;
  private items: Int32Array;
  private weights: Float32Array;
  private ratings: Float32Array;
  private timestamps: Float64Array;

  constructor(initialCapacity = DEFAULT_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new ShapeError(`initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.capacity = initialCapacity;
    this.users = new Int32Array(initialCapacity);
    this.items = new Int32Array(initialCapacity);
    this.weights = new Float32Array(initialCapacity);
    this.ratings = new Float32Array(initialCapacity);
    this.timestamps = new Float64Array(initialCapacity);
  }

  /** Rows added so far. */
  get size(): number {
    return this.count;
  }

  /**
   * Appends one interaction. `rating` is NaN when the interaction carries none; `timestamp` is in
   * seconds since the Unix epoch. Throws ShapeError for an empty id, a weight that is negative or
   * not finite, an infinite rating or a non-finite timestamp.
   */
  add(userId: string, itemId: string, weight: number, rating: number, timestamp: number): void {
    if (userId.length === 0 || itemId.length === 0) {
      throw new ShapeError('userId and itemId must be non-empty');
    }
    // Math.fround: a weight beyond float32 range would turn into Infinity in the column.
    if (!(weight >= 0) || Math.fround(weight) === Infinity) {
      throw new ShapeError(`weight must be finite and >= 0, got ${weight}`);
    }
    if (Math.abs(Math.fround(rating)) === Infinity) {
      throw new ShapeError(`rating must be finite or NaN, got ${rating}`);
    }
    if (!Number.isFinite(timestamp)) {
      throw new ShapeError(`timestamp must be finite, got ${timestamp}`);
    }
    if (this.count === this.capacity) this.grow();
    const r = this.count++;
    this.users[r] = this.indexOf(this.userIndex, this.userIds, userId);
    this.items[r] = this.indexOf(this.itemIndex, this.itemIds, itemId);
    this.weights[r] = weight;
    this.ratings[r] = rating;
    this.timestamps[r] = timestamp;
  }

  /**
   * The rows added so far as a table. The columns are compact copies, so the builder stays
   * usable (later rows do not show up in tables built earlier).
   */
  build(): InteractionTable {
    const n = this.count;
    return {
      size: n,
      userIds: this.userIds.slice(),
      itemIds: this.itemIds.slice(),
      users: this.users.slice(0, n),
      items: this.items.slice(0, n),
      weights: this.weights.slice(0, n),
      ratings: this.ratings.slice(0, n),
      timestamps: this.timestamps.slice(0, n),
    };
  }

  private indexOf(index: Map<string, number>, ids: string[], id: string): number {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      index.set(id, i);
      ids.push(id);
    }
    return i;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const users = new Int32Array(capacity);
    users.set(this.users);
    this.users = users;
    const items = new Int32Array(capacity);
    items.set(this.items);
    this.items = items;
    const weights = new Float32Array(capacity);
    weights.set(this.weights);
    this.weights = weights;
    const ratings = new Float32Array(capacity);
    ratings.set(this.ratings);
    this.ratings = ratings;
    const timestamps = new Float64Array(capacity);
    timestamps.set(this.timestamps);
    this.timestamps = timestamps;
    this.capacity = capacity;
  }
}
