import { ShapeError } from '../errors.ts';
import type { Random } from '../random.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import type { TrainingData } from '../types/trainingData.ts';
import { RecommenderParameters } from './recommenderParameters.ts';

/** A trained model with the ids of its rows (a published model: model.onnx read back and its manifest). */
export interface WarmStartSource {
  readonly model: ScoringModel;
  readonly itemIds: readonly string[];
  readonly vocabulary: readonly string[];
}

/** The starting parameters and how many rows came from the source. */
export interface WarmStart {
  readonly parameters: RecommenderParameters;
  /** Titles and features of the new data found in the source. */
  readonly items: number;
  readonly features: number;
  /** Titles and features the source does not hold. */
  readonly newItems: number;
  readonly newFeatures: number;
}

/**
 * Starting parameters for training on `data` from a model trained before (the served one), so a
 * retrain continues where the last one ended instead of from noise:
 *
 * - a feature in both vocabularies keeps its rows (input: preferenceVectors, output:
 *   featureItemVectors); a new feature starts as a cold training does (Gaussian, `initScale`);
 * - a title in both keeps its composed vectors: its id rows are set so that id row + mean of its
 *   (new) features' rows equals the source's history and item vectors, and it keeps its bias;
 * - a new title starts from its content features alone (id rows 0, bias = the source's
 *   newItemBias), which is how the source itself scores a title it has never seen (newItemVector).
 *
 * Throws ShapeError when the dimensions differ or the source has no output-side feature rows
 * (models exported before they existed); the caller then starts cold.
 */
export function warmStartParameters(
  source: WarmStartSource,
  data: Pick<TrainingData, 'itemIds' | 'vocabulary' | 'itemFeatureOffsets' | 'itemFeatures'>,
  dim: number,
  rng: Random,
  initScale: number,
): WarmStart {
  const { model } = source;
  if (model.dim !== dim) throw new ShapeError(`warm start: the source model has dimension ${model.dim}, training uses ${dim}`);
  if (!model.featureItemVectors || model.newItemBias === undefined)
    throw new ShapeError('warm start: the source model has no featureItemVectors / newItemBias');
  if (source.itemIds.length !== model.itemCount || source.vocabulary.length !== model.featureCount) {
    throw new ShapeError(
      `warm start: ${source.itemIds.length} ids and ${source.vocabulary.length} names for a model of ${model.itemCount} items and ${model.featureCount} features`,
    );
  }
  const itemCount = data.itemIds.length;
  const featureCount = data.vocabulary.length;
  const parameters = new RecommenderParameters(dim, itemCount, featureCount);
  const { itemInput, itemOutput, featureInput, featureOutput, itemBias } = parameters;

  const sourceFeature = new Map<string, number>();
  source.vocabulary.forEach((name, f) => sourceFeature.set(name, f));
  let features = 0;
  for (let f = 0; f < featureCount; f++) {
    const from = sourceFeature.get(data.vocabulary[f]);
    const o = f * dim;
    if (from === undefined) {
      for (let c = 0; c < dim; c++) featureInput[o + c] = rng.nextGaussian() * initScale;
      for (let c = 0; c < dim; c++) featureOutput[o + c] = rng.nextGaussian() * initScale;
      continue;
    }
    features++;
    featureInput.set(model.preferenceVectors.subarray(from * dim, (from + 1) * dim), o);
    featureOutput.set(model.featureItemVectors.subarray(from * dim, (from + 1) * dim), o);
  }

  const sourceItem = new Map<string, number>();
  source.itemIds.forEach((id, i) => sourceItem.set(id, i));
  let items = 0;
  for (let i = 0; i < itemCount; i++) {
    const from = sourceItem.get(data.itemIds[i]);
    const o = i * dim;
    if (from === undefined) {
      // Id rows stay 0: the title is its features' mean, as the source scores an unseen title.
      itemBias[i] = model.newItemBias;
      continue;
    }
    items++;
    const so = from * dim;
    for (let c = 0; c < dim; c++) {
      itemInput[o + c] = model.historyVectors[so + c];
      itemOutput[o + c] = model.itemVectors[so + c];
    }
    // Subtract the features' share, accumulated as composeItemVectors adds it.
    const start = data.itemFeatureOffsets[i];
    const end = data.itemFeatureOffsets[i + 1];
    if (end > start) {
      const share = 1 / (end - start);
      for (let p = start; p < end; p++) {
        const fo = data.itemFeatures[p] * dim;
        for (let c = 0; c < dim; c++) {
          itemInput[o + c] -= share * featureInput[fo + c];
          itemOutput[o + c] -= share * featureOutput[fo + c];
        }
      }
    }
    itemBias[i] = model.itemBias[from];
  }
  return { parameters, items, features, newItems: itemCount - items, newFeatures: featureCount - features };
}
