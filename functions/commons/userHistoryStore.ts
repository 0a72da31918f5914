import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, QueryCommand as LowLevelQueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_TIMESTAMP_SECONDS } from '../../model/data/fields.ts';
import type { InteractionType } from '../../model/index.ts';
import { isForgotten } from './forgetting.ts';
import { historyKeyTime } from './historyKey.ts';
import { TABLE_KEYS } from './tableKeys.ts';
import { backoff, batchGetAll } from './batchGetAll.ts';

/** One remembered interaction of a user. */
export interface HistoryEntry {
  readonly eventId?: string;
  readonly itemId: string;
  readonly type: InteractionType;
  readonly value?: number;
  /** Seconds since the Unix epoch. */
  readonly timestamp: number;
}

/** An entry to store under its user at its key (historyKey.ts). */
export interface HistoryRecord {
  readonly userId: string;
  readonly key: string;
  readonly entry: HistoryEntry;
}

export interface UserHistoryStoreOptions {
  /** Newest entries a read returns. */
  readonly maxLength: number;
  /** Seconds an entry lives after it was written (DynamoDB TTL on `expiresAt`). */
  readonly ttlSeconds: number;
  /** Rounds of BatchWriteItem / BatchGetItem while items stay unprocessed (throttling), with backoff; default 8. */
  readonly maxRounds?: number;
}

/** The base of this module's errors. */
export class UserHistoryStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserHistoryStoreError';
  }
}

/** DynamoDB left items unprocessed (throttled) through every retry round. */
export class HistoryThrottledError extends UserHistoryStoreError {
  constructor(operation: string, unprocessed: number, rounds: number, options?: ErrorOptions) {
    super(`history ${operation}: ${unprocessed} items still unprocessed after ${rounds} rounds`, options);
    this.name = 'HistoryThrottledError';
  }
}

/** Sort key of a user's forget marker: after every entry key (which start with digits). */
const FORGOTTEN_KEY = '~forgotten';
/** Requests BatchWriteItem takes per call. */
const BATCH_WRITE_LIMIT = 25;
/** Past every timestamp an event may carry (MAX_TIMESTAMP_SECONDS), in milliseconds. */
const LATEST_MS = MAX_TIMESTAMP_SECONDS * 1000;
const { partitionKey: USER, sortKey: KEY, ttlAttribute: EXPIRES } = TABLE_KEYS.history;

/**
 * Recent interactions per user in DynamoDB: one item per event `{userId, entryKey, entry,
 * expiresAt}` under the user's partition, sorted by time (historyKey.ts). Writes are unconditional
 * puts of keys that depend on the event alone, so concurrent writers never conflict and writing an
 * event twice leaves one item. A read is one Query, newest first, limited to `maxLength`; entries
 * expire by TTL, `maxLength` bounds what is read, not what is kept.
 *
 * `entry` is the entry as JSON text rather than four typed attributes: the read is on every
 * personalised request, and DynamoDB's typed JSON costs CPU to unmarshal per attribute.
 *
 * A forgotten user has a marker `{entryKey: "~forgotten", forgottenAt}` (milliseconds), which sorts
 * first in a newest-first Query: reads drop entries at or before it, so an event written in a race
 * with the forget stays invisible (forgetting.ts).
 */
