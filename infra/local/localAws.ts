import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { TABLE_KEYS, type TableKeySchema } from '../../functions/commons/tableKeys.ts';
import { startDynaliteThread } from './dynaliteThread.ts';
import { patchS3rverContinuationTokens } from './s3rverCompat.ts';
import { patchS3rverWriteErrors } from './s3rverWriteErrors.ts';

export interface LocalAwsOptions {
  /** Folder holding the S3 and DynamoDB data (`s3/`, `dynamodb/`). */
  readonly dataDir: string;
  readonly bucketName?: string;
  readonly historyTableName?: string;
  readonly idempotencyTableName?: string;
  /** 0 picks free ports. */
  readonly s3Port?: number;
  readonly dynamoPort?: number;
}

export interface LocalAws {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucketName: string;
  readonly historyTableName: string;
  readonly idempotencyTableName: string;
  /**
   * Tables found with another key schema (a data folder from before the history table had a sort
   * key), deleted and created anew: their content is lost; `marquee history rebuild` restores the
   * history from the event log.
   */
  readonly recreatedTables: readonly string[];
  /** The environment the functions need to run against these servers. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Starts real protocol-compatible servers on local disk — s3rver for S3, dynalite for DynamoDB —
 * and creates the bucket and tables (idempotently, so a second start reuses the data).
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const bucketName = options.bucketName ?? 'marquee-local';
  const historyTableName = options.historyTableName ?? 'marquee-history';
  const idempotencyTableName = options.idempotencyTableName ?? 'marquee-idempotency';
  const s3Dir = join(options.dataDir, 's3');
  const dynamoDir = join(options.dataDir, 'dynamodb');
  await mkdir(s3Dir, { recursive: true, mode: 0o700 });
  await mkdir(dynamoDir, { recursive: true, mode: 0o700 });
  // Listings longer than a page: see s3rverCompat.ts.
  patchS3rverContinuationTokens();
  // A failed write (read-only folder, full disk) fails its request instead of the process.
  patchS3rverWriteErrors();

  // In a thread of its own: its Query work runs beside the functions', not in their event loop.
  const dynamo = await startDynaliteThread({ path: dynamoDir, port: options.dynamoPort ?? 0 });
  const dynamoEndpoint = dynamo.endpoint;

  const s3rver = new S3rver({ address: '127.0.0.1', port: options.s3Port ?? 0, silent: true, directory: s3Dir });
  const s3Address = await s3rver.run();
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const region = 'us-east-1';
  const s3 = new S3Client({ region, endpoint: s3Endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  const db = new DynamoDBClient({ region, endpoint: dynamoEndpoint, credentials: CREDENTIALS });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  const recreatedTables: string[] = [];
  for (const [tableName, keys] of [
    [historyTableName, TABLE_KEYS.history],
    [idempotencyTableName, TABLE_KEYS.idempotency],
  ] as const) {
    if (await ensureTable(db, tableName, keys)) recreatedTables.push(tableName);
  }
  s3.destroy();
  db.destroy();

  const env = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    S3_FORCE_PATH_STYLE: 'true',
    BUCKET_NAME: bucketName,
    HISTORY_TABLE_NAME: historyTableName,
    IDEMPOTENCY_TABLE_NAME: idempotencyTableName,
  };
  return {
    s3Endpoint,
    dynamoEndpoint,
    bucketName,
    historyTableName,
    idempotencyTableName,
    recreatedTables,
    env,
    async stop() {
      await s3rver.close();
      await dynamo.stop();
    },
  };
}

/**
 * Creates the table with the key schema of tableKeys.ts, unless it exists with that schema; one
 * with another schema is deleted first. True when an existing table was replaced.
 */
async function ensureTable(db: DynamoDBClient, tableName: string, keys: TableKeySchema): Promise<boolean> {
  const wanted: KeySchemaElement[] = [
    { AttributeName: keys.partitionKey, KeyType: 'HASH' },
    ...(keys.sortKey ? [{ AttributeName: keys.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  let replaced = false;
  try {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    // A table still being created (by another process sharing the folder) can be neither used nor deleted yet.
    await waitUntilActive(db, tableName);
    const existing = (Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    if (existing === wanted.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',')) return false;
    await db.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilGone(db, tableName);
    replaced = true;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await db.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: wanted.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })),
        KeySchema: wanted,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    // Another process sharing the data folder created it meanwhile.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(db, tableName);
  return replaced;
}

async function waitUntilGone(db: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    try {
      await db.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`dynalite table ${tableName} was not deleted`);
}

/**
 * dynalite answers CreateTable while the table is still CREATING and turns it ACTIVE on a timer;
 * until then every item operation is ResourceNotFoundException, so wait for ACTIVE as a client
 * of DynamoDB would.
 */
async function waitUntilActive(db: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`dynalite table ${tableName} did not become ACTIVE`);
}
