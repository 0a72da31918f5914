import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel, type PublishedTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
interface Body {
  modelVersion: string;
  items: ResponseItem[];
  field?: string;
}

const popular = (query?: Record<string, string | number | readonly (string | number)[]>) =>
  apiGatewayEvent({ method: 'GET', resource: '/v1/popular', query });

describe('Popular handler (s3rver)', () => {
  const local = withLocalAws();
  let handler: Handler;
  let published: PublishedTestModel;

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    published = await publishTestModel(s3, local().bucketName, { version: 'v1', seed: 3 });
    ({ handler } = await import('../../../functions/popular/handler.ts'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  const byPopularity = (genre?: string) =>
    published.files.items.items
      .map((item, index) => ({ item, index }))
      .filter(({ item }) => genre === undefined || item.genres.some((g) => g.toLowerCase() === genre))
      .sort((a, b) => b.item.interactions - a.item.interactions || a.index - b.index)
      .map(({ item }) => item.itemId);

  it('lists the titles with the most interactions, scored by their share of the most popular one', async () => {
    const result = await invoke<Body>(handler, popular());
    expect(result.statusCode).toBe(200);
    expectMatchesApi('GET /v1/popular', result);
    expect(result.body.modelVersion).toBe('v1');
    expect(result.body.items.map((i) => i.itemId)).toEqual(byPopularity().slice(0, 10));
    expect(result.body.items[0]).toMatchObject({ score: 1, reason: 'popular' });
  });

  it('per genre (repeatable, case-insensitive), never padded with other genres', async () => {
    const result = await invoke<Body>(handler, popular({ genre: 'DOCUMENTARY', count: 100 }));
    expect(result.body.items.map((i) => i.itemId)).toEqual(byPopularity('documentary'));
    const two = await invoke<Body>(handler, popular({ genre: ['Drama', 'Comedy'], count: 5 }));
    expect(two.body.items.every((i) => i.genres.some((g) => ['drama', 'comedy'].includes(g.toLowerCase())))).toBe(true);
    expect((await invoke<Body>(handler, popular({ genre: 'no such genre' }))).body.items).toEqual([]);
  });

  it('rejects a bad count or an unknown parameter', async () => {
    const bad = await invoke<Body>(handler, popular({ count: -1 }));
    expect(bad.body.field).toBe('query.count');
    expectMatchesApi('GET /v1/popular', bad);
    expect((await invoke<Body>(handler, popular({ genres: 'drama' }))).body.field).toBe('query.genres');
  });
});
