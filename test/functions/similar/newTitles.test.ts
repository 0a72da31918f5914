import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import type { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { eventWeight } from '../../../model/data/eventWeight.ts';
import { itemFeatureNames } from '../../../model/data/features.ts';
import { newItemVector } from '../../../model/recommender/newItemVector.ts';
import { similarItems } from '../../../model/recommender/similarItems.ts';
import { userVector } from '../../../model/recommender/scoreHistory.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel, type PublishedTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
interface Body {
  items: ResponseItem[];
  error?: string;
}

const similar = (itemId: string, count: number) =>
  apiGatewayEvent({ method: 'GET', resource: '/v1/items/{itemId}/similar', pathParameters: { itemId }, query: { count } });
const putItem = (item: CatalogItem) =>
  apiGatewayEvent({
    method: 'PUT',
    resource: '/v1/items/{itemId}',
    pathParameters: { itemId: item.itemId },
    body: {
      title: item.title,
      genres: item.genres,
      cast: item.cast,
      directors: item.directors,
      tags: item.tags,
      ...(item.year === undefined ? {} : { year: item.year }),
    },
  });

function cosine(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let c = 0; c < a.length; c++) {
    ab += a[c] * b[bOffset + c];
    aa += a[c] * a[c];
    bb += b[bOffset + c] * b[bOffset + c];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Issue 4: a title added through the catalog API after the model was trained is served through
 * its content features (newItemVector) within one refresh, before any retraining. The expected
 * results come from the TypeScript reference (newItemVector, similarItems, userVector) on the
 * trained model, not from the serving code.
 */
describe('new titles in Similar, Recommend and Rank (s3rver)', () => {
  const local = withLocalAws();
  let similarHandler: Handler;
  let recommendHandler: Handler;
  let rankHandler: Handler;
  let itemsHandler: Handler;
  let loaders: ModelLoader<ServingRecommender>[] = [];
  let published: PublishedTestModel;
  let template: CatalogItem;
  let fresh: CatalogItem;
  let freshVector: Float32Array;

  beforeAll(async () => {
    vi.stubEnv('MODEL_REFRESH_SECONDS', '0');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    published = await publishTestModel(s3, local().bucketName, { version: 'v1', seed: 3 });
    ({ handler: similarHandler } = await import('../../../functions/similar/handler.ts'));
    ({ handler: recommendHandler } = await import('../../../functions/recommend/handler.ts'));
    ({ handler: rankHandler } = await import('../../../functions/rank/handler.ts'));
    ({ handler: itemsHandler } = await import('../../../functions/items/handler.ts'));
    const { recommenderLoader } = await import('../../../functions/commons/recommenderLoader.ts');
    loaders = [recommenderLoader('similar'), recommenderLoader('recommend')];

    // The new title copies the genres, people, year and tags of a model title with several genres.
    const { model } = published;
    const vocabulary = published.files.manifest.vocabulary;
    template = published.catalog.find((item) => item.genres.length >= 2 && item.cast.length > 0) ?? published.catalog[0];
    fresh = { ...template, itemId: 'new-1', title: 'A New Title' };
    const features = Int32Array.from(
      itemFeatureNames(fresh)
        .map((name) => vocabulary.indexOf(name))
        .filter((f) => f >= 0),
    );
    expect(features.length).toBeGreaterThan(0);
    freshVector = new Float32Array(model.dim);
    newItemVector(model, features, freshVector);

    const put = await invoke<Body>(itemsHandler, putItem(fresh));
    expect(put.statusCode).toBe(201);
  });
  afterAll(async () => {
    for (const loader of loaders) await loader.close();
    vi.unstubAllEnvs();
  });

  it('a new title gets its own similar list: cosine of its content vector over the model titles', async () => {
    const { model } = published;
    const { itemIds } = published.files.manifest;
    const count = 10;
    let body: Body | undefined;
    await vi.waitFor(
      async () => {
        const result = await invoke<Body>(similarHandler, similar(fresh.itemId, count));
        expect(result.statusCode).toBe(200);
        body = result.body;
      },
      { timeout: 10_000, interval: 100 },
    );
    const scores = Array.from({ length: model.itemCount }, (_, i) => ({
      i,
      score: cosine(freshVector, model.itemVectors, i * model.dim),
    })).sort((a, b) => b.score - a.score);
    const returned = body!.items;
    expect(returned).toHaveLength(count);
    expect(returned.map((item) => item.itemId)).not.toContain(fresh.itemId);
    returned.forEach((item, t) => {
      expect(item.reason).toBeUndefined();
      expect(item.score).toBeCloseTo(scores[t].score, 4);
    });
    // Shares the new title's genres more than a random title does.
    const genres = new Set(fresh.genres);
    const share = (items: readonly { genres: readonly string[] }[]) =>
      items.filter((item) => item.genres.some((g) => genres.has(g))).length / items.length;
    expect(share(returned)).toBeGreaterThan(share(published.catalog));
    expect(itemIds.indexOf(returned[0].itemId)).toBe(scores[0].i);
  });

  it('a new title appears in the similar list of a model title when it is closer than the k-th result', async () => {
    const { model } = published;
    const { itemIds } = published.files.manifest;
    const count = 10;
    const top = new Int32Array(count);
    const topScores = new Float32Array(count);
    // A model title for which the new title beats its 10th most similar title.
    let query = -1;
    let expected = 0;
    for (let i = 0; i < model.itemCount && query < 0; i++) {
      similarItems(model, i, count, top, topScores);
      const score = cosine(freshVector, model.itemVectors, i * model.dim);
      if (score > topScores[count - 1] + 1e-3) {
        query = i;
        expected = score;
      }
    }
    expect(query).toBeGreaterThanOrEqual(0);
    let items: ResponseItem[] = [];
    await vi.waitFor(
      async () => {
        const result = await invoke<Body>(similarHandler, similar(itemIds[query], count));
        items = result.body.items;
        expect(items.map((item) => item.itemId)).toContain(fresh.itemId);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(items).toHaveLength(count);
    expect(items.find((item) => item.itemId === fresh.itemId)).toMatchObject({
      score: expect.closeTo(expected, 4),
      title: 'A New Title',
      genres: fresh.genres,
    });
    for (let t = 1; t < items.length; t++) expect(items[t - 1].score).toBeGreaterThanOrEqual(items[t].score);
  });

  it('Recommend ranks a new title by u · v_new + newItemBias among the model titles, respecting exclusions', async () => {
    const { model } = published;
    const { itemIds } = published.files.manifest;
    // History: the model titles most like the new title (its content neighbours).
    const neighbours = Array.from({ length: model.itemCount }, (_, i) => ({
      i,
      score: cosine(freshVector, model.itemVectors, i * model.dim),
    }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 5)
      .map(({ i }) => i);
    const u = new Float32Array(model.dim);
    const weight = eventWeight({ type: 'complete' });
    userVector(model, Int32Array.from(neighbours), new Float32Array(neighbours.length).fill(weight), new Int32Array(0), u);
    let expected = model.newItemBias ?? 0;
    for (let c = 0; c < model.dim; c++) expected += u[c] * freshVector[c];
    const history = neighbours.map((i) => itemIds[i]);
    const body = { history, count: 100 };
    let items: ResponseItem[] = [];
    await vi.waitFor(
      async () => {
        const result = await invoke<Body>(recommendHandler, apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body }));
        expect(result.statusCode).toBe(200);
        items = result.body.items;
        expect(items.map((item) => item.itemId)).toContain(fresh.itemId);
      },
      { timeout: 10_000, interval: 100 },
    );
    const t = items.findIndex((item) => item.itemId === fresh.itemId);
    expect(items[t].score).toBeCloseTo(expected, 3);
    expect(items).toHaveLength(100);
    if (t > 0) expect(items[t - 1].score).toBeGreaterThanOrEqual(items[t].score);
    if (t < items.length - 1) expect(items[t].score).toBeGreaterThanOrEqual(items[t + 1].score);

    const excluded = await invoke<Body>(
      recommendHandler,
      apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body: { ...body, filter: { exclude: [fresh.itemId] } } }),
    );
    expect(excluded.body.items.map((item) => item.itemId)).not.toContain(fresh.itemId);
    const otherGenre = published.catalog.flatMap((item) => item.genres).find((g) => !fresh.genres.includes(g))!;
    const filtered = await invoke<Body>(
      recommendHandler,
      apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body: { ...body, filter: { genre: [otherGenre] } } }),
    );
    expect(filtered.statusCode).toBe(200);
    expect(filtered.body.items.map((item) => item.itemId)).not.toContain(fresh.itemId);
  });

  it('Rank scores a new title as Recommend does (u · v_new + newItemBias) instead of calling it unknown', async () => {
    const { model } = published;
    const { itemIds } = published.files.manifest;
    const history = [itemIds[0], itemIds[1], itemIds[2]];
    const u = new Float32Array(model.dim);
    const weight = eventWeight({ type: 'complete' });
    userVector(model, Int32Array.of(0, 1, 2), new Float32Array(3).fill(weight), new Int32Array(0), u);
    let expected = model.newItemBias ?? 0;
    for (let c = 0; c < model.dim; c++) expected += u[c] * freshVector[c];
    const rank = (candidates: string[]) =>
      invoke<Body & { unknownItemIds?: string[] }>(
        rankHandler,
        apiGatewayEvent({ method: 'POST', resource: '/v1/rank', body: { history, itemIds: candidates } }),
      );

    const candidates = [itemIds[5], fresh.itemId, 'no-such-title', itemIds[9], itemIds[12]];
    let body: (Body & { unknownItemIds?: string[] }) | undefined;
    await vi.waitFor(
      async () => {
        const result = await rank(candidates);
        expect(result.statusCode).toBe(200);
        body = result.body;
        expect(body.unknownItemIds).toEqual(['no-such-title']);
      },
      { timeout: 10_000, interval: 100 },
    );
    const items = body!.items;
    expect(items.map((item) => item.itemId).sort()).toEqual([...candidates].sort());
    expect(items.at(-1)).toMatchObject({ itemId: 'no-such-title', score: 0, reason: 'unknown_item' });
    const ranked = items.slice(0, -1);
    for (let t = 1; t < ranked.length; t++) expect(ranked[t - 1].score).toBeGreaterThanOrEqual(ranked[t].score);
    expect(ranked.find((item) => item.itemId === fresh.itemId)).toMatchObject({
      score: expect.closeTo(expected, 3),
      title: 'A New Title',
      genres: fresh.genres,
    });
    expect(ranked.find((item) => item.itemId === fresh.itemId)?.reason).toBeUndefined();

    // Only new titles among the candidates: scored the same way.
    const alone = await rank([fresh.itemId]);
    expect(alone.statusCode).toBe(200);
    expect(alone.body.unknownItemIds).toBeUndefined();
    expect(alone.body.items).toEqual([expect.objectContaining({ itemId: fresh.itemId, score: expect.closeTo(expected, 3) })]);
  });

  it('a new title with no feature the model knows is skipped and counted (404 for its similar list)', async () => {
    const unknown: CatalogItem = {
      itemId: 'new-unknown',
      title: 'Nothing Known',
      genres: ['Zzz Unheard Genre'],
      cast: ['Nobody Ever Cast'],
      directors: [],
      tags: [],
    };
    expect((await invoke<Body>(itemsHandler, putItem(unknown))).statusCode).toBe(201);
    const lease = await loaders[0].acquire();
    try {
      const newTitles = lease.model.newTitles!;
      await vi.waitFor(
        async () => {
          await newTitles.refresh();
          expect(newTitles.skipped).toBe(1);
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(newTitles.get(unknown.itemId)).toBeUndefined();
      expect(newTitles.get(fresh.itemId)).toBeDefined();
    } finally {
      lease.release();
    }
    expect((await invoke<Body>(similarHandler, similar(unknown.itemId, 5))).statusCode).toBe(404);
  });
});
