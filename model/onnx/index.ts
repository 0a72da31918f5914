export { ONNX_IR_VERSION, ONNX_OPSET, ONNX_PRODUCER_NAME, RECOMMEND_GRAPH, SIMILAR_GRAPH } from './constants.ts';
export { exportRecommendGraph, exportedScoringModel } from './exportRecommendGraph.ts';
export { float16ToFloat32, float32ToFloat16, roundToFloat16 } from './float16.ts';
export { exportSimilarGraph } from './exportSimilarGraph.ts';
export type { ModelMetadata } from './graphBuilder.ts';
export { readScoringModel } from './readScoringModel.ts';
export {
  buildManifest,
  verifyFile,
  MANIFEST_FORMAT_VERSION,
  MODEL_FILE_NAMES,
  type ManifestInput,
  type ModelFileEntry,
  type ModelFileName,
  type ModelManifest,
  type TrainingDataSummary,
} from './manifest.ts';
export { writeModelFiles, MANIFEST_FILE_NAME, type ModelFilesInput } from './writeModelFiles.ts';
export { OnnxRecommender, type RecommendInput, type RecommendResult } from './onnxRecommender.ts';
