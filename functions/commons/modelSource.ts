import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_FORMAT_VERSION, MODEL_FILE_NAMES, verifyFile, type ModelManifest } from '../../model/onnx/manifest.ts';
import { InvalidModelError, ModelFetchError, NoModelPublishedError } from './modelErrors.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, modelFileKey, type CurrentModelPointer } from './storageLayout.ts';

/** A model version's files as fetched from the bucket, every one checked against the pointer and manifest. */
export interface FetchedModelVersion {
  readonly pointer: CurrentModelPointer;
  readonly manifest: ModelManifest;
  /** The files asked for, by name (`model.onnx`, `items.json`, …). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Bytes fetched, manifest included. */
  readonly bytes: number;
}

export interface ModelSourceOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Abort a GetObject that takes longer than this (a hung connection must not stall a load forever). */
  readonly timeoutMs?: number;
}

/** The pointer as read: its identity (`version:sha256`) says whether it moved since the last read. */
export interface PointerRead {
  readonly pointer: CurrentModelPointer;
  readonly key: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Reads models/current.json. Throws NoModelPublishedError when it does not exist, InvalidModelError
 * when it is not a pointer `{version, sha256}`, and the SDK's error for anything transient.
 */
export async function readModelPointer(options: ModelSourceOptions): Promise<PointerRead> {
  let bytes: Uint8Array;
  try {
    bytes = await getObject(options, CURRENT_MODEL_KEY);
  } catch (error) {
    if (isNoSuchKey(error)) throw new NoModelPublishedError(undefined, { cause: error });
    throw error;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidModelError(`${CURRENT_MODEL_KEY} is not JSON`, undefined, { cause: error });
  }
  const pointer = value as Partial<CurrentModelPointer> | null;
  if (
    typeof pointer !== 'object' ||
    pointer === null ||
    typeof pointer.version !== 'string' ||
    !/^[\w.-]{1,200}$/.test(pointer.version) ||
    typeof pointer.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(pointer.sha256)
  ) {
    throw new InvalidModelError(`${CURRENT_MODEL_KEY} is not a model pointer {version, sha256}`);
  }
  return { pointer: { version: pointer.version, sha256: pointer.sha256 }, key: `${pointer.version}:${pointer.sha256}` };
}

/**
 * Fetches the manifest and `files` of the version `pointer` names, all at once, and checks them:
 * the manifest's sha256 against the pointer, its version and format, and each ONNX file's size and
 * sha256 against the manifest. Files the manifest does not hash (items.json) are returned as is,
 * for the caller to validate. Throws InvalidModelError for a bad or missing file.
 */
export async function fetchModelVersion(
  options: ModelSourceOptions,
  pointer: CurrentModelPointer,
  files: readonly string[],
): Promise<FetchedModelVersion> {
  const { version } = pointer;
  const fetchFile = async (name: string): Promise<Uint8Array> => {
    try {
      return await getObject(options, modelFileKey(version, name));
    } catch (error) {
      if (isNoSuchKey(error)) throw new InvalidModelError(`model ${version} has no ${name}`, version, { cause: error });
      throw error;
    }
  };
  // Every download starts at once; a failure of one still waits for the others to settle, so no
  // body is left unread on a socket.
  const settled = await Promise.allSettled([fetchFile(MODEL_FILES.manifest), ...files.map(fetchFile)]);
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const [manifestBytes, ...fileBytes] = settled.map((result) => (result as PromiseFulfilledResult<Uint8Array>).value);

  const manifestSha = createHash('sha256').update(manifestBytes).digest('hex');
  if (manifestSha !== pointer.sha256) {
    throw new InvalidModelError(`manifest of model ${version}: sha256 ${manifestSha}, the pointer says ${pointer.sha256}`, version);
  }
  const manifest = parseManifest(manifestBytes, version);
  const byName = new Map<string, Uint8Array>();
  let bytes = manifestBytes.length;
  files.forEach((name, i) => {
    if ((MODEL_FILE_NAMES as readonly string[]).includes(name)) {
      try {
        verifyFile(manifest, name, fileBytes[i]);
      } catch (error) {
        throw new InvalidModelError((error as Error).message, version, { cause: error });
      }
    }
    byName.set(name, fileBytes[i]);
    bytes += fileBytes[i].length;
  });
  return { pointer, manifest, files: byName, bytes };
}

function parseManifest(bytes: Uint8Array, version: string): ModelManifest {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) as ModelManifest;
  } catch (error) {
    throw new InvalidModelError(`manifest of model ${version} is not JSON`, version, { cause: error });
  }
  const problem =
    typeof manifest !== 'object' || manifest === null
      ? 'is not an object'
      : manifest.formatVersion !== MANIFEST_FORMAT_VERSION
        ? `has format ${String(manifest.formatVersion)}, this service reads ${MANIFEST_FORMAT_VERSION}`
        : manifest.version !== version
          ? `names version ${String(manifest.version)}`
          : !Array.isArray(manifest.itemIds) || manifest.itemIds.length === 0 || !manifest.itemIds.every((id) => typeof id === 'string')
            ? 'has no item ids'
            : !Array.isArray(manifest.vocabulary) || !manifest.vocabulary.every((name) => typeof name === 'string')
              ? 'has no vocabulary'
              : typeof manifest.files !== 'object' || manifest.files === null
                ? 'lists no files'
                : undefined;
  if (problem) throw new InvalidModelError(`manifest of model ${version} ${problem}`, version);
  return manifest;
}

/**
 * One object's bytes. When S3 says how long the body is, it is read straight into one buffer of
 * that size: collecting chunks and concatenating them would touch twice the memory, and fresh
 * memory is much of what a cold start of a large model costs.
 */
async function getObject(options: ModelSourceOptions, key: string): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }), { abortSignal: signal });
  const body = response.Body as (AsyncIterable<Uint8Array> & { transformToByteArray(): Promise<Uint8Array> }) | undefined;
  if (!body) return new Uint8Array(0);
  const length = response.ContentLength;
  if (length === undefined || !Number.isSafeInteger(length) || length < 0) return body.transformToByteArray();
  const out = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for await (const chunk of body) {
    if (offset + chunk.length > length) throw new ModelFetchError(`${key}: more bytes than its Content-Length ${length}`);
    out.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== length) throw new ModelFetchError(`${key}: ${offset} bytes read, Content-Length ${length}`);
  return out;
}

function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string } | null)?.name === 'NoSuchKey';
}
