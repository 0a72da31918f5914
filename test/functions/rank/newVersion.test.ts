import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const REFRESH_SECONDS = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 11: after a publish, every serving function answers from the new version within the
 * refresh interval (plus its load time) — Rank included, which must know the titles the new
 * version added. Each function here sees no request between the publish and its first one after
 * the interval: the idle case, where a background check alone would answer from the old model.
 */
describe('a newly published version on every serving route (s3rver)', () => {
  const local = withLocalAws();
  const handlers: Record<string, Handler> = {};
  let loaders: ModelLoader<unknown>[] = [];

  beforeAll(async () => {
    vi.stubEnv('MODEL_REFRESH_SECONDS', String(REFRESH_SECONDS));
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    await publishTestModel(s3, local().bucketName, { version: 'v1', seed: 3 });
    for (const name of ['rank', 'recommend', 'similar', 'popular', 'modelInfo']) {
      handlers[name] = ((await import(`../../../functions/${name}/handler.ts`)) as { handler: Handler }).handler;
    }
    const { recommenderLoader } = await import('../../../functions/commons/recommenderLoader.ts');
    const { catalogLoader, manifestLoader } = await import('../../../functions/commons/catalogLoader.ts');
    loaders = [recommenderLoader('recommend'), recommenderLoader('similar'), catalogLoader(), manifestLoader()] as ModelLoader<unknown>[];
  });
  afterAll(async () => {
    for (const loader of loaders) await loader.close();
    vi.unstubAllEnvs();
  });

  /** Each route's answer: the model version it reports, and for Rank the candidates it did not know. */
  async function answers(itemIds: string[], similarTo: string) {
    const call = async (name: string, event: APIGatewayProxyEvent) => {
      const result = await invoke<Record<string, unknown>>(handlers[name], event);
      expect(result.statusCode, `${name}: ${JSON.stringify(result.body)}`).toBe(200);
      return result.body;
    };
    // Rank first: nothing else has looked at the pointer since the publish.
    const rank = await call('rank', apiGatewayEvent({ method: 'POST', resource: '/v1/rank', body: { history: [itemIds[0]], itemIds } }));
    const recommend = await call(
      'recommend',
      apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body: { history: [itemIds[0]] } }),
    );
    const similar = await call(
      'similar',
      apiGatewayEvent({ method: 'GET', resource: '/v1/items/{itemId}/similar', pathParameters: { itemId: similarTo } }),
    );
    const popular = await call('popular', apiGatewayEvent({ method: 'GET', resource: '/v1/popular' }));
    const model = await call('modelInfo', apiGatewayEvent({ method: 'GET', resource: '/v1/model' }));
    return {
      versions: [rank.modelVersion, recommend.modelVersion, similar.modelVersion, popular.modelVersion, model.version],
      unknownToRank: rank.unknownItemIds ?? [],
    };
  }

  it('answers from the new version, with its titles, once one refresh interval has passed', async () => {
    // v1 has the demo ids (m1, m2, …), v2 the same titles with other ids (1, 2, …): titles only v2 knows.
    expect(await answers(['m1', 'm2', 'm3'], 'm2')).toEqual({ versions: ['v1', 'v1', 'v1', 'v1', 'v1'], unknownToRank: [] });
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    await publishTestModel(s3, local().bucketName, { version: 'v2', seed: 3, numericIds: true });

    await sleep(REFRESH_SECONDS * 1000 + 100);
    expect(await answers(['1', '2', '3'], '2')).toEqual({ versions: ['v2', 'v2', 'v2', 'v2', 'v2'], unknownToRank: [] });
  });
});
