import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

describe('ModelInfo handler (s3rver)', () => {
  const local = withLocalAws();
  let handler: Handler;

  beforeAll(async () => {
    vi.stubEnv('MODEL_REFRESH_SECONDS', '0');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    ({ handler } = await import('../../../functions/modelInfo/handler.ts'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('503 before a model exists, then the served model: version, creation time, training data, metrics, sizes', async () => {
    const none = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model' }));
    expect(none.statusCode).toBe(503);
    expect(none.headers['Retry-After']).toBeDefined();
    expectMatchesApi('GET /v1/model', none);
    expect(none.body.message).toMatch(/npx marquee retrain/);

    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    const { files } = await publishTestModel(s3, local().bucketName, { version: 'v7', seed: 3 });
    const result = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model' }));
    expect(result.statusCode).toBe(200);
    expectMatchesApi('GET /v1/model', result);
    expect(result.body).toEqual({
      version: 'v7',
      createdAt: files.manifest.createdAt,
      trainingData: files.manifest.trainingData,
      metrics: files.manifest.metrics,
      itemCount: files.manifest.itemIds.length,
      featureCount: files.manifest.vocabulary.length,
      uptimeSeconds: expect.any(Number),
      loaders: [{ name: 'manifest', state: 'loaded', version: 'v7', draining: 0 }],
    });
  });

  it('rejects query parameters and other methods', async () => {
    const query = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model', query: { verbose: 'true' } }));
    expect(query.statusCode).toBe(400);
    expect(query.body.field).toBe('query.verbose');
    const method = await invoke(handler, apiGatewayEvent({ method: 'POST', resource: '/v1/model', body: {} }));
    expect(method.statusCode).toBe(405);
  });
});
