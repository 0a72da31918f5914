import onnxProto from 'onnx-proto';
import { ExportError } from '../errors.ts';
import { checkScoringModel } from '../recommender/scoreHistory.ts';
import type { RatingHead, ScoringModel } from '../types/scoringModel.ts';
import { RECOMMEND_GRAPH } from './constants.ts';
import { ELEMENT_TYPES } from './graphBuilder.ts';
import { float16ToFloat32 } from './float16.ts';
import { float32FromLittleEndian, float64FromLittleEndian, uint16FromLittleEndian } from './littleEndian.ts';

const { onnx } = onnxProto;
type Tensor = onnxProto.onnx.ITensorProto;

/**
 * Reads the ScoringModel back from the bytes of a recommend graph written by
 * `exportRecommendGraph` (its initializers are the model), so a saved-then-loaded model scores
 * identically. Float16 initializers (the item matrices) are decoded to float32 exactly: the result
 * is `exportedScoringModel` of the model that was exported. Throws ExportError when the bytes are
 * not such a graph.
 */
export function readScoringModel(recommendBytes: Uint8Array): ScoringModel {
  let decoded: onnxProto.onnx.ModelProto;
  try {
    decoded = onnx.ModelProto.decode(recommendBytes);
  } catch (error) {
    throw new ExportError(`not an ONNX model: ${(error as Error).message}`, { cause: error });
  }
  const initializers = new Map<string, Tensor>();
  for (const tensor of decoded.graph?.initializer ?? []) {
    if (tensor.name) initializers.set(tensor.name, tensor);
  }
  if (initializers.size === 0) throw new ExportError('not a Marquee recommend graph: it has no initializers');
  const names = RECOMMEND_GRAPH.initializers;
  const find = (name: string): Tensor => {
    const tensor = initializers.get(name);
    if (!tensor) throw new ExportError(`not a Marquee recommend graph: initializer ${name} is missing`);
    return tensor;
  };

  const itemVectors = readFloats(find(names.itemVectors), 2);
  const [itemCount, dim] = itemVectors.shape;
  const historyVectors = readFloats(find(names.historyVectors), 2);
  const preferenceVectors = readFloats(find(names.preferenceVectors), 2);
  const itemBias = readFloats(find(names.itemBias), 1);
  expectShape(names.historyVectors, historyVectors.shape, [itemCount, dim]);
  expectShape(names.preferenceVectors, preferenceVectors.shape, [preferenceVectors.shape[0], dim]);
  expectShape(names.itemBias, itemBias.shape, [itemCount]);

  const ratingNames = [names.ratingGlobalMean, names.ratingItemBias, names.ratingItemFactors, names.ratingHistoryFactors];
  const ratingPresent = ratingNames.filter((name) => initializers.has(name));
  let rating: RatingHead | undefined;
  if (ratingPresent.length === ratingNames.length) {
    const factors = readFloats(find(names.ratingItemFactors), 2);
    const ratingDim = factors.shape[1];
    const historyFactors = readFloats(find(names.ratingHistoryFactors), 2);
    const bias = readFloats(find(names.ratingItemBias), 1);
    expectShape(names.ratingItemFactors, factors.shape, [itemCount, ratingDim]);
    expectShape(names.ratingHistoryFactors, historyFactors.shape, [itemCount, ratingDim]);
    expectShape(names.ratingItemBias, bias.shape, [itemCount]);
    rating = {
      dim: ratingDim,
      globalMean: readScalar(find(names.ratingGlobalMean)),
      itemBias: bias.values,
      itemFactors: factors.values,
      historyFactors: historyFactors.values,
    };
  } else if (ratingPresent.length > 0) {
    throw new ExportError(`malformed recommend graph: the rating head is incomplete (has only ${ratingPresent.join(', ')})`);
  }

  let featureItemVectors: Float32Array | undefined;
  if (initializers.has(names.featureItemVectors)) {
    const rows = readFloats(find(names.featureItemVectors), 2);
    expectShape(names.featureItemVectors, rows.shape, [preferenceVectors.shape[0], dim]);
    featureItemVectors = rows.values;
  }
  const newItemBias = initializers.has(names.newItemBias) ? readScalar(find(names.newItemBias)) : undefined;

  const model: ScoringModel = {
    dim,
    itemCount,
    featureCount: preferenceVectors.shape[0],
    historyVectors: historyVectors.values,
    preferenceVectors: preferenceVectors.values,
    itemVectors: itemVectors.values,
    itemBias: itemBias.values,
    historyExponent: readScalar(find(names.historyExponent)),
    preferenceWeight: readScalar(find(names.preferenceWeight)),
    ...(rating ? { rating } : {}),
    ...(featureItemVectors ? { featureItemVectors } : {}),
    ...(newItemBias === undefined ? {} : { newItemBias }),
  };
  try {
    checkScoringModel(model);
  } catch (error) {
    throw new ExportError(`malformed recommend graph: ${(error as Error).message}`, { cause: error });
  }
  return model;
}

function readFloats(tensor: Tensor, rank: number): { shape: number[]; values: Float32Array } {
  const shape = dimsOf(tensor, rank);
  const half = tensor.dataType === ELEMENT_TYPES.float16;
  if (tensor.dataType !== ELEMENT_TYPES.float && !half) {
    throw new ExportError(`initializer ${tensor.name} is neither float32 nor float16 (data type ${tensor.dataType})`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const width = half ? 2 : 4;
  let values: Float32Array;
  if (tensor.rawData && tensor.rawData.length > 0) {
    if (tensor.rawData.length !== count * width) {
      throw new ExportError(`initializer ${tensor.name}: ${tensor.rawData.length} bytes of data for shape [${shape.join(', ')}]`);
    }
    values = half ? float16ToFloat32(uint16FromLittleEndian(tensor.rawData)) : float32FromLittleEndian(tensor.rawData);
  } else {
    // Without raw data, ONNX keeps float16 bit patterns in int32_data, one per element.
    values = half ? float16ToFloat32(Uint16Array.from(tensor.int32Data ?? [])) : Float32Array.from(tensor.floatData ?? []);
    if (values.length !== count)
      throw new ExportError(`initializer ${tensor.name}: ${values.length} values for shape [${shape.join(', ')}]`);
  }
  return { shape, values };
}

function readScalar(tensor: Tensor): number {
  dimsOf(tensor, 0);
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  let values: ArrayLike<number>;
  if (tensor.dataType === ELEMENT_TYPES.double) {
    values = raw ? (raw.length === 8 ? float64FromLittleEndian(raw) : []) : (tensor.doubleData ?? []);
  } else if (tensor.dataType === ELEMENT_TYPES.float) {
    values = raw ? (raw.length === 4 ? float32FromLittleEndian(raw) : []) : (tensor.floatData ?? []);
  } else {
    throw new ExportError(`initializer ${tensor.name} is not a float scalar (data type ${tensor.dataType})`);
  }
  if (values.length !== 1) throw new ExportError(`initializer ${tensor.name} must hold exactly one value`);
  return values[0];
}

function dimsOf(tensor: Tensor, rank: number): number[] {
  const dims = (tensor.dims ?? []).map((d) => (typeof d === 'number' ? d : d.toNumber()));
  if (dims.length !== rank || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ExportError(`initializer ${tensor.name} has shape [${dims.join(', ')}], expected rank ${rank}`);
  }
  return dims;
}

function expectShape(name: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ExportError(`initializer ${name} has shape [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}
