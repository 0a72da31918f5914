/** Key and TTL attributes of the DynamoDB tables; CDK and the local emulation create them from these. */
export const TABLE_KEYS = {
  /** One item per event under its viewer, sorted by time (historyKey.ts); the viewer's forget marker sorts last. */
  history: { partitionKey: 'userId', sortKey: 'entryKey', ttlAttribute: 'expiresAt' },
  idempotency: { partitionKey: 'eventId', ttlAttribute: 'expiresAt' },
} as const;

/** The key attributes of one table: a partition key, and a sort key for tables that have one. */
export interface TableKeySchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute: string;
}
