import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import { newItemVector } from '../../../model/recommender/newItemVector.ts';
import { RecommenderParameters } from '../../../model/recommender/recommenderParameters.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { scoreItems, userVector } from '../../../model/recommender/scoreHistory.ts';
import { trainRecommender } from '../../../model/recommender/trainRecommender.ts';
import { demoTrainingData } from '../../helpers/demoTrainingData.ts';

const TOLERANCE = 1e-6;

function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let sum = 0;
  for (let c = 0; c < a.length; c++) sum += a[c] * b[bOffset + c];
  return sum;
}

describe('newItemVector', () => {
  it('gives a new title the vector and score the model gives an existing title with the same features and zero id rows', () => {
    const dim = 6;
    const itemCount = 5;
    const featureCount = 7;
    const params = new RecommenderParameters(dim, itemCount, featureCount);
    params.initialise(new Random(21), 0.5);
    for (let i = 0; i < itemCount; i++) params.itemBias[i] = 0.1 * (i + 1);
    // Item 3 has features 1, 4, 6 and zero id rows (as the trainer leaves a title without interactions).
    params.itemOutput.fill(0, 3 * dim, 4 * dim);
    params.itemInput.fill(0, 3 * dim, 4 * dim);
    const offsets = Int32Array.of(0, 2, 3, 3, 6, 7);
    const features = Int32Array.of(0, 2, 5, 1, 4, 6, 3);
    const model = params.toScoringModel(offsets, features, 0.7, 1.2, params.itemBias[3]);

    const vector = new Float32Array(dim);
    const bias = newItemVector(model, Int32Array.of(1, 4, 6), vector);
    expect(bias).toBeCloseTo(params.itemBias[3], 7);
    for (let c = 0; c < dim; c++) expect(vector[c]).toBeCloseTo(model.itemVectors[3 * dim + c], 6);

    const user = new Float32Array(dim);
    userVector(model, Int32Array.of(0, 2), Float32Array.of(1, 0.5), Int32Array.of(5), user);
    const scores = new Float32Array(itemCount);
    scoreItems(model, user, scores);
    expect(Math.abs(dot(user, vector) + bias - scores[3])).toBeLessThanOrEqual(TOLERANCE);
  });

  it('scores a title the trainer saw no interaction of exactly like the same title added after training', () => {
    const base = demoTrainingData().items;
    const template = base.find((item) => item.genres.length >= 2 && item.cast.length > 0) ?? base[0];
    const cold = { ...template, itemId: 'cold-title', title: 'A Cold Title' };
    const { data } = demoTrainingData({ extraItems: [cold] });
    const index = data.itemIds.indexOf('cold-title');
    expect(data.userItems.includes(index)).toBe(false);
    const { model } = trainRecommender(data, { hyperParameters: { dim: 8, maxEpochs: 2, validationFraction: 0, batchUsers: 32 } });
    expect(model.featureItemVectors).toHaveLength(model.featureCount * model.dim);

    // The mean bias of the titles seen in training.
    const seen = new Set(data.userItems);
    let sum = 0;
    for (const i of seen) sum += model.itemBias[i];
    expect(model.newItemBias).toBeCloseTo(sum / seen.size, 5);

    const featureIds = data.itemFeatures.subarray(data.itemFeatureOffsets[index], data.itemFeatureOffsets[index + 1]);
    expect(featureIds.length).toBeGreaterThan(1);
    const vector = new Float32Array(model.dim);
    const bias = newItemVector(model, featureIds, vector);
    const user = new Float32Array(model.dim);
    const scores = new Float32Array(model.itemCount);
    const random = new Random(4);
    for (let trial = 0; trial < 5; trial++) {
      const history = Int32Array.from({ length: 1 + random.nextInt(8) }, () => random.nextInt(model.itemCount));
      userVector(
        model,
        history,
        Float32Array.from(history, () => 0.5 + random.next()),
        new Int32Array(0),
        user,
      );
      scoreItems(model, user, scores);
      expect(Math.abs(dot(user, vector) + bias - scores[index])).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(scores[index])));
    }
  });

  it('gives a title without known features the zero vector and the new-item bias', () => {
    const model = {
      ...randomScoringModel({ items: 4, features: 3, dim: 5, seed: 2 }),
      featureItemVectors: new Float32Array(15).fill(1),
      newItemBias: -0.25,
    };
    const out = new Float32Array(5).fill(9);
    expect(newItemVector(model, new Int32Array(0), out)).toBe(-0.25);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a model without the new-title fields, a feature index out of range, or an out of the wrong length', () => {
    const plain = randomScoringModel({ items: 4, features: 3, dim: 5, seed: 2 });
    expect(() => newItemVector(plain, Int32Array.of(0), new Float32Array(5))).toThrow(ShapeError);
    const model = { ...plain, featureItemVectors: new Float32Array(15), newItemBias: 0 };
    expect(() => newItemVector(model, Int32Array.of(3), new Float32Array(5))).toThrow(ShapeError);
    expect(() => newItemVector(model, Int32Array.of(-1), new Float32Array(5))).toThrow(ShapeError);
    expect(() => newItemVector(model, Int32Array.of(0), new Float32Array(4))).toThrow(ShapeError);
  });
});
