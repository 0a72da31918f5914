import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import type { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { similarItems } from '../../../model/index.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel, type PublishedTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
interface Body {
  recommendationId: string;
  modelVersion: string;
  itemId: string;
  items: ResponseItem[];
  error?: string;
  field?: string;
}

const similar = (itemId: string, query?: Record<string, string | number | readonly (string | number)[]>) =>
  apiGatewayEvent({ method: 'GET', resource: '/v1/items/{itemId}/similar', pathParameters: { itemId }, query });

describe('Similar handler (s3rver)', () => {
  const local = withLocalAws();
  let handler: Handler;
  let loader: ModelLoader<ServingRecommender>;
  let published: PublishedTestModel;

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    published = await publishTestModel(s3, local().bucketName, { version: 'v1', seed: 3 });
    ({ handler } = await import('../../../functions/similar/handler.ts'));
    loader = (await import('../../../functions/commons/recommenderLoader.ts')).recommenderLoader('similar');
  });
  afterAll(async () => {
    await loader?.close();
    vi.unstubAllEnvs();
  });

  it('returns the titles most like the item (cosine of item vectors), without the item itself', async () => {
    const result = await invoke<Body>(handler, similar('m5', { count: 6 }));
    expect(result.statusCode).toBe(200);
    expectMatchesApi('GET /v1/items/{itemId}/similar', result);
    expect(result.body).toMatchObject({ modelVersion: 'v1', itemId: 'm5' });
    expect(result.body.recommendationId).toMatch(/^[0-9a-f-]{36}$/);
    const { itemIds } = published.files.manifest;
    const top = new Int32Array(6);
    const scores = new Float32Array(6);
    similarItems(published.model, itemIds.indexOf('m5'), 6, top, scores);
    expect(result.body.items.map((item) => item.itemId)).toEqual(Array.from(top, (i) => itemIds[i]));
    result.body.items.forEach((item, t) => expect(item.score).toBeCloseTo(scores[t], 4));
    expect(result.body.items[0]).toEqual({
      itemId: expect.any(String),
      score: expect.any(Number),
      title: expect.any(String),
      genres: expect.any(Array),
      year: expect.any(Number),
    });
  });

  it('filters by genre and year and excludes ids; pads with popular titles when too few match', async () => {
    const result = await invoke<Body>(handler, similar('m5', { genre: 'drama', yearFrom: 2000, exclude: ['m7'], count: 5 }));
    expect(result.statusCode).toBe(200);
    for (const item of result.body.items.filter((i) => i.reason === undefined)) {
      expect(item.genres.map((g) => g.toLowerCase())).toContain('drama');
      expect(item.year).toBeGreaterThanOrEqual(2000);
      expect(['m5', 'm7']).not.toContain(item.itemId);
    }
    const rare = published.files.items.items.filter((item) => item.genres.includes('Documentary')).length;
    const padded = await invoke<Body>(handler, similar('m5', { genre: 'Documentary', count: rare + 4 }));
    expect(padded.body.items).toHaveLength(rare + 4);
    expect(padded.body.items.filter((i) => i.reason === 'popular').length).toBeGreaterThanOrEqual(4);
    expect(padded.body.items.map((i) => i.itemId)).not.toContain('m5');
  });

  it('404 naming the item for an item the model does not know; 400 for bad query input', async () => {
    const unknown = await invoke<Body>(handler, similar('m99999'));
    expect(unknown.statusCode).toBe(404);
    expectMatchesApi('GET /v1/items/{itemId}/similar', unknown);
    expect(unknown.body).toEqual({ error: 'not_found', message: expect.stringMatching(/m99999/), field: 'path.itemId' });
    for (const [query, field] of [
      [{ count: 500 }, 'query.count'],
      [{ explain: 'true' }, 'query.explain'],
      [{ yearFrom: 2000, yearTo: 1999 }, 'query.yearTo'],
    ] as const) {
      const result = await invoke<Body>(handler, similar('m5', query));
      expect(result.statusCode).toBe(400);
      expect(result.body.field).toBe(field);
    }
  });
});
