import type { S3Client } from '@aws-sdk/client-s3';
import type { ModelManifest } from '../../model/onnx/manifest.ts';
import { readScoringModel } from '../../model/onnx/readScoringModel.ts';
import { ModelError } from '../../model/errors.ts';
import type { ScoringModel } from '../../model/types/scoringModel.ts';
import { InvalidModelError, NoModelPublishedError } from '../commons/modelErrors.ts';
import { fetchModelVersion, readModelPointer } from '../commons/modelSource.ts';
import { MODEL_FILES, type CurrentModelPointer } from '../commons/storageLayout.ts';

/** The model models/current.json points at, as the gate needs it. */
export type ServedModel =
  | { readonly kind: 'none' }
  /** The pointer exists but the version cannot be read (corrupt, mismatched): serving cannot load it either. */
  | { readonly kind: 'unreadable'; readonly version?: string; readonly reason: string }
  | { readonly kind: 'loaded'; readonly pointer: CurrentModelPointer; readonly manifest: ModelManifest; readonly model: ScoringModel };

/**
 * Reads the served version the way serving does (pointer → manifest → model.onnx, each checked by
 * sha256; functions/commons/modelSource.ts) and its ScoringModel back from the graph's initializers.
 * Transient failures (S3 errors) are thrown: a run must not publish without comparing.
 */
export async function readServedModel(s3: S3Client, bucket: string): Promise<ServedModel> {
  let pointer: CurrentModelPointer;
  try {
    ({ pointer } = await readModelPointer({ s3, bucket }));
  } catch (error) {
    if (error instanceof NoModelPublishedError) return { kind: 'none' };
    if (error instanceof InvalidModelError) return { kind: 'unreadable', reason: error.message };
    throw error;
  }
  try {
    const fetched = await fetchModelVersion({ s3, bucket }, pointer, [MODEL_FILES.recommend]);
    const bytes = fetched.files.get(MODEL_FILES.recommend);
    if (!bytes) return { kind: 'unreadable', version: pointer.version, reason: `model ${pointer.version} has no ${MODEL_FILES.recommend}` };
    const model = readScoringModel(bytes);
    const { itemIds, vocabulary } = fetched.manifest;
    if (model.itemCount !== itemIds.length || model.featureCount !== vocabulary.length) {
      return {
        kind: 'unreadable',
        version: pointer.version,
        reason:
          `model ${pointer.version}: ${model.itemCount} items and ${model.featureCount} features in the graph, ` +
          `${itemIds.length} and ${vocabulary.length} in the manifest`,
      };
    }
    return { kind: 'loaded', pointer, manifest: fetched.manifest, model };
  } catch (error) {
    if (error instanceof InvalidModelError || error instanceof ModelError) {
      return { kind: 'unreadable', version: pointer.version, reason: (error as Error).message };
    }
    throw error;
  }
}
