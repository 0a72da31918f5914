import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { IdempotencyStore } from '../../../functions/commons/idempotencyStore.ts';
import { TABLE_KEYS } from '../../../functions/commons/tableKeys.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import type { EventStores } from '../../../functions/events/acceptEvents.ts';
import type { LocalAws } from '../../../infra/local/localAws.ts';

/** The stores of the events function against the local servers, with parts replaced to inject faults. */
export function localEventStores(
  local: LocalAws,
  overrides: { s3?: S3Client; dynamo?: DynamoDBDocumentClient; historyLength?: number; windowSeconds?: number } = {},
): EventStores {
  const clients = createAwsClients({ s3ForcePathStyle: true });
  const dynamo = overrides.dynamo ?? clients.dynamo;
  return {
    s3: overrides.s3 ?? clients.s3,
    bucket: local.bucketName,
    idempotency: new IdempotencyStore(dynamo, local.idempotencyTableName, overrides.windowSeconds ?? 24 * 3600),
    history: new UserHistoryStore(dynamo, local.historyTableName, { maxLength: overrides.historyLength ?? 200, ttlSeconds: 3600 }),
  };
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Real SDK clients whose endpoints refuse connections: a store that is down. */
export async function unreachableClients(): Promise<{ s3: S3Client; dynamo: DynamoDBDocumentClient }> {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 });
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: CREDENTIALS, maxAttempts: 1 }),
  );
  return { s3, dynamo };
}

/** Every object under `prefix` with its text, in key order. */
export async function objectsUnder(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; text: string }[]> {
  const out: { key: string; text: string }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      out.push({ key: object.Key!, text: (await Body?.transformToString('utf8')) ?? '' });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Every key under `prefix` with its ETag (`key etag`), in key order: cheap "did anything change" checks. */
export async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) out.push(`${object.Key} ${object.ETag}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Every row of a table. */
export async function scanTable(dynamo: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    rows.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return rows;
}

/** Deletes every item of the history table (entries and forget markers): a clean slate between tests. */
export async function clearHistoryTable(dynamo: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey } = TABLE_KEYS.history;
  for (const row of await scanTable(dynamo, tableName)) {
    await dynamo.send(new DeleteCommand({ TableName: tableName, Key: { [partitionKey]: row[partitionKey], [sortKey]: row[sortKey] } }));
  }
}
