import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ModelManifest } from '../../model/index.ts';
import { encodeServingItems, type ServingItemsFile } from './servingItems.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, modelFileKey, type CurrentModelPointer } from './storageLayout.ts';

export interface ModelVersionFiles {
  readonly manifest: ModelManifest;
  readonly recommendGraph: Uint8Array;
  readonly similarGraph: Uint8Array;
  readonly items: ServingItemsFile;
  /** Extra report files (metrics JSON, charts) stored beside the model. */
  readonly reports?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * Publishes a model version (items.json as columns: encodeServingItems): every file under
 * models/<version>/ first, models/current.json last, so a reader following the pointer never sees
 * a half-written version. With `movePointer: false` the version is uploaded but not made current.
 */
export async function publishModel(
  s3: S3Client,
  bucket: string,
  files: ModelVersionFiles,
  options: { movePointer?: boolean } = {},
): Promise<CurrentModelPointer> {
  const { version } = files.manifest;
  const put = (key: string, body: string | Uint8Array, contentType: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  await Promise.all([
    put(modelFileKey(version, MODEL_FILES.recommend), files.recommendGraph, 'application/octet-stream'),
    put(modelFileKey(version, MODEL_FILES.similar), files.similarGraph, 'application/octet-stream'),
    put(modelFileKey(version, MODEL_FILES.items), encodeServingItems(files.items), 'application/json'),
    ...Object.entries(files.reports ?? {}).map(([name, body]) =>
      put(
        modelFileKey(version, name),
        body,
        name.endsWith('.svg') ? 'image/svg+xml' : name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      ),
    ),
  ]);
  const manifestText = `${JSON.stringify(files.manifest, null, 2)}\n`;
  await put(modelFileKey(version, MODEL_FILES.manifest), manifestText, 'application/json');
  const pointer: CurrentModelPointer = { version, sha256: createHash('sha256').update(manifestText).digest('hex') };
  if (options.movePointer ?? true) await put(CURRENT_MODEL_KEY, JSON.stringify(pointer), 'application/json');
  return pointer;
}
