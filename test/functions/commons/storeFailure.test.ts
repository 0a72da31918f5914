import middy from '@middy/core';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonErrors } from '../../../functions/commons/httpMiddleware.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { isStoreFailure } from '../../../functions/commons/storeFailure.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { closedPort } from '../events/localStores.ts';

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A handler behind jsonErrors() that answers by calling `call`. */
const handlerCalling = (call: () => Promise<unknown>) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(jsonErrors())
    .handler(async () => {
      await call();
      return { statusCode: 200, body: '{}' };
    });

const event = () => apiGatewayEvent({ method: 'GET', resource: '/v1/anything' });

describe('a store failure that escapes a handler', () => {
  const local = withLocalAws();
  beforeAll(() => logger.setLogLevel('SILENT'));

  it('is a 503 JSON error with Retry-After when the store is down (connection refused)', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const response = await invoke(
      handlerCalling(() => s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))),
      event(),
    );
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['Retry-After'])).toBeGreaterThan(0);
    expect(response.body).toEqual({ error: 'service_unavailable', message: expect.stringContaining('retry') });
  });

  it('is a 503 when the store answers with an error of its own (s3rver: no such bucket)', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: local().s3Endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const response = await invoke(
      handlerCalling(() => s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))),
      event(),
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBeDefined();
  });

  it('leaves other errors alone: a bug is still a generic 500', async () => {
    const response = await invoke(
      handlerCalling(async () => JSON.parse('{')),
      event(),
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ error: 'internal_error', message: 'internal error' });
    expect(isStoreFailure(new TypeError('x'))).toBe(false);
    expect(isStoreFailure(null)).toBe(false);
  });
});
