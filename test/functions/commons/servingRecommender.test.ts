import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseItem } from '../../../functions/commons/servingCatalog.ts';
import { ServingRecommender, type RecommendRequest } from '../../../functions/commons/servingRecommender.ts';
import {
  contributions,
  normalizeFeatureValue,
  predictRatings,
  scoreItems,
  similarItems,
  topK,
  userVector,
  type ScoringModel,
} from '../../../model/index.ts';
import { buildTestModel, fetchedTestVersion, type TestModel } from '../../helpers/publishTestModel.ts';

describe('ServingRecommender (against the TypeScript reference scorer)', () => {
  let test: TestModel;
  let model: ScoringModel;
  let recommender: ServingRecommender;
  const index = new Map<string, number>();
  const ids = (items: readonly ResponseItem[]) => items.map((item) => item.itemId);

  beforeAll(async () => {
    test = buildTestModel({ version: 'v1', seed: 3 });
    model = test.model;
    test.files.manifest.itemIds.forEach((id, i) => index.set(id, i));
    recommender = await ServingRecommender.create(fetchedTestVersion(test), ['recommend', 'similar']);
  });
  afterAll(async () => {
    await recommender.dispose();
  });

  const itemsOf = (genre: string) => test.files.items.items.filter((item) => item.genres.some((g) => normalizeFeatureValue(g) === genre));
  const feature = (name: string) => test.files.manifest.vocabulary.indexOf(name);

  /** The reference top-k: userVector → scoreItems → excluded set to -Infinity → topK. */
  function reference(historyIds: string[], weights: number[], preferences: number[], excluded: (i: number) => boolean, k: number) {
    const history = Int32Array.from(historyIds.map((id) => index.get(id)!));
    const w = Float32Array.from(weights);
    const prefs = Int32Array.from(preferences);
    const user = new Float32Array(model.dim);
    const divisor = userVector(model, history, w, prefs, user);
    const scores = new Float32Array(model.itemCount);
    scoreItems(model, user, scores);
    for (let i = 0; i < scores.length; i++) if (excluded(i)) scores[i] = Number.NEGATIVE_INFINITY;
    const top = new Int32Array(k);
    const topScores = new Float32Array(k);
    const n = topK(scores, k, top, topScores);
    return { history, weights: w, divisor, items: top.slice(0, n), scores: topScores.slice(0, n) };
  }

  const request = (overrides: Partial<RecommendRequest>): RecommendRequest => ({
    history: [],
    count: 10,
    filter: { genres: [] },
    exclude: [],
    excludeSeen: true,
    explain: false,
    ...overrides,
  });

  it('returns the reference top-k for a history and preferences, excluding what was seen', async () => {
    const history = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const result = await recommender.recommend(
      request({ history: history.map((itemId) => ({ itemId, weight: 1 })), preferences: { Genre: 'ACTION', decade: 1990 } }),
    );
    const seen = new Set(history.map((id) => index.get(id)!));
    const expected = reference(history, [1, 1, 1, 1, 1], [feature('genre:action'), feature('year:1990s')], (i) => seen.has(i), 10);
    expect(result.personalized).toBe(true);
    expect(result.modelVersion).toBe('v1');
    expect(ids(result.items)).toEqual(Array.from(expected.items, (i) => test.files.manifest.itemIds[i]));
    result.items.forEach((item, t) => expect(item.score).toBeCloseTo(expected.scores[t], 4));
    expect(result.ignored).toBeUndefined();
    const first = test.files.items.items[expected.items[0]];
    expect(result.items[0]).toMatchObject({ title: first.title, genres: first.genres, year: first.year });
  });

  it('applies genre (any of, case-insensitive) and year filters exactly, with exclusions, through the graph', async () => {
    const history = ['m1', 'm2'];
    const genres = ['Comedy', 'DRAMA'];
    const result = await recommender.recommend(
      request({
        history: history.map((itemId) => ({ itemId, weight: 1 })),
        filter: { genres, yearFrom: 1990, yearTo: 2009 },
        exclude: ['m7', 'm8'],
        count: 8,
      }),
    );
    const allowed = (i: number) => {
      const item = test.files.items.items[i];
      const matches = item.genres.some((g) => ['comedy', 'drama'].includes(g.toLowerCase()));
      return matches && item.year !== undefined && item.year >= 1990 && item.year <= 2009;
    };
    const excluded = new Set(['m1', 'm2', 'm7', 'm8'].map((id) => index.get(id)!));
    const expected = reference(history, [1, 1], [], (i) => !allowed(i) || excluded.has(i), 8);
    expect(expected.items.length).toBe(8);
    expect(ids(result.items)).toEqual(Array.from(expected.items, (i) => test.files.manifest.itemIds[i]));
    expect(result.items.every((item) => item.reason === undefined)).toBe(true);
  });

  it('pads with popular titles (reason "popular") when the filters leave fewer than count, never with excluded or seen ones', async () => {
    const genre = 'documentary';
    const matching = itemsOf(genre).map((item) => item.itemId);
    expect(matching.length).toBeGreaterThan(1);
    const history = [matching[0], 'm1'];
    const result = await recommender.recommend(
      request({
        history: history.map((itemId) => ({ itemId, weight: 1 })),
        filter: { genres: [genre] },
        count: matching.length + 5,
        exclude: ['m2'],
      }),
    );
    const personal = result.items.filter((item) => item.reason === undefined);
    const padded = result.items.filter((item) => item.reason === 'popular');
    expect(result.items).toHaveLength(matching.length + 5);
    // Every matching title but the seen one, ranked by the model, then the padding.
    expect(new Set(ids(personal))).toEqual(new Set(matching.slice(1)));
    expect(result.items.slice(0, personal.length).every((item) => item.reason === undefined)).toBe(true);
    expect(padded).toHaveLength(6);
    const forbidden = new Set([...history, 'm2', ...ids(personal)]);
    expect(padded.some((item) => forbidden.has(item.itemId))).toBe(false);
    // Padding is the most popular remaining titles, in order.
    const popularRest = test.files.items.items
      .filter((item) => !forbidden.has(item.itemId))
      .sort((a, b) => b.interactions - a.interactions || index.get(a.itemId)! - index.get(b.itemId)!)
      .slice(0, 6)
      .map((item) => item.itemId);
    expect(ids(padded)).toEqual(popularRest);
  });

  it('explains each title by the (at most 3) history titles with the largest positive contributions', async () => {
    const history = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    const weights = [1, 1.5, 0.25, 1, 0.5, 1];
    const result = await recommender.recommend(
      request({ history: history.map((itemId, j) => ({ itemId, weight: weights[j] })), explain: true, count: 5 }),
    );
    const seen = new Set(history.map((id) => index.get(id)!));
    const expected = reference(history, weights, [], (i) => seen.has(i), 5);
    const matrix = new Float32Array(history.length * 5);
    contributions(model, expected.history, expected.weights, expected.divisor, expected.items, matrix);
    result.items.forEach((item, t) => {
      const ranked = history
        .map((itemId, j) => ({ itemId, value: matrix[j * 5 + t] }))
        .filter((entry) => entry.value > 1e-6)
        .sort((a, b) => b.value - a.value)
        .slice(0, 3);
      expect(item.because?.map((b) => b.itemId)).toEqual(ranked.map((entry) => entry.itemId));
      item.because?.forEach((b, r) => {
        expect(b.contribution).toBeCloseTo(ranked[r].value, 4);
        expect(b.title).toBe(test.files.items.items[index.get(b.itemId)!].title);
      });
    });
  });

  it("adds the rating head's predicted stars", async () => {
    expect(recommender.hasRatings).toBe(true);
    const history = ['m1', 'm2', 'm3'];
    const result = await recommender.recommend(request({ history: history.map((itemId) => ({ itemId, weight: 1 })), count: 4 }));
    const items = Int32Array.from(result.items.map((item) => index.get(item.itemId)!));
    const stars = new Float32Array(items.length);
    predictRatings(model, Int32Array.from(history.map((id) => index.get(id)!)), Float32Array.of(1, 1, 1), items, stars);
    result.items.forEach((item, t) => expect(item.predictedRating).toBeCloseTo(stars[t], 4));
  });

  it('lets the newest entry of a title decide: a later dislike removes it from the history but keeps it seen', async () => {
    const result = await recommender.recommend(
      request({
        history: [
          { itemId: 'm1', weight: 1.5 },
          { itemId: 'm2', weight: 1 },
          { itemId: 'm1', weight: 0 },
        ],
        count: 10,
      }),
    );
    const expected = reference(['m2'], [1], [], (i) => i === index.get('m1') || i === index.get('m2'), 10);
    expect(ids(result.items)).toEqual(Array.from(expected.items, (i) => test.files.manifest.itemIds[i]));
    const withSeen = await recommender.recommend(
      request({
        history: [
          { itemId: 'm1', weight: 1.5 },
          { itemId: 'm2', weight: 1 },
          { itemId: 'm1', weight: 0 },
        ],
        count: 10,
        excludeSeen: false,
      }),
    );
    const expectedWithSeen = reference(['m2'], [1], [], () => false, 10);
    expect(ids(withSeen.items)).toEqual(Array.from(expectedWithSeen.items, (i) => test.files.manifest.itemIds[i]));
  });

  it('ignores and reports unknown history titles and preference values; with nothing usable it answers popular titles', async () => {
    const result = await recommender.recommend(
      request({ history: [{ itemId: 'no-such-title', weight: 1 }], preferences: { actor: 'Nobody Anyone', genre: ['  '] }, count: 5 }),
    );
    expect(result.personalized).toBe(false);
    expect(result.ignored).toEqual({ history: ['no-such-title'], preferences: [{ key: 'actor', value: 'Nobody Anyone' }] });
    expect(result.items.every((item) => item.reason === 'popular')).toBe(true);
    expect(ids(result.items)).toEqual(Array.from(recommender.catalog.popularOrder.subarray(0, 5), (i) => test.files.manifest.itemIds[i]));
    expect(result.items[0].score).toBe(1);
  });

  it('ranks candidates by the reference score, unknown candidates last with score 0, duplicates once', async () => {
    const history = ['m1', 'm2', 'm3'];
    const candidates = ['m10', 'm11', 'nope', 'm12', 'm13', 'm10', 'm1', 'm14'];
    const result = await recommender.rank({
      history: history.map((itemId) => ({ itemId, weight: 1 })),
      itemIds: candidates,
      explain: false,
    });
    const known = new Set(['m10', 'm11', 'm12', 'm13', 'm1', 'm14'].map((id) => index.get(id)!));
    const expected = reference(history, [1, 1, 1], [], (i) => !known.has(i), 6);
    expect(ids(result.items)).toEqual([...Array.from(expected.items, (i) => test.files.manifest.itemIds[i]), 'nope']);
    result.items.slice(0, 6).forEach((item, t) => expect(item.score).toBeCloseTo(expected.scores[t], 4));
    expect(result.items[6]).toEqual({ itemId: 'nope', score: 0, title: null, genres: [], year: null, reason: 'unknown_item' });
    expect(result.unknownItemIds).toEqual(['nope']);
  });

  it('finds similar titles as the reference cosine does, with filters, and undefined for an unknown item', async () => {
    const k = 6;
    const result = await recommender.similar({ itemId: 'm5', count: k, filter: { genres: [] }, exclude: ['m9'] });
    const top = new Int32Array(k);
    const scores = new Float32Array(k);
    similarItems(model, index.get('m5')!, k, top, scores, Int32Array.of(index.get('m9')!));
    expect(ids(result!.items)).toEqual(Array.from(top, (i) => test.files.manifest.itemIds[i]));
    result!.items.forEach((item, t) => expect(item.score).toBeCloseTo(scores[t], 4));

    const drama = await recommender.similar({ itemId: 'm5', count: 5, filter: { genres: ['drama'] }, exclude: [] });
    expect(drama!.items.every((item) => item.genres.some((g) => g.toLowerCase() === 'drama'))).toBe(true);
    expect(await recommender.similar({ itemId: 'nope', count: 5, filter: { genres: [] }, exclude: [] })).toBeUndefined();
  });
});
