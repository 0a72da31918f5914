import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../../infra/local/localAws.ts';
import { makeReadOnly, type ReadOnlyFolder } from '../../helpers/readOnlyFolder.ts';

describe('dynalite over a read-only data folder (a real one: see makeReadOnly)', () => {
  let dir: string;
  let local: LocalAws;
  let db: DynamoDBClient;
  let readOnly: ReadOnlyFolder | undefined;
  // The idempotency table: a single-key table, so one put is one item.
  const put = (eventId: string) =>
    db.send(
      new PutItemCommand({ TableName: local.idempotencyTableName, Item: { eventId: { S: eventId }, padding: { S: 'x'.repeat(50_000) } } }),
    );
  const get = async (eventId: string) =>
    (await db.send(new GetItemCommand({ TableName: local.idempotencyTableName, Key: { eventId: { S: eventId } } }))).Item?.eventId?.S;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-readonly-dynamo-'));
    local = await startLocalAws({ dataDir: dir });
    const credentials = { accessKeyId: local.env.AWS_ACCESS_KEY_ID, secretAccessKey: local.env.AWS_SECRET_ACCESS_KEY };
    db = new DynamoDBClient({ region: 'us-east-1', endpoint: local.dynamoEndpoint, credentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    await readOnly?.restore();
    readOnly = undefined;
  });
  afterAll(async () => {
    db?.destroy();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the write with DynamoDB’s 500 InternalServerError and keeps serving (no uncaught LEVEL_IO_ERROR)', async () => {
    await put('before');
    readOnly = await makeReadOnly(join(dir, 'dynamodb'));

    // LevelDB buffers writes in its log: enough of them reach the disk and fail.
    let failure: unknown;
    for (let i = 0; i < 200 && failure === undefined; i++) await put(`during-${i}`).catch((error: unknown) => void (failure = error));
    expect(failure).toBeInstanceOf(DynamoDBServiceException);
    expect((failure as DynamoDBServiceException).name).toBe('InternalServerError');
    expect((failure as DynamoDBServiceException).$metadata.httpStatusCode).toBe(500);
    // Still serving reads.
    expect(await get('before')).toBe('before');
  });
});
