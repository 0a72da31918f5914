import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportError } from '../errors.ts';
import type { ScoringModel } from '../types/scoringModel.ts';
import { exportedScoringModel, exportRecommendGraph } from './exportRecommendGraph.ts';
import { exportSimilarGraph } from './exportSimilarGraph.ts';
import { buildManifest, type ManifestInput, type ModelManifest } from './manifest.ts';

export const MANIFEST_FILE_NAME = 'manifest.json';

export interface ModelFilesInput<HyperParameters extends object, Metrics extends object> {
  readonly model: ScoringModel;
  readonly manifestFields: Omit<ManifestInput<HyperParameters, Metrics>, 'files'>;
}

/**
 * Exports `model` (as exportedScoringModel: what a reader of model.onnx gets back) and writes
 * `dir`/model.onnx, `dir`/similar.onnx and, last, `dir`/manifest.json (so a reader that sees the
 * manifest sees complete files). Returns the manifest. Throws
 * ExportError when `itemIds` / `vocabulary` do not match the model's item / feature counts.
 */
export async function writeModelFiles<HyperParameters extends object, Metrics extends object>(
  dir: string,
  { model, manifestFields }: ModelFilesInput<HyperParameters, Metrics>,
): Promise<ModelManifest<HyperParameters, Metrics>> {
  if (manifestFields.itemIds.length !== model.itemCount) {
    throw new ExportError(`manifest: ${manifestFields.itemIds.length} item ids for a model of ${model.itemCount} items`);
  }
  if (manifestFields.vocabulary.length !== model.featureCount) {
    throw new ExportError(`manifest: ${manifestFields.vocabulary.length} feature names for a model of ${model.featureCount} features`);
  }
  const meta = { properties: { 'marquee.version': manifestFields.version } };
  // Both graphs from the model as model.onnx stores it (item matrices rounded to float16), so the
  // similar lists of model titles (similar.onnx) and of new titles (scored in TypeScript from
  // model.onnx read back) come from the same item vectors.
  const exported = exportedScoringModel(model);
  const files = {
    'model.onnx': exportRecommendGraph(exported, meta),
    'similar.onnx': exportSimilarGraph(exported, meta),
  };
  const manifest = buildManifest({ ...manifestFields, files });
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, MANIFEST_FILE_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
