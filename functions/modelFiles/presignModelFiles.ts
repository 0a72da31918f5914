import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { REPORT_FILES } from '../commons/modelVersions.ts';
import { MODEL_FILES, modelFileKey } from '../commons/storageLayout.ts';
import type { ModelFileDigest, ModelFileSet } from './modelFileSet.ts';

export interface ModelFileLink extends ModelFileDigest {
  readonly url: string;
}

/** The body of GET /v1/model/files. */
export interface ModelFilesResponse {
  readonly modelVersion: string;
  /** ISO-8601 time after which the URLs stop working. */
  readonly expiresAt: string;
  readonly files: { readonly model: ModelFileLink; readonly manifest: ModelFileLink; readonly items: ModelFileLink };
  /** The retrain report's training chart (SVG) of this version; absent from versions published without one. */
  readonly chartUrl: string;
}

export interface PresignOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly expiresInSeconds: number;
  /** Default Date.now. */
  readonly now?: () => number;
}

/**
 * Short-lived GET URLs of a version's files, signed with the function's own credentials (so they
 * reach exactly what its role may read). Signing is local: no request to S3.
 */
export async function presignModelFiles(set: ModelFileSet, options: PresignOptions): Promise<ModelFilesResponse> {
  const now = (options.now ?? Date.now)();
  const sign = (name: string): Promise<string> =>
    getSignedUrl(options.s3, new GetObjectCommand({ Bucket: options.bucket, Key: modelFileKey(set.version, name) }), {
      expiresIn: options.expiresInSeconds,
    });
  const [model, manifest, items, chartUrl] = await Promise.all([
    sign(MODEL_FILES.recommend),
    sign(MODEL_FILES.manifest),
    sign(MODEL_FILES.items),
    sign(REPORT_FILES.chart),
  ]);
  return {
    modelVersion: set.version,
    expiresAt: new Date(now + options.expiresInSeconds * 1000).toISOString(),
    files: { model: { url: model, ...set.model }, manifest: { url: manifest, ...set.manifest }, items: { url: items, ...set.items } },
    chartUrl,
  };
}
