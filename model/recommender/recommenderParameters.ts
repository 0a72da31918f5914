import { ShapeError } from '../errors.ts';
import type { Random } from '../random.ts';
import type { ScoringModel } from '../types/scoringModel.ts';

/**
 * Every trainable number of the ranking model in one flat Float32Array, so that the optimiser,
 * snapshots and gradient buffers are single typed arrays; the named fields are views into it.
 *
 *   input side:  history vector of item j  h_j = itemInput[j] + mean_{f ∈ F(j)} featureInput[f]
 *                a stated preference f      featureInput[f]
 *   output side: item vector of item i     v_i = itemOutput[i] + mean_{f ∈ F(i)} featureOutput[f]
 *                item bias                  itemBias[i]
 *
 * Content features on both sides let a title with metadata but no interactions be scored and
 * found similar, and let preferences ("genre: action") move the user vector like watched titles.
 */
export class RecommenderParameters {
  readonly dim: number;
  readonly itemCount: number;
  readonly featureCount: number;
  readonly values: Float32Array;
  readonly itemInput: Float32Array;
  readonly featureInput: Float32Array;
  readonly itemOutput: Float32Array;
  readonly featureOutput: Float32Array;
  readonly itemBias: Float32Array;

  constructor(dim: number, itemCount: number, featureCount: number, values?: Float32Array) {
    if (!(dim > 0) || !(itemCount > 0) || !(featureCount >= 0)) {
      throw new ShapeError(`bad parameter shape: dim ${dim}, items ${itemCount}, features ${featureCount}`);
    }
    this.dim = dim;
    this.itemCount = itemCount;
    this.featureCount = featureCount;
    const size = RecommenderParameters.size(dim, itemCount, featureCount);
    if (values && values.length !== size) throw new ShapeError(`expected ${size} parameters, got ${values.length}`);
    this.values = values ?? new Float32Array(size);
    const itemBlock = itemCount * dim;
    const featureBlock = featureCount * dim;
    let offset = 0;
    const take = (n: number): Float32Array => {
      const view = this.values.subarray(offset, offset + n);
      offset += n;
      return view;
    };
    this.itemInput = take(itemBlock);
    this.featureInput = take(featureBlock);
    this.itemOutput = take(itemBlock);
    this.featureOutput = take(featureBlock);
    this.itemBias = take(itemCount);
  }

  static size(dim: number, itemCount: number, featureCount: number): number {
    return 2 * (itemCount + featureCount) * dim + itemCount;
  }

  /** A zero-filled array of the same layout (gradients, optimiser moments). */
  like(): RecommenderParameters {
    return new RecommenderParameters(this.dim, this.itemCount, this.featureCount);
  }

  /** Gaussian initial embeddings with standard deviation `scale`; biases start at 0. */
  initialise(rng: Random, scale: number): void {
    const embeddings = this.values.length - this.itemCount;
    for (let p = 0; p < embeddings; p++) this.values[p] = rng.nextGaussian() * scale;
    this.itemBias.fill(0);
  }

  /** Writes h (history vectors) or v (item vectors): rows of `ids` plus the mean of their features' rows. */
  static composeItemVectors(
    dim: number,
    itemRows: Readonly<Float32Array>,
    featureRows: Readonly<Float32Array>,
    featureOffsets: Readonly<Int32Array>,
    features: Readonly<Int32Array>,
    out: Float32Array,
  ): void {
    const itemCount = featureOffsets.length - 1;
    for (let i = 0; i < itemCount; i++) {
      const o = i * dim;
      for (let c = 0; c < dim; c++) out[o + c] = itemRows[o + c];
      const start = featureOffsets[i];
      const end = featureOffsets[i + 1];
      if (end === start) continue;
      const share = 1 / (end - start);
      for (let p = start; p < end; p++) {
        const fo = features[p] * dim;
        for (let c = 0; c < dim; c++) out[o + c] += share * featureRows[fo + c];
      }
    }
  }

  /**
   * The scoring form of these parameters (history and item vectors materialised), with the
   * output-side feature rows and `newItemBias` (default: the mean of every item's bias; the trainer
   * passes the mean over the titles seen in training) that score titles added after training.
   */
  toScoringModel(
    itemFeatureOffsets: Readonly<Int32Array>,
    itemFeatures: Readonly<Int32Array>,
    historyExponent: number,
    preferenceWeight: number,
    newItemBias?: number,
  ): ScoringModel {
    const { dim, itemCount, featureCount } = this;
    if (itemFeatureOffsets.length !== itemCount + 1) {
      throw new ShapeError(`itemFeatureOffsets has ${itemFeatureOffsets.length} entries, expected ${itemCount + 1}`);
    }
    const historyVectors = new Float32Array(itemCount * dim);
    const itemVectors = new Float32Array(itemCount * dim);
    RecommenderParameters.composeItemVectors(dim, this.itemInput, this.featureInput, itemFeatureOffsets, itemFeatures, historyVectors);
    RecommenderParameters.composeItemVectors(dim, this.itemOutput, this.featureOutput, itemFeatureOffsets, itemFeatures, itemVectors);
    return {
      dim,
      itemCount,
      featureCount,
      historyVectors,
      preferenceVectors: this.featureInput.slice(),
      itemVectors,
      itemBias: this.itemBias.slice(),
      historyExponent,
      preferenceWeight,
      featureItemVectors: this.featureOutput.slice(),
      newItemBias: newItemBias ?? meanOf(this.itemBias),
    };
  }
}

function meanOf(values: Readonly<Float32Array>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length > 0 ? sum / values.length : 0;
}