export class UserHistoryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: UserHistoryStoreOptions,
  ) {}

  /** The user's newest `count` (default `maxLength`) entries, newest first. */
  async recent(userId: string, count = this.options.maxLength): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    const nowSeconds = Math.floor(Date.now() / 1000);
    let forgottenAtMs: number | undefined;
    let start: Record<string, AttributeValue> | undefined;
    do {
      // The low-level command and the entry alone: the read is on every personalised request, and
      // its CPU goes to deserialising attributes one by one. Expired items are dropped here, not by
      // a FilterExpression: the emulator parses one per request (≈ 0.35 ms), and both count
      // towards Limit alike.
      const page = await this.client.send(
        new LowLevelQueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#user = :user',
          ExpressionAttributeNames: { '#user': USER, '#entry': 'entry', '#expires': EXPIRES },
          ExpressionAttributeValues: { ':user': { S: userId } },
          ProjectionExpression: '#entry, forgottenAt, #expires',
          ScanIndexForward: false,
          ConsistentRead: true,
          // One more than asked: the forget marker, when there is one, comes first.
          Limit: count + 1 - entries.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const marker = item.forgottenAt?.N;
        if (marker !== undefined) {
          forgottenAtMs = Number(marker);
          continue;
        }
        const text = item.entry?.S;
        if (text === undefined) continue; // not an item this store wrote
        // DynamoDB deletes expired items lazily; an item past its TTL counts as gone.
        const expiresAt = item[EXPIRES]?.N;
        if (expiresAt !== undefined && Number(expiresAt) <= nowSeconds) continue;
        const entry = JSON.parse(text) as HistoryEntry;
        if (isForgotten(forgottenAtMs, entry.timestamp)) continue;
        if (entries.length < count) entries.push(entry);
      }
      start = page.LastEvaluatedKey;
    } while (start && entries.length < count);
    return entries;
  }

  /** The user's newest `maxLength` entries, oldest first (as serving reads a history). */
  async get(userId: string): Promise<HistoryEntry[]> {
    return (await this.recent(userId)).reverse();
  }

  /**
   * Puts every record (BatchWriteItem, 25 at a time, all at once), retrying unprocessed items with
   * backoff. Writing a record again rewrites the same item. Rejects with the first failure (some
   * items may be written); the caller writes everything again.
   */
  async put(records: readonly HistoryRecord[]): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.options.ttlSeconds;
    // One BatchWriteItem refuses a key twice; the same key is the same event, so one put does.
    const unique = new Map(records.map((record) => [JSON.stringify([record.userId, record.key]), record]));
    const requests = [...unique.values()].map((record) => ({
      PutRequest: { Item: { [USER]: record.userId, [KEY]: record.key, entry: JSON.stringify(record.entry), [EXPIRES]: expiresAt } },
    }));
    await this.batchWrite('put', requests);
  }

  /** When each of `userIds` was forgotten (milliseconds), for those forgotten; consistent reads. */
  async forgottenAt(userIds: readonly string[]): Promise<Map<string, number>> {
    const keys = [...new Set(userIds)].map((userId) => ({ [USER]: userId, [KEY]: FORGOTTEN_KEY }));
    const items = await batchGetAll(this.client, this.tableName, keys, {
      projection: '#user, forgottenAt',
      names: { '#user': USER },
      maxRounds: this.options.maxRounds ?? 8,
      exhausted: (unprocessed, rounds) => new HistoryThrottledError('forget-marker read', unprocessed, rounds),
    });
    const found = new Map<string, number>();
    for (const item of items) if (typeof item.forgottenAt === 'number') found.set(String(item[USER]), item.forgottenAt);
    return found;
  }

  /**
   * Forgets the user up to `forgottenAtMs`: records the marker (never moving it back), so reads
   * and writes leave out entries at or before it from then on, then deletes entries — all of them
   * (`scope: 'all'`, the forget request: every entry there was sent before it), or only those at
   * or before the marker (`'upToMarker'`, a rebuild that must keep the new relationship).
   */
  async forget(userId: string, forgottenAtMs: number, scope: 'all' | 'upToMarker' = 'all'): Promise<void> {
    // An unknown time (Infinity) forgets every timestamp an event can carry.
    const at = Math.min(forgottenAtMs, LATEST_MS);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [USER]: userId, [KEY]: FORGOTTEN_KEY, forgottenAt: at },
          ConditionExpression: 'attribute_not_exists(forgottenAt) OR forgottenAt < :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      // A later forget is already recorded: keep it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const upTo = scope === 'all' ? FORGOTTEN_KEY : historyKeyTime(at + 1);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#user = :user AND #key < :upTo',
          ExpressionAttributeNames: { '#user': USER, '#key': KEY },
          ExpressionAttributeValues: { ':user': userId, ':upTo': upTo },
          ProjectionExpression: '#key',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      await this.batchWrite(
        'delete',
        (page.Items ?? []).map((item) => ({ DeleteRequest: { Key: { [USER]: userId, [KEY]: item[KEY] } } })),
      );
      start = page.LastEvaluatedKey;
    } while (start);
  }

  private async batchWrite(operation: string, requests: readonly Record<string, unknown>[]): Promise<void> {
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) chunks.push(requests.slice(i, i + BATCH_WRITE_LIMIT));
    const rounds = this.options.maxRounds ?? 8;
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending = chunk;
        for (let round = 0; pending.length > 0; round++) {
          if (round === rounds) throw new HistoryThrottledError(operation, pending.length, round);
          if (round > 0) await backoff(round);
          const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
          pending = (result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined) ?? [];
        }
      }),
    );
  }
}
