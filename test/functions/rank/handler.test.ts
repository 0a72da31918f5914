import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import type { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { scoreItems, userVector } from '../../../model/index.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel, type PublishedTestModel } from '../../helpers/publishTestModel.ts';
import { putEntries } from '../../helpers/historyEntries.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
interface Body {
  modelVersion: string;
  userId?: string;
  personalized: boolean;
  items: ResponseItem[];
  unknownItemIds?: string[];
  error?: string;
  field?: string;
}

const rank = (body: unknown) => apiGatewayEvent({ method: 'POST', resource: '/v1/rank', body });

describe('Rank handler (s3rver + dynalite)', () => {
  const local = withLocalAws();
  let handler: Handler;
  let loader: ModelLoader<ServingRecommender>;
  let published: PublishedTestModel;
  let histories: UserHistoryStore;

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { s3, dynamo } = createAwsClients({ s3ForcePathStyle: true });
    histories = new UserHistoryStore(dynamo, local().historyTableName, { maxLength: 200, ttlSeconds: 3600 });
    published = await publishTestModel(s3, local().bucketName, { version: 'v1', seed: 3 });
    ({ handler } = await import('../../../functions/rank/handler.ts'));
    loader = (await import('../../../functions/commons/recommenderLoader.ts')).recommenderLoader('recommend');
  });
  afterAll(async () => {
    await loader?.close();
    vi.unstubAllEnvs();
  });

  /** Candidates ordered by the reference score of a history (weights 1). */
  function referenceOrder(history: string[], candidates: string[]): string[] {
    const { model, files } = published;
    const index = (id: string) => files.manifest.itemIds.indexOf(id);
    const user = new Float32Array(model.dim);
    userVector(model, Int32Array.from(history.map(index)), new Float32Array(history.length).fill(1), new Int32Array(0), user);
    const scores = new Float32Array(model.itemCount);
    scoreItems(model, user, scores);
    return [...candidates].sort((a, b) => scores[index(b)] - scores[index(a)] || index(a) - index(b));
  }

  it('re-ranks the candidates for a history; unknown ones last with score 0, reported', async () => {
    const candidates = ['m20', 'm21', 'm22', 'm23', 'm24', 'm25'];
    const result = await invoke<Body>(handler, rank({ history: ['m1', 'm2', 'm3'], itemIds: [...candidates, 'ghost'], explain: true }));
    expect(result.statusCode).toBe(200);
    expectMatchesApi('POST /v1/rank', result);
    expect(result.body.items.map((i) => i.itemId)).toEqual([...referenceOrder(['m1', 'm2', 'm3'], candidates), 'ghost']);
    expect(result.body.items.at(-1)).toMatchObject({ itemId: 'ghost', score: 0, reason: 'unknown_item' });
    expect(result.body.unknownItemIds).toEqual(['ghost']);
    expect(result.body.items[0].because).toBeDefined();
  });

  it("ranks for a user from the stored history (plus the body's history as newer)", async () => {
    const now = Math.floor(Date.now() / 1000);
    await putEntries(histories, 'bob', [
      { itemId: 'm4', type: 'complete', timestamp: now - 2 },
      { itemId: 'm6', type: 'like', timestamp: now - 1 },
    ]);
    const candidates = ['m30', 'm31', 'm32', 'm33', 'm4'];
    const result = await invoke<Body>(handler, rank({ userId: 'bob', itemIds: candidates }));
    expect(result.statusCode).toBe(200);
    expect(result.body.userId).toBe('bob');
    expect(result.body.personalized).toBe(true);
    // Same order as ranking for the same history sent in the body.
    const sameHistory = await invoke<Body>(
      handler,
      rank({
        history: [
          { itemId: 'm4', type: 'complete' },
          { itemId: 'm6', type: 'like' },
        ],
        itemIds: candidates,
      }),
    );
    expect(result.body.items.map((i) => i.itemId)).toEqual(sameHistory.body.items.map((i) => i.itemId));
    // Seen titles are not dropped: the caller chose the candidates.
    expect(result.body.items.map((i) => i.itemId)).toContain('m4');
  });

  it('rejects bad input with a 4xx naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [{ history: ['m1'] }, 400, 'body.itemIds'],
      [{ itemIds: [] }, 400, 'body.itemIds'],
      [{ itemIds: Array.from({ length: 501 }, (_, i) => `m${i}`) }, 400, 'body.itemIds'],
      [{ itemIds: ['m1', null] }, 400, 'body.itemIds[1]'],
      [{ itemIds: ['m1'], userId: 5.5 }, 400, 'body.userId'],
      [{ itemIds: ['m1'], preferences: { mood: 'sad' } }, 400, 'body.preferences.mood'],
      ['{not json', 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const result = await invoke<Body>(handler, rank(body));
      expect(result.statusCode, JSON.stringify(body).slice(0, 60)).toBe(status);
      expect(result.body.field).toBe(field);
    }
  });
});
