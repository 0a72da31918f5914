import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_FORMAT_VERSION, MODEL_FILE_NAMES, type ModelFileEntry, type ModelManifest } from '../../model/onnx/manifest.ts';
import { InvalidModelError, ModelFetchError, NoModelPublishedError } from './modelErrors.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, modelFileKey, type CurrentModelPointer } from './storageLayout.ts';

/**
 * A model version being downloaded: its manifest is checked against the pointer, its files are
 * still arriving, so a build can start on the first file that is there (items.json is parsed
 * while the larger graph streams in).
 */
export interface ModelVersionDownload {
  readonly pointer: CurrentModelPointer;
  readonly manifest: ModelManifest;
  /**
   * The bytes of one of the files asked for, once complete and, when the manifest lists it,
   * checked against its size and sha256 (InvalidModelError otherwise).
   */
  file(name: string): Promise<Uint8Array>;
  /** Settles when every file has arrived or failed: the bytes downloaded, manifest included. */
  readonly settled: Promise<{ readonly bytes: number }>;
}

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
    ({ bytes } = await getObject(options, CURRENT_MODEL_KEY));
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
 * Starts downloading the manifest and `files` of the version `pointer` names, all at once, each
 * hashed as it streams in, and resolves once the manifest has arrived and passed its checks (its
 * sha256 against the pointer, its version and format). Each file is then checked as it completes:
 * the ONNX files' size and sha256 against the manifest; files the manifest does not hash
 * (items.json) are the caller's to validate. Throws InvalidModelError for a bad or missing file.
 */
export async function openModelVersion(
  options: ModelSourceOptions,
  pointer: CurrentModelPointer,
  files: readonly string[],
): Promise<ModelVersionDownload> {
  const { version } = pointer;
  const hashed = new Set<string>(MODEL_FILE_NAMES);
  const fetchFile = async (name: string): Promise<Downloaded> => {
    try {
      return await getObject(options, modelFileKey(version, name), hashed.has(name) || name === MODEL_FILES.manifest);
    } catch (error) {
      if (isNoSuchKey(error)) throw new InvalidModelError(`model ${version} has no ${name}`, version, { cause: error });
      throw error;
    }
  };
  const manifestDownload = fetchFile(MODEL_FILES.manifest);
  const downloads = new Map(files.map((name) => [name, fetchFile(name)] as const));
  const all = [manifestDownload, ...downloads.values()];
  // Whatever the build does not wait for (it failed first, or needs fewer files) must not end up
  // as an unhandled rejection.
  for (const download of all) download.catch(() => undefined);
  const settled = Promise.allSettled(all).then((results) => ({
    bytes: results.reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value.bytes.length : 0), 0),
  }));

  const manifestFile = await manifestDownload;
  if (manifestFile.sha256 !== pointer.sha256) {
    throw new InvalidModelError(`manifest of model ${version}: sha256 ${manifestFile.sha256}, the pointer says ${pointer.sha256}`, version);
  }
  const manifest = parseManifest(manifestFile.bytes, version);
  const checked = new Map<string, Promise<Uint8Array>>();
  for (const [name, download] of downloads) {
    const bytes = download.then((file) => {
      if (hashed.has(name)) checkFile(manifest, name, file);
      return file.bytes;
    });
    bytes.catch(() => undefined);
    checked.set(name, bytes);
  }
  return {
    pointer,
    manifest,
    settled,
    file: (name) => checked.get(name) ?? Promise.reject(new Error(`${name} was not asked for when model ${version} was opened`)),
  };
}

/** openModelVersion, waiting for every file: all of them checked, or the first failure thrown. */
export async function fetchModelVersion(
  options: ModelSourceOptions,
  pointer: CurrentModelPointer,
  files: readonly string[],
): Promise<FetchedModelVersion> {
  const download = await openModelVersion(options, pointer, files);
  const contents = await Promise.all(files.map((name) => download.file(name)));
  const { bytes } = await download.settled;
  return { pointer, manifest: download.manifest, files: new Map(files.map((name, i) => [name, contents[i]])), bytes };
}

/**
 * The check of verifyFile (model/onnx/manifest.ts) — size and sha256 against the manifest — on a
 * hash computed while the file streamed in rather than in a second pass over its bytes.
 */
function checkFile(manifest: ModelManifest, name: string, file: Downloaded): void {
  const entry = (manifest.files as Readonly<Record<string, ModelFileEntry | undefined>>)[name];
  const { version } = manifest;
  if (!entry) throw new InvalidModelError(`manifest of model ${version} lists no file ${name}`, version);
  if (file.bytes.length !== entry.bytes) {
    throw new InvalidModelError(`${name} of model ${version}: ${file.bytes.length} bytes, the manifest says ${entry.bytes}`, version);
  }
  if (file.sha256 !== entry.sha256)
    throw new InvalidModelError(`${name} of model ${version}: sha256 ${file.sha256}, the manifest says ${entry.sha256}`, version);
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

interface Downloaded {
  readonly bytes: Uint8Array;
  /** Lower-case hex sha256 of `bytes`, when asked for. */
  readonly sha256?: string;
}

/**
 * One object's bytes, optionally hashed on the way. When S3 says how long the body is, it is
 * read straight into one buffer of that size: collecting chunks and concatenating them would
 * touch twice the memory, and fresh memory is much of what a cold start of a large model costs.
 */
async function getObject(options: ModelSourceOptions, key: string, hash = false): Promise<Downloaded> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }), { abortSignal: signal });
  const body = response.Body as (AsyncIterable<Uint8Array> & { transformToByteArray(): Promise<Uint8Array> }) | undefined;
  const digest = hash ? createHash('sha256') : undefined;
  const length = response.ContentLength;
  let bytes: Uint8Array;
  if (!body) {
    bytes = new Uint8Array(0);
    digest?.update(bytes);
  } else if (length === undefined || !Number.isSafeInteger(length) || length < 0) {
    bytes = await body.transformToByteArray();
    digest?.update(bytes);
  } else {
    const out = Buffer.allocUnsafeSlow(length);
    let offset = 0;
    for await (const chunk of body) {
      if (offset + chunk.length > length) throw new ModelFetchError(`${key}: more bytes than its Content-Length ${length}`);
      out.set(chunk, offset);
      digest?.update(chunk);
      offset += chunk.length;
    }
    if (offset !== length) throw new ModelFetchError(`${key}: ${offset} bytes read, Content-Length ${length}`);
    bytes = out;
  }
  return { bytes, ...(digest ? { sha256: digest.digest('hex') } : {}) };
}

function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string } | null)?.name === 'NoSuchKey';
}
