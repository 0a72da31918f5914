import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import { publishModel } from '../../../functions/commons/modelPublisher.ts';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import { ServingRecommender, type RecommendRequest } from '../../../functions/commons/servingRecommender.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { apiGatewayEvent, invoke, type JsonResult } from '../../helpers/apiGatewayEvent.ts';
import { buildTestModel, fetchedTestVersion, type TestModel } from '../../helpers/publishTestModel.ts';
import { putEntries } from '../../helpers/historyEntries.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
interface Body {
  recommendationId: string;
  modelVersion: string;
  userId?: string;
  personalized: boolean;
  items: ResponseItem[];
  ignored?: { history?: string[]; preferences?: { key: string; value: string | number }[] };
  error?: string;
  message?: string;
  field?: string;
}

const USER_ROUTE = '/v1/users/{userId}/recommendations';
const post = (body: unknown, headers?: Record<string, string>) =>
  apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body, headers });
const forUser = (userId: string, query?: Record<string, string | number | boolean | readonly (string | number)[]>) =>
  apiGatewayEvent({ method: 'GET', resource: USER_ROUTE, pathParameters: { userId }, query });
const ids = (result: JsonResult<Body>) => result.body.items.map((item) => item.itemId);

describe('Recommend handler (s3rver + dynalite)', () => {
  const local = withLocalAws();
  let s3: S3Client;
  let handler: Handler;
  let loader: ModelLoader<ServingRecommender>;
  let histories: UserHistoryStore;
  let v1: TestModel;
  const call = (event: APIGatewayProxyEvent) => invoke<Body>(handler, event);

  beforeAll(async () => {
    // Check the pointer on every request, so recovery and swaps need no waiting.
    vi.stubEnv('MODEL_REFRESH_SECONDS', '0');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const clients = createAwsClients({ s3ForcePathStyle: true });
    s3 = clients.s3;
    histories = new UserHistoryStore(clients.dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 3600 });
    v1 = buildTestModel({ version: 'v1', seed: 3, numericIds: true });
    ({ handler } = await import('../../../functions/recommend/handler.ts'));
    const { recommenderLoader } = await import('../../../functions/commons/recommenderLoader.ts');
    loader = recommenderLoader('recommend');
  });
  afterAll(async () => {
    await loader?.close();
    vi.unstubAllEnvs();
  });

  describe('before any model is published', () => {
    it('answers 503 with Retry-After and a JSON error', async () => {
      const result = await call(post({ history: [1, 2] }));
      expect(result.statusCode).toBe(503);
      expect(Number(result.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(result.headers['Content-Type']).toMatch(/application\/json/);
      expect(result.body).toEqual({ error: 'service_unavailable', message: expect.stringMatching(/no recommendation model/) });
    });

    it('still answers bad input with its 4xx', async () => {
      const result = await call(post({ count: 0 }));
      expect(result.statusCode).toBe(400);
      expect(result.body.field).toBe('body.count');
      expectMatchesApi('POST /v1/recommendations', result);
    });

    it('recovers by itself once a model is published', async () => {
      await publishModel(s3, local().bucketName, v1.files);
      const result = await call(post({ history: [1, 2] }));
      expect(result.statusCode).toBe(200);
      expect(result.body.modelVersion).toBe('v1');
    });
  });

  describe('with a model', () => {
    it('answers the issue\'s request {history: [1,2,3,4,5], preferences: {genre: "action", actor: "John Doe"}}', async () => {
      const result = await call(post({ history: [1, 2, 3, 4, 5], preferences: { genre: 'action', actor: 'John Doe' } }));
      expect(result.statusCode).toBe(200);
      expectMatchesApi('POST /v1/recommendations', result);
      const { body } = result;
      expect(body.recommendationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(body.modelVersion).toBe('v1');
      expect(body.personalized).toBe(true);
      expect(body.items).toHaveLength(10);
      expect(body.items.some((item) => ['1', '2', '3', '4', '5'].includes(item.itemId))).toBe(false);
      for (const item of body.items) {
        expect(item).toEqual({
          itemId: expect.any(String),
          score: expect.any(Number),
          title: expect.any(String),
          genres: expect.any(Array),
          year: expect.any(Number),
          predictedRating: expect.any(Number),
        });
      }
      // "John Doe" is no actor of the demo catalog: ignored and reported, not an error.
      expect(body.ignored).toEqual({ preferences: [{ key: 'actor', value: 'John Doe' }] });
      // Scores come straight from the model for this history and these preferences.
      const reference = await ServingRecommender.create(fetchedTestVersion(v1), ['recommend']);
      const expected = await reference.recommend(
        request({
          history: [1, 2, 3, 4, 5].map((id) => ({ itemId: String(id), weight: 1 })),
          preferences: { genre: 'action', actor: 'John Doe' },
        }),
      );
      await reference.dispose();
      expect(body.items.map((item) => item.itemId)).toEqual(expected.items.map((item) => item.itemId));
    });

    it('takes history objects with types and values, count, filters and explain from the body', async () => {
      const result = await call(
        post({
          history: [
            { itemId: 1, type: 'like' },
            { itemId: '2', type: 'watch', value: 0.9 },
            { itemId: '3', type: 'rating', value: 4.5 },
            { itemId: '4', type: 'dislike' },
          ],
          count: 4,
          filter: { genre: ['Drama', 'comedy'], yearFrom: 1980, exclude: [6, '7'] },
          explain: true,
        }),
      );
      expect(result.statusCode).toBe(200);
      expect(result.body.items).toHaveLength(4);
      for (const item of result.body.items.filter((i) => i.reason === undefined)) {
        expect(item.genres.some((g) => ['drama', 'comedy'].includes(g.toLowerCase()))).toBe(true);
        expect(item.year).toBeGreaterThanOrEqual(1980);
        expect(['1', '2', '3', '4', '6', '7']).not.toContain(item.itemId);
        expect(item.because!.length).toBeGreaterThan(0);
        expect(item.because!.length).toBeLessThanOrEqual(3);
        for (const because of item.because!) expect(['1', '2', '3']).toContain(because.itemId);
      }
    });

    it("reads a known user's history from the store: seen titles excluded, same ranking as the same history posted", async () => {
      const now = Math.floor(Date.now() / 1000);
      await putEntries(histories, 'alice', [
        { itemId: '10', type: 'complete', timestamp: now - 30 },
        { itemId: '11', type: 'like', timestamp: now - 20 },
        { itemId: '12', type: 'skip', timestamp: now - 10 },
      ]);
      const fromStore = await call(forUser('alice', { count: 8 }));
      expect(fromStore.statusCode).toBe(200);
      expect(fromStore.body.userId).toBe('alice');
      expect(fromStore.body.personalized).toBe(true);
      expect(ids(fromStore)).not.toContain('10');
      expect(ids(fromStore)).not.toContain('12');
      const posted = await call(
        post({
          history: [
            { itemId: '10', type: 'complete' },
            { itemId: '11', type: 'like' },
            { itemId: '12', type: 'skip' },
          ],
          count: 8,
        }),
      );
      expect(ids(fromStore)).toEqual(ids(posted));
      // excludeSeen=false lets seen titles back in.
      const withSeen = await call(forUser('alice', { count: 100, excludeSeen: 'false' }));
      const postedWithSeen = await call(
        post({
          history: [
            { itemId: '10', type: 'complete' },
            { itemId: '11', type: 'like' },
            { itemId: '12', type: 'skip' },
          ],
          count: 100,
          filter: { excludeSeen: false },
        }),
      );
      expect(ids(withSeen)).toEqual(ids(postedWithSeen));
      expect(ids(withSeen).filter((id) => ['10', '11', '12'].includes(id)).length).toBeGreaterThan(0);
    });

    it('applies query filters: repeatable genre, year range, repeatable exclude; explain', async () => {
      const result = await call(
        forUser('alice', { genre: ['THRILLER', 'sci-fi'], yearFrom: 1990, yearTo: 2015, exclude: ['20', '21'], count: 5, explain: 'true' }),
      );
      expect(result.statusCode).toBe(200);
      expectMatchesApi('GET /v1/users/{userId}/recommendations', result);
      const personal = result.body.items.filter((item) => item.reason === undefined);
      expect(personal.length).toBeGreaterThan(0);
      for (const item of personal) {
        expect(item.genres.some((g) => ['thriller', 'sci-fi'].includes(g.toLowerCase()))).toBe(true);
        expect(item.year).toBeGreaterThanOrEqual(1990);
        expect(item.year).toBeLessThanOrEqual(2015);
        expect(['20', '21', '10', '12']).not.toContain(item.itemId);
        expect(Array.isArray(item.because)).toBe(true);
      }
    });

    it('pads with popular titles marked reason "popular" when the filters leave too few', async () => {
      const documentaries = v1.files.items.items.filter((item) => item.genres.includes('Documentary')).map((item) => item.itemId);
      const result = await call(forUser('alice', { genre: 'documentary', count: documentaries.length + 3 }));
      expect(result.statusCode).toBe(200);
      const personal = result.body.items.filter((item) => item.reason === undefined);
      const padded = result.body.items.filter((item) => item.reason === 'popular');
      expect(personal.map((item) => item.itemId).sort()).toEqual(documentaries.filter((id) => !['10', '12'].includes(id)).sort());
      expect(result.body.items).toHaveLength(documentaries.length + 3);
      expect(padded.length).toBeGreaterThanOrEqual(3);
      expect(result.body.items.slice(personal.length).every((item) => item.reason === 'popular')).toBe(true);
    });

    it('answers an unknown user with popular titles, 200, marked as such', async () => {
      const result = await call(forUser('nobody-at-all', { count: 5 }));
      expect(result.statusCode).toBe(200);
      expect(result.body.personalized).toBe(false);
      expect(result.body.items).toHaveLength(5);
      expect(result.body.items.every((item) => item.reason === 'popular')).toBe(true);
      const scores = result.body.items.map((item) => item.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });

    it('accepts a base64-encoded body and a JSON content type with parameters', async () => {
      const result = await invoke<Body>(
        handler,
        apiGatewayEvent({
          method: 'POST',
          resource: '/v1/recommendations',
          body: { history: [1], count: 2 },
          base64: true,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
      expect(result.statusCode).toBe(200);
      expect(result.body.items).toHaveLength(2);
    });
  });

  describe('bad input gets a 4xx JSON error naming the field', () => {
    const cases: [string, APIGatewayProxyEvent, number, string][] = [
      ['malformed JSON', post('{"history": [1, 2'), 400, 'body'],
      ['a body that is not an object', post('[1, 2, 3]'), 400, 'body'],
      ['a missing body', apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations' }), 400, 'body'],
      ['count as a string', post({ count: '10' }), 400, 'body.count'],
      ['count out of range', post({ count: 101 }), 400, 'body.count'],
      ['a fractional count', post({ count: 2.5 }), 400, 'body.count'],
      ['history not an array', post({ history: 'm1' }), 400, 'body.history'],
      ['a history entry of the wrong type', post({ history: [1, true] }), 400, 'body.history[1]'],
      ['an unknown event type', post({ history: [{ itemId: 1, type: 'teleport' }] }), 400, 'body.history[0].type'],
      ['a rating out of range', post({ history: [{ itemId: 1, type: 'rating', value: 9 }] }), 400, 'body.history[0].value'],
      ['an empty item id', post({ history: [''] }), 400, 'body.history[0]'],
      ['an unknown preference key', post({ preferences: { colour: 'red' } }), 400, 'body.preferences.colour'],
      ['a preference of the wrong type', post({ preferences: { genre: { name: 'x' } } }), 400, 'body.preferences.genre'],
      ['an unknown body field', post({ histroy: [1] }), 400, 'body.histroy'],
      ['an unknown filter field', post({ filter: { genres: 'x' } }), 400, 'body.filter.genres'],
      ['explain not a boolean', post({ explain: 'yes' }), 400, 'body.explain'],
      ['yearTo before yearFrom', post({ filter: { yearFrom: 2000, yearTo: 1990 } }), 400, 'body.filter.yearTo'],
      ['too long a history', post({ history: Array.from({ length: 501 }, (_, i) => i) }), 400, 'body.history'],
      ['an oversized body', post({ history: ['x'.repeat(300 * 1024)] }), 413, 'body'],
      ['a non-JSON content type', post({ history: [1] }, { 'Content-Type': 'text/plain' }), 415, 'headers.content-type'],
      ['count=0', forUser('alice', { count: 0 }), 400, 'query.count'],
      ['count=abc', forUser('alice', { count: 'abc' }), 400, 'query.count'],
      ['count twice', forUser('alice', { count: [5, 6] }), 400, 'query.count'],
      ['excludeSeen=maybe', forUser('alice', { excludeSeen: 'maybe' }), 400, 'query.excludeSeen'],
      ['yearFrom=soon', forUser('alice', { yearFrom: 'soon' }), 400, 'query.yearFrom'],
      ['an unknown query parameter', forUser('alice', { cout: 5 }), 400, 'query.cout'],
      ['an empty user id', forUser(''), 400, 'path.userId'],
      ['an unknown route', apiGatewayEvent({ method: 'GET', resource: '/v1/nothing' }), 404, 'path'],
    ];
    it.each(cases)('%s', async (_name, event, status, field) => {
      const result = await call(event);
      expect(result.statusCode).toBe(status);
      expect(result.body).toEqual({ error: expect.any(String), message: expect.any(String), field });
      expect(result.body.message).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    });

    it('a method the route does not take: 405 with Allow', async () => {
      const result = await call(apiGatewayEvent({ method: 'DELETE', resource: '/v1/recommendations' }));
      expect(result.statusCode).toBe(405);
      expect(result.headers.Allow).toBe('POST');
      expect(result.body.error).toBe('method_not_allowed');
    });
  });

  describe('model swap', () => {
    it('serves all of 50 requests (5 at a time) spanning the publish of v2, each from exactly one version', async () => {
      const body = { history: [1, 2, 3, 4, 5], preferences: { genre: 'action' }, count: 10, explain: true };
      const v2 = buildTestModel({ version: 'v2', seed: 5, numericIds: true });
      // What each version answers on its own.
      const expected = new Map<string, ResponseItem[]>();
      for (const test of [v1, v2]) {
        const reference = await ServingRecommender.create(fetchedTestVersion(test), ['recommend']);
        const answer = await reference.recommend(
          request({ history: body.history.map((id) => ({ itemId: String(id), weight: 1 })), preferences: body.preferences, explain: true }),
        );
        expected.set(test.files.manifest.version, answer.items);
        await reference.dispose();
      }
      expect(expected.get('v1')!.map((i) => i.itemId)).not.toEqual(expected.get('v2')!.map((i) => i.itemId));

      const disposeSpy = vi.spyOn(ServingRecommender.prototype, 'dispose');
      const results: JsonResult<Body>[] = [];
      const send = async () => {
        results.push(await call(post(body)));
      };
      // 50 requests in waves of 5, with v2 published (and picked up by the requests' own
      // background checks) while they run.
      const publishing = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        await publishModel(s3, local().bucketName, v2.files);
      })();
      for (let wave = 0; wave < 10; wave++) {
        await Promise.all(Array.from({ length: 5 }, send));
        if (wave === 6) await publishing;
        if (wave === 7) await vi.waitFor(() => expect(loader.status().version).toBe('v2'), { timeout: 20_000, interval: 5 });
      }

      expect(results).toHaveLength(50);
      const versions = new Set<string>();
      for (const result of results) {
        expect(result.statusCode).toBe(200);
        versions.add(result.body.modelVersion);
        const want = expected.get(result.body.modelVersion)!;
        expect(result.body.items.map((i) => [i.itemId, i.title, i.genres, i.year])).toEqual(
          want.map((i) => [i.itemId, i.title, i.genres, i.year]),
        );
        result.body.items.forEach((item, t) => {
          expect(item.score).toBeCloseTo(want[t].score, 5);
          expect(item.because?.map((b) => b.title)).toEqual(want[t].because?.map((b) => b.title));
        });
      }
      expect(versions).toEqual(new Set(['v1', 'v2']));
      expect(results.at(-1)!.body.modelVersion).toBe('v2');
      // v1 was released once no request held it any more.
      await vi.waitFor(() => expect(disposeSpy).toHaveBeenCalledTimes(1));
      expect(loader.status().draining).toBe(0);
      disposeSpy.mockRestore();
    });

    it('keeps serving the old version when the new one is corrupt, and counts the failure', async () => {
      const { metrics } = await import('../../../functions/commons/observability.ts');
      const addMetric = vi.spyOn(metrics, 'addMetric');
      const v3 = buildTestModel({ version: 'v3', seed: 7, numericIds: true });
      const pointer = await publishModel(s3, local().bucketName, v3.files, { movePointer: false });
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const corrupt = v3.files.similarGraph.slice(0, -1);
      const recommendGraph = v3.files.recommendGraph.slice();
      recommendGraph[100] ^= 1;
      await s3.send(new PutObjectCommand({ Bucket: local().bucketName, Key: 'models/v3/model.onnx', Body: recommendGraph }));
      await s3.send(new PutObjectCommand({ Bucket: local().bucketName, Key: 'models/v3/similar.onnx', Body: corrupt }));
      await s3.send(new PutObjectCommand({ Bucket: local().bucketName, Key: 'models/current.json', Body: JSON.stringify(pointer) }));
      expect(await loader.refresh()).toBe('rejected');
      for (let i = 0; i < 5; i++) {
        const result = await call(post({ history: [1, 2] }));
        expect(result.statusCode).toBe(200);
        expect(result.body.modelVersion).toBe('v2');
      }
      await loader.refresh();
      expect(addMetric.mock.calls.filter(([name]) => name === 'ModelLoadFailures')).toHaveLength(1);
      addMetric.mockRestore();
    });
  });

  describe('with the history store failing', () => {
    it('answers a known-user request 503 with Retry-After and no internals; body requests are unaffected', async () => {
      // The store's read fails as the SDK does when DynamoDB cannot be reached (stopping dynalite
      // would also stop the S3 server this suite shares).
      const failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { name: 'TimeoutError', code: 'ECONNREFUSED' });
      const get = vi.spyOn(UserHistoryStore.prototype, 'get').mockRejectedValue(failure);
      const result = await call(forUser('alice'));
      expect(result.statusCode).toBe(503);
      expect(result.headers['Retry-After']).toBe('1');
      expect(result.body).toEqual({ error: 'service_unavailable', message: 'the user history store is unavailable; retry shortly' });
      expect((await call(post({ history: [1] }))).statusCode).toBe(200);
      get.mockRestore();
    });
  });
});

function request(overrides: Partial<RecommendRequest>): RecommendRequest {
  return { history: [], count: 10, filter: { genres: [] }, exclude: [], excludeSeen: true, explain: false, ...overrides };
}
