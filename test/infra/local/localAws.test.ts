import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../../functions/commons/tableKeys.ts';
import { startLocalAws, type LocalAws } from '../../../infra/local/localAws.ts';

function clients(local: LocalAws) {
  const credentials = { accessKeyId: local.env.AWS_ACCESS_KEY_ID, secretAccessKey: local.env.AWS_SECRET_ACCESS_KEY };
  return {
    s3: new S3Client({ region: 'us-east-1', endpoint: local.s3Endpoint, forcePathStyle: true, credentials }),
    db: new DynamoDBClient({ region: 'us-east-1', endpoint: local.dynamoEndpoint, credentials }),
  };
}

describe('startLocalAws', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-localaws-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists past one page (s3rver’s DES continuation tokens work on OpenSSL 3), and a second start over the folder finds the data', async () => {
    const first = await startLocalAws({ dataDir: dir });
    const keys = Array.from({ length: 7 }, (_, i) => `events/2024/01/01/00/batch-${i}.ndjson`);
    try {
      const { s3 } = clients(first);
      for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: first.bucketName, Key: key, Body: key }));
      const listed: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: first.bucketName, Prefix: 'events/', MaxKeys: 3, ContinuationToken: token }),
        );
        listed.push(...(page.Contents ?? []).map((object) => object.Key as string));
        token = page.NextContinuationToken;
        pages++;
      } while (token);
      expect(listed).toEqual(keys);
      expect(pages).toBe(3);
      s3.destroy();
    } finally {
      await first.stop();
    }

    const second = await startLocalAws({ dataDir: dir });
    try {
      const { s3, db } = clients(second);
      const object = await s3.send(new GetObjectCommand({ Bucket: second.bucketName, Key: keys[0] }));
      expect(await object.Body?.transformToString()).toBe(keys[0]);
      const table = await db.send(new DescribeTableCommand({ TableName: second.historyTableName }));
      expect(table.Table?.TableStatus).toBe('ACTIVE');
      expect(second.env).toMatchObject({
        BUCKET_NAME: 'marquee-local',
        HISTORY_TABLE_NAME: 'marquee-history',
        AWS_ENDPOINT_URL_S3: second.s3Endpoint,
      });
      s3.destroy();
      db.destroy();
    } finally {
      await second.stop();
    }
  });

  it('creates the history table with its sort key anew when a data folder holds one of an older key schema', async () => {
    const old = await mkdtemp(join(tmpdir(), 'marquee-localaws-old-'));
    try {
      const first = await startLocalAws({ dataDir: old });
      expect(first.recreatedTables).toEqual([]);
      const { db } = clients(first);
      // The table as versions before one item per event created it: a partition key only.
      await db.send(new DeleteTableCommand({ TableName: first.historyTableName }));
      for (
        let i = 0;
        i < 100 && (await db.send(new DescribeTableCommand({ TableName: first.historyTableName })).catch(() => undefined));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await db.send(
        new CreateTableCommand({
          TableName: first.historyTableName,
          AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // dynalite turns a new table ACTIVE on a timer; a folder saved before that keeps it CREATING.
      for (
        let i = 0;
        i < 100 && (await db.send(new DescribeTableCommand({ TableName: first.historyTableName }))).Table?.TableStatus !== 'ACTIVE';
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      db.destroy();
      await first.stop();

      const second = await startLocalAws({ dataDir: old });
      try {
        expect(second.recreatedTables).toEqual([second.historyTableName]);
        const { db: again } = clients(second);
        const { Table } = await again.send(new DescribeTableCommand({ TableName: second.historyTableName }));
        expect(Table?.KeySchema).toEqual([
          { AttributeName: TABLE_KEYS.history.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.history.sortKey, KeyType: 'RANGE' },
        ]);
        expect(Table?.TableStatus).toBe('ACTIVE');
        again.destroy();
      } finally {
        await second.stop();
      }
      const third = await startLocalAws({ dataDir: old });
      expect(third.recreatedTables).toEqual([]);
      await third.stop();
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});
