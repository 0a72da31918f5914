import { createHash } from 'node:crypto';
import type { ModelVersionDownload } from '../commons/modelSource.ts';
import { MODEL_FILES } from '../commons/storageLayout.ts';

/** Size and lower-case hex sha256 of one file of a model version. */
export interface ModelFileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/** What a client needs to download the served model and check it: the files a device runs. */
export interface ModelFileSet {
  readonly version: string;
  readonly model: ModelFileDigest;
  readonly manifest: ModelFileDigest;
  readonly items: ModelFileDigest;
}

/** The files' sizes and hashes need items.json downloaded once per version (the manifest does not list it). */
export const MODEL_FILE_SET_FILES = [MODEL_FILES.items] as const;

/**
 * A version's file set: model.onnx as the manifest lists it, the manifest as the pointer names it
 * (its size is what was downloaded besides items.json), items.json hashed here.
 */
export async function readModelFileSet(version: ModelVersionDownload): Promise<ModelFileSet> {
  const items = await version.file(MODEL_FILES.items);
  const { bytes } = await version.settled;
  const model = version.manifest.files['model.onnx'];
  return {
    version: version.pointer.version,
    model: { bytes: model.bytes, sha256: model.sha256 },
    manifest: { bytes: bytes - items.length, sha256: version.pointer.sha256 },
    items: { bytes: items.length, sha256: createHash('sha256').update(items).digest('hex') },
  };
}
