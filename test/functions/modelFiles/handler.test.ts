import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelFilesResponse } from '../../../functions/modelFiles/presignModelFiles.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('ModelFiles handler (s3rver)', () => {
  const local = withLocalAws();
  let handler: Handler;

  beforeAll(async () => {
    vi.stubEnv('MODEL_REFRESH_SECONDS', '0');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    ({ handler } = await import('../../../functions/modelFiles/handler.ts'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('503 before a model exists, then presigned URLs whose downloads match the sizes and sha256 it gives', async () => {
    const none = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model/files' }));
    expect(none.statusCode).toBe(503);
    expectMatchesApi('GET /v1/model/files', none);

    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    const { files, pointer } = await publishTestModel(s3, local().bucketName, { version: 'v3', seed: 3 });
    const before = Date.now();
    const result = await invoke<ModelFilesResponse>(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model/files' }));
    expect(result.statusCode).toBe(200);
    expectMatchesApi('GET /v1/model/files', result);
    expect(result.headers['Cache-Control']).toBe('no-store');
    const body = result.body;
    expect(body.modelVersion).toBe('v3');
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt - before).toBeLessThanOrEqual(15 * 60 * 1000);
    expect(body.files.model).toMatchObject(files.manifest.files['model.onnx']);
    expect(body.files.manifest.sha256).toBe(pointer.sha256);

    for (const [name, file] of Object.entries(body.files)) {
      expect(file.url, name).toMatch(new RegExp(`/models/v3/${name === 'model' ? 'model.onnx' : `${name}.json`}\\?.*X-Amz-Signature=`));
      const response = await fetch(file.url);
      expect(response.status, name).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect({ name, bytes: bytes.length, sha256: sha256(bytes) }).toEqual({ name, bytes: file.bytes, sha256: file.sha256 });
    }
    const manifest = (await (await fetch(body.files.manifest.url)).json()) as { version: string };
    expect(manifest.version).toBe('v3');
    expect(body.chartUrl).toMatch(/\/models\/v3\/report\.svg\?/);
  });

  it('signs each URL for as long as expiresAt says, and no longer', async () => {
    const { body } = await invoke<ModelFilesResponse>(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model/files' }));
    for (const file of [...Object.values(body.files), { url: body.chartUrl }]) {
      const url = new URL(file.url);
      const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(url.searchParams.get('X-Amz-Date') ?? '')!;
      const signed = Date.UTC(+signedAt[1], +signedAt[2] - 1, +signedAt[3], +signedAt[4], +signedAt[5], +signedAt[6]);
      const lifetime = Number(url.searchParams.get('X-Amz-Expires')) * 1000;
      expect(Math.abs(signed + lifetime - Date.parse(body.expiresAt))).toBeLessThan(2000);
    }
  });

  it('rejects query parameters and other methods', async () => {
    const query = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/model/files', query: { version: 'v1' } }));
    expect(query.statusCode).toBe(400);
    expect(query.body.field).toBe('query.version');
    const method = await invoke(handler, apiGatewayEvent({ method: 'POST', resource: '/v1/model/files', body: {} }));
    expect(method.statusCode).toBe(405);
  });
});
