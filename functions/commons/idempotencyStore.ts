import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batchGetAll.ts';
import { TABLE_KEYS } from './tableKeys.ts';

/** Rounds of retrying UnprocessedKeys (throttling) before giving up. */
const MAX_BATCH_GET_ROUNDS = 6;

export interface ClaimResult {
  /** Ids this call recorded: seen for the first time within the window. */
  readonly claimed: readonly string[];
  /** Ids another request recorded first (within the window). */
  readonly taken: readonly string[];
  /** Ids whose write failed for another reason (DynamoDB unavailable, throttled): unknown state. */
  readonly failed: readonly string[];
  /** The first such failure. */
  readonly error?: unknown;
}

/**
 * Event ids seen within the idempotency window, one DynamoDB row per id `{eventId, batchId,
 * expiresAt}`. A row counts while `expiresAt` is in the future, whether or not DynamoDB's TTL has
 * removed it yet; a claim succeeds only when no live row exists (a conditional write), so of two
 * requests racing on one id exactly one claims it.
 */
export class IdempotencyStore {
  private readonly key = TABLE_KEYS.idempotency.partitionKey;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly windowSeconds: number,
  ) {}

  /** The ids among `eventIds` already recorded within the window (consistent reads). */
  async seen(eventIds: readonly string[], now: Date = new Date()): Promise<Set<string>> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const keys = [...new Set(eventIds)].map((id) => ({ [this.key]: id }));
    const items = await batchGetAll(this.client, this.tableName, keys, {
      projection: '#id, expiresAt',
      names: { '#id': this.key },
      maxRounds: MAX_BATCH_GET_ROUNDS,
      exhausted: (unprocessed, rounds) => new Error(`idempotency check: ${unprocessed} keys still unprocessed after ${rounds} rounds`),
    });
    const seen = new Set<string>();
    for (const item of items) if (typeof item.expiresAt !== 'number' || item.expiresAt > nowSeconds) seen.add(String(item[this.key]));
    return seen;
  }

  /**
   * Records each id for `batchId` unless a live row exists: each id ends in `claimed`, `taken`
   * (another request holds it) or `failed` (the write failed otherwise). Never rejects.
   */
  async claim(eventIds: readonly string[], batchId: string, now: Date = new Date()): Promise<ClaimResult> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const claimed: string[] = [];
    const taken: string[] = [];
    const failed: string[] = [];
    let firstError: { error: unknown } | undefined;
    await Promise.all(
      eventIds.map(async (eventId) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { [this.key]: eventId, batchId, expiresAt: nowSeconds + this.windowSeconds },
              ConditionExpression: 'attribute_not_exists(#id) OR expiresAt <= :now',
              ExpressionAttributeNames: { '#id': this.key },
              ExpressionAttributeValues: { ':now': nowSeconds },
            }),
          );
          claimed.push(eventId);
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) {
            taken.push(eventId);
          } else {
            failed.push(eventId);
            firstError ??= { error };
          }
        }
      }),
    );
    return { claimed, taken, failed, ...(firstError ? { error: firstError.error } : {}) };
  }
}
