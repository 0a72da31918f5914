import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { catalogChangesSince, getCatalogItems } from '../../../functions/commons/catalogStore.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { UserHistoryStore } from '../../../functions/commons/userHistoryStore.ts';
import { createEventsHandler } from '../../../functions/events/handler.ts';
import { createItemsHandler } from '../../../functions/items/handler.ts';
import { eventWeight } from '../../../model/data/eventWeight.ts';
import { itemFeatureNames } from '../../../model/data/features.ts';
import { newItemVector } from '../../../model/recommender/newItemVector.ts';
import { scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import { topK } from '../../../model/recommender/topK.ts';
import { trainRecommender } from '../../../model/recommender/trainRecommender.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';
import { demoTrainingData } from '../../helpers/demoTrainingData.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { invoke } from '../events/apiGatewayEvent.ts';
import { localEventStores } from '../events/localStores.ts';

/**
 * What the serving functions need from ingestion, end to end but without them (they are another
 * issue's): the history store holds a viewer's events right after the 202, and a title added
 * through the API is found through the catalog change records and scored by its content features.
 */
describe('ingestion feeds real-time personalisation and new titles (model-level, against s3rver and dynalite)', () => {
  const local = withLocalAws();
  const { data, items } = demoTrainingData();
  let model: ScoringModel;
  const byId = new Map(items.map((item) => [item.itemId, item]));
  const index = new Map(data.itemIds.map((id, i) => [id, i]));
  const featureIndex = new Map(data.vocabulary.map((name, f) => [name, f]));
  const genreShare = (found: Iterable<number>, genre: string): number => {
    const list = [...found];
    return list.filter((i) => byId.get(data.itemIds[i])!.genres.includes(genre)).length / list.length;
  };

  beforeAll(() => {
    logger.setLogLevel('SILENT');
    model = trainRecommender(data, {
      hyperParameters: { dim: 16, maxEpochs: 12, validationFraction: 0, batchUsers: 16, learningRate: 0.01 },
    }).model;
  });

  it('moves a viewer’s ranking toward what they just watched, from the history store alone', async () => {
    const genre = 'Action';
    const watched = items.filter((item) => item.genres[0] === genre).slice(0, 6);
    expect(watched.length).toBeGreaterThanOrEqual(4);
    const response = await invoke(createEventsHandler({ stores: () => localEventStores(local()) }), {
      method: 'POST',
      resource: '/v1/events',
      body: {
        events: watched.map((item, i) => ({ userId: 'fresh-viewer', itemId: item.itemId, type: 'complete', timestamp: 1_700_000_000 + i })),
      },
    });
    expect(response.statusCode).toBe(202);

    const history = await new UserHistoryStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName, {
      maxLength: 200,
      ttlSeconds: 3600,
    }).get('fresh-viewer');
    const historyItems = Int32Array.from(history, (entry) => index.get(entry.itemId)!);
    const weights = Float32Array.from(history, (entry) => eventWeight(entry));
    const top = (items: Int32Array, w: Float32Array): Set<number> => {
      const user = new Float32Array(model.dim);
      userVector(model, items, w, new Int32Array(0), user);
      const scores = new Float32Array(model.itemCount);
      scoreItems(model, user, scores);
      for (const seen of items) scores[seen] = Number.NEGATIVE_INFINITY;
      const found = new Int32Array(10);
      topK(scores, 10, found, new Float32Array(10));
      return new Set(found);
    };
    const before = top(new Int32Array(0), new Float32Array(0));
    const after = top(historyItems, weights);
    expect(historyItems.length).toBe(watched.length);
    expect([...after].some((i) => historyItems.includes(i))).toBe(false);
    expect(genreShare(after, genre)).toBeGreaterThan(genreShare(before, genre));
    expect(genreShare(after, genre)).toBeGreaterThanOrEqual(0.5);
  });

  it('makes a title added through the API findable by its features: its nearest titles share its genres, and fans of its genre score it high', async () => {
    const template = items.find((item) => item.genres.length >= 2 && item.cast.length > 0)!;
    const since = new Date(Date.now() - 1000);
    const put = await invoke(
      createItemsHandler({ stores: () => ({ s3: createAwsClients({ s3ForcePathStyle: true }).s3, bucket: local().bucketName }) }),
      {
        method: 'PUT',
        resource: '/v1/items/{itemId}',
        pathParameters: { itemId: 'brand-new' },
        body: {
          title: 'Brand New',
          genres: template.genres,
          people: { cast: template.cast, directors: template.directors },
          year: template.year,
          tags: template.tags,
        },
      },
    );
    expect(put.statusCode).toBe(201);
    expect(index.has('brand-new')).toBe(false);

    // What serving does every minute: read the changes since its last look, then the titles.
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    const changed = (await catalogChangesSince(s3, local().bucketName, since)).flatMap((change) => change.itemIds);
    expect(changed).toContain('brand-new');
    const [fresh] = await getCatalogItems(s3, local().bucketName, ['brand-new']);
    const featureIds = Int32Array.from(
      itemFeatureNames(fresh as CatalogItem).flatMap((name) => (featureIndex.has(name) ? [featureIndex.get(name)!] : [])),
    );
    expect(featureIds.length).toBeGreaterThan(1);
    const vector = new Float32Array(model.dim);
    const bias = newItemVector(model, featureIds, vector);

    // "More like this": cosine against every title.
    const cosine = new Float32Array(model.itemCount);
    const norm = Math.hypot(...vector);
    for (let i = 0; i < model.itemCount; i++) {
      const row = model.itemVectors.subarray(i * model.dim, (i + 1) * model.dim);
      let dot = 0;
      for (let c = 0; c < model.dim; c++) dot += row[c] * vector[c];
      cosine[i] = dot / (norm * Math.hypot(...row) || 1);
    }
    const similar = new Int32Array(10);
    topK(cosine, 10, similar, new Float32Array(10));
    const sharesGenre = (i: number) => byId.get(data.itemIds[i])!.genres.some((g) => template.genres.includes(g));
    const shareAmongSimilar = Array.from(similar).filter(sharesGenre).length / 10;
    const shareInCatalog = items.filter((item) => item.genres.some((g) => template.genres.includes(g))).length / items.length;
    expect(shareAmongSimilar).toBeGreaterThan(shareInCatalog);
    expect(shareAmongSimilar).toBeGreaterThanOrEqual(0.7);

    // A viewer of its main genre: the new title scores above most of the catalog.
    const fans = items.filter((item) => item.genres[0] === template.genres[0] && item.itemId !== template.itemId).slice(0, 8);
    const user = new Float32Array(model.dim);
    userVector(
      model,
      Int32Array.from(fans, (item) => index.get(item.itemId)!),
      new Float32Array(fans.length).fill(1),
      new Int32Array(0),
      user,
    );
    const scores = new Float32Array(model.itemCount);
    scoreItems(model, user, scores);
    let newScore = bias;
    for (let c = 0; c < model.dim; c++) newScore += user[c] * vector[c];
    const below = scores.filter((s) => s < newScore).length / scores.length;
    expect(below).toBeGreaterThanOrEqual(0.75);
  });
});
