import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../../functions/commons/observability.ts';
import { startLocalAws, type LocalAws } from '../../../infra/local/localAws.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { makeReadOnly, type ReadOnlyFolder } from '../../helpers/readOnlyFolder.ts';

describe('s3rver over a read-only data folder (a real one: see makeReadOnly)', () => {
  let dir: string;
  let local: LocalAws;
  let s3: S3Client;
  let readOnly: ReadOnlyFolder | undefined;
  const saved: Record<string, string | undefined> = {};
  const bucketDir = () => join(dir, 's3', local.bucketName);
  const read = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: local.bucketName, Key: key }))).Body?.transformToString();
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: local.bucketName, Key: key, Body: body }));

  beforeAll(async () => {
    logger.setLogLevel('SILENT');
    dir = await mkdtemp(join(tmpdir(), 'marquee-readonly-'));
    local = await startLocalAws({ dataDir: dir });
    const credentials = { accessKeyId: local.env.AWS_ACCESS_KEY_ID, secretAccessKey: local.env.AWS_SECRET_ACCESS_KEY };
    s3 = new S3Client({ region: 'us-east-1', endpoint: local.s3Endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
    for (const [key, value] of Object.entries({ ...local.env, AWS_MAX_ATTEMPTS: '1' })) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterEach(async () => {
    await readOnly?.restore();
    readOnly = undefined;
  });
  afterAll(async () => {
    s3?.destroy();
    await local?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the write with an S3 error, keeps the previous object, and keeps serving (no unhandled EPERM)', async () => {
    await put('events/kept.ndjson', 'before');
    readOnly = await makeReadOnly(bucketDir());

    const failures = await Promise.allSettled([
      put('events/new.ndjson', 'lost'),
      put('events/kept.ndjson', 'overwritten'),
      put('catalog/x.json', '{}'),
    ]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      const reason = (failure as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(S3ServiceException);
      expect(reason.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    }
    // Still serving, the failed overwrite left the object as it was.
    expect(await read('events/kept.ndjson')).toBe('before');

    await readOnly.restore();
    readOnly = undefined;
    await put('events/new.ndjson', 'after');
    expect(await read('events/new.ndjson')).toBe('after');
  });

  it('POST /v1/events answers 503 JSON with Retry-After while the folder is read-only, then 202 again', async () => {
    const { handler } = await import('../../../functions/events/handler.ts');
    const post = (eventId: string) =>
      invoke(
        handler,
        apiGatewayEvent({
          method: 'POST',
          resource: '/v1/events',
          body: { events: [{ eventId, userId: 'u1', itemId: 'm1', type: 'watch' }] },
        }),
      );
    // The events prefix exists, so the object write itself (not a folder creation) is what fails.
    expect((await post('ro-0')).statusCode).toBe(202);
    readOnly = await makeReadOnly(bucketDir());

    const refused = await post('ro-1');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ error: 'service_unavailable', message: expect.any(String) });

    await readOnly.restore();
    readOnly = undefined;
    const retried = await post('ro-1');
    expect(retried.statusCode).toBe(202);
    expect(retried.body).toMatchObject({ accepted: 1 });
  });
});
