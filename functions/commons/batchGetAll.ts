import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Keys BatchGetItem takes per call. */
const BATCH_GET_LIMIT = 100;

export interface BatchGetOptions {
  /** ProjectionExpression and the names it uses. */
  readonly projection: string;
  readonly names: Readonly<Record<string, string>>;
  /** Calls per chunk while keys stay unprocessed (throttling), with backoff. */
  readonly maxRounds: number;
  /** The error to throw when keys are still unprocessed after `maxRounds`. */
  readonly exhausted: (unprocessed: number, rounds: number) => Error;
}

/**
 * Every item of `keys` that exists, by consistent BatchGetItem calls of at most 100 keys, retrying
 * unprocessed keys with exponential backoff and full jitter (25 ms × 2^round, at most 3.2 s).
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let round = 0; pending.length > 0; round++) {
      if (round === options.maxRounds) throw options.exhausted(pending.length, round);
      if (round > 0) await backoff(round);
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: options.projection,
              ExpressionAttributeNames: options.names,
            },
          },
        }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return items;
}

/** Exponential backoff with full jitter: up to 25 ms × 2^round (at most 3.2 s). */
export function backoff(round: number): Promise<void> {
  const ms = Math.random() * 25 * 2 ** Math.min(round, 7);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
