/** Key and TTL attributes of the DynamoDB tables; CDK and the local emulation create them from these. */
export const TABLE_KEYS = {
  history: { partitionKey: 'userId', ttlAttribute: 'expiresAt' },
  idempotency: { partitionKey: 'eventId', ttlAttribute: 'expiresAt' },
} as const;
