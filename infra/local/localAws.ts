import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { TABLE_KEYS } from '../../functions/commons/tableKeys.ts';
import { loadDynalite } from './dynaliteStoreErrors.ts';
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

  // A failed write (read-only folder, full disk) fails its request instead of the process.
  const dynamo = loadDynalite()({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(options.dynamoPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

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
  for (const [tableName, key] of [
    [historyTableName, TABLE_KEYS.history.partitionKey],
    [idempotencyTableName, TABLE_KEYS.idempotency.partitionKey],
  ] as const) {
    try {
      await db.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilActive(db, tableName);
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
    env,
    async stop() {
      await s3rver.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
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
