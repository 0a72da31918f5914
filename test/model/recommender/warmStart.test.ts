import { describe, expect, it } from 'vitest';
import {
  addEvent,
  buildTrainingData,
  generateDemoCatalog,
  InteractionTableBuilder,
  newItemVector,
  Random,
  ShapeError,
  trainRecommender,
  warmStartParameters,
  type CatalogItem,
  type ScoringModel,
  type TrainedRecommender,
} from '../../../model/index.ts';

const SMALL = { dim: 16, maxEpochs: 12, patience: 3, batchUsers: 16, learningRate: 0.01 };

/** The served model: trained on the demo catalog's events. */
function served(): {
  trained: TrainedRecommender;
  items: CatalogItem[];
  builder: InteractionTableBuilder;
  itemIds: readonly string[];
  vocabulary: readonly string[];
} {
  const demo = generateDemoCatalog({ seed: 5, items: 120, users: 100 });
  const builder = new InteractionTableBuilder();
  for (const event of demo.events) addEvent(builder, event);
  const data = buildTrainingData(builder.build(), demo.items);
  return {
    trained: trainRecommender(data, { hyperParameters: SMALL }),
    items: demo.items,
    builder,
    itemIds: data.itemIds,
    vocabulary: data.vocabulary,
  };
}

function row(matrix: Float32Array, index: number, dim: number): number[] {
  return Array.from(matrix.subarray(index * dim, (index + 1) * dim));
}

function expectRowsClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (let c = 0; c < expected.length; c++) expect(actual[c]).toBeCloseTo(expected[c], 5);
}

describe('warmStartParameters', () => {
  const source = served();
  const model: ScoringModel = source.trained.model;
  const dim = model.dim;
  const genre = source.items[0].genres[0];
  // A new title with known features only, and one with a feature nobody had before.
  const known: CatalogItem = { itemId: 'new-known', title: 'New', genres: [genre], cast: [], directors: [], tags: [] };
  const novel: CatalogItem = { itemId: 'new-novel', title: 'Novel', genres: [], cast: [], directors: [], tags: ['never seen before'] };
  // The new data lists the titles in another order (ids decide, not positions).
  const itemIds = [known.itemId, ...[...source.itemIds].reverse(), novel.itemId];
  const data = buildTrainingData(source.builder.build(), [...source.items, known, novel], { itemIds });
  const warm = warmStartParameters({ model, itemIds: source.itemIds, vocabulary: source.vocabulary }, data, dim, new Random(1), 0.05);
  const start = warm.parameters.toScoringModel(data.itemFeatureOffsets, data.itemFeatures, model.historyExponent, model.preferenceWeight);
  const oldItem = new Map(source.itemIds.map((id, i) => [id, i]));
  const oldFeature = new Map(source.vocabulary.map((name, f) => [name, f]));

  it('counts the rows it found and the new ones', () => {
    expect(warm).toMatchObject({ items: source.itemIds.length, newItems: 2, features: source.vocabulary.length, newFeatures: 1 });
  });

  it('gives every known title its served history and item vectors and its bias, by id', () => {
    for (let i = 0; i < data.itemIds.length; i++) {
      const from = oldItem.get(data.itemIds[i]);
      if (from === undefined) continue;
      expectRowsClose(row(start.historyVectors, i, dim), row(model.historyVectors, from, dim));
      expectRowsClose(row(start.itemVectors, i, dim), row(model.itemVectors, from, dim));
      expect(start.itemBias[i]).toBe(model.itemBias[from]);
    }
  });

  it('keeps every known feature’s preference and output rows, by name', () => {
    for (let f = 0; f < data.vocabulary.length; f++) {
      const from = oldFeature.get(data.vocabulary[f]);
      if (from === undefined) continue;
      expect(row(start.preferenceVectors, f, dim)).toEqual(row(model.preferenceVectors, from, dim));
      expect(row(start.featureItemVectors!, f, dim)).toEqual(row(model.featureItemVectors!, from, dim));
    }
  });

  it('starts a new title from its content features, as the served model scores it', () => {
    const i = data.itemIds.indexOf(known.itemId);
    const expected = new Float32Array(dim);
    const bias = newItemVector(model, Int32Array.of(oldFeature.get(`genre:${genre.toLowerCase()}`)!), expected);
    expectRowsClose(row(start.itemVectors, i, dim), Array.from(expected));
    expect(start.itemBias[i]).toBeCloseTo(bias, 6);
    expect(row(warm.parameters.itemInput, i, dim).every((v) => v === 0)).toBe(true);
    expect(row(warm.parameters.itemOutput, i, dim).every((v) => v === 0)).toBe(true);
  });

  it('starts a new feature from small random rows, and the title that has it from them', () => {
    const f = data.vocabulary.indexOf('tag:never seen before');
    expect(f).toBeGreaterThanOrEqual(0);
    const fresh = row(warm.parameters.featureOutput, f, dim);
    expect(fresh.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...fresh.map(Math.abs))).toBeLessThan(0.5);
    expectRowsClose(row(start.itemVectors, data.itemIds.indexOf(novel.itemId), dim), fresh);
  });

  it('refuses a model of another dimension', () => {
    expect(() =>
      warmStartParameters({ model, itemIds: source.itemIds, vocabulary: source.vocabulary }, data, dim * 2, new Random(1), 0.05),
    ).toThrow(ShapeError);
  });

  it.each(['full', 'sampled'] as const)(
    'is where training starts (%s objective): one warm epoch stays closer to the served model than one cold epoch',
    (objective) => {
      const one = { ...SMALL, objective, maxEpochs: 1, validationFraction: 0, parameterAverage: 0 };
      const warmOne = trainRecommender(data, { hyperParameters: one, initialParameters: warm.parameters });
      const coldOne = trainRecommender(data, { hyperParameters: one });
      const distance = (candidate: ScoringModel): number => {
        let sum = 0;
        for (let i = 0; i < data.itemIds.length; i++) {
          const from = oldItem.get(data.itemIds[i]);
          if (from === undefined) continue;
          for (let c = 0; c < dim; c++) sum += (candidate.itemVectors[i * dim + c] - model.itemVectors[from * dim + c]) ** 2;
        }
        return sum;
      };
      expect(distance(warmOne.model)).toBeLessThan(distance(coldOne.model) / 4);
    },
  );

  it('rejects initial parameters of another shape', () => {
    expect(() => trainRecommender(data, { hyperParameters: SMALL, initialParameters: source.trained.parameters })).toThrow(ShapeError);
  });
});
