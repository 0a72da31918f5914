import { createHash } from 'node:crypto';
import { ExportError } from '../errors.ts';

/** Files a published model consists of, besides its manifest. */
export const MODEL_FILE_NAMES = ['model.onnx', 'similar.onnx'] as const;
export type ModelFileName = (typeof MODEL_FILE_NAMES)[number];

export const MANIFEST_FORMAT_VERSION = 1;

export interface ModelFileEntry {
  /** Lower-case hex sha256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface TrainingDataSummary {
  /** Which data the model was trained on, e.g. the newest events key or a snapshot id. */
  readonly snapshot: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
}

/**
 * What every published model carries (manifest.json): plain JSON. `itemIds[i]` is the external id
 * of item index i, `vocabulary[f]` the name of feature index f — the graphs speak in indices.
 */
export interface ModelManifest<HyperParameters extends object = object, Metrics extends object = object> {
  readonly formatVersion: typeof MANIFEST_FORMAT_VERSION;
  readonly version: string;
  /** ISO-8601 time the model was created. */
  readonly createdAt: string;
  readonly trainingData: TrainingDataSummary;
  readonly hyperParameters: HyperParameters;
  /** Offline evaluation metrics. */
  readonly metrics: Metrics;
  readonly itemIds: readonly string[];
  readonly vocabulary: readonly string[];
  readonly files: Readonly<Record<ModelFileName, ModelFileEntry>>;
}

/** Everything `buildManifest` needs: the manifest's fields, and the files' bytes instead of their hashes. */
export interface ManifestInput<HyperParameters extends object = object, Metrics extends object = object>
  extends Omit<ModelManifest<HyperParameters, Metrics>, 'formatVersion' | 'files'> {
  readonly files: Readonly<Record<ModelFileName, Uint8Array>>;
}

/**
 * Builds a model's manifest, hashing each file (sha256). Throws ExportError when a field is not
 * plain JSON (NaN, Infinity, undefined, a function, a class instance), when `createdAt` is not a
 * date, or when a file is missing — so what is written is exactly what readers get back.
 */
export function buildManifest<HyperParameters extends object, Metrics extends object>(
  input: ManifestInput<HyperParameters, Metrics>,
): ModelManifest<HyperParameters, Metrics> {
  if (typeof input.version !== 'string' || input.version.length === 0)
    throw new ExportError('manifest: version must be a non-empty string');
  if (typeof input.createdAt !== 'string' || Number.isNaN(Date.parse(input.createdAt))) {
    throw new ExportError(`manifest: createdAt must be an ISO-8601 time, got ${String(input.createdAt)}`);
  }
  const files = {} as Record<ModelFileName, ModelFileEntry>;
  for (const name of MODEL_FILE_NAMES) {
    const bytes = input.files[name];
    if (!(bytes instanceof Uint8Array)) throw new ExportError(`manifest: file ${name} is missing`);
    files[name] = { sha256: sha256Hex(bytes), bytes: bytes.length };
  }
  const manifest: ModelManifest<HyperParameters, Metrics> = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    version: input.version,
    createdAt: input.createdAt,
    trainingData: input.trainingData,
    hyperParameters: input.hyperParameters,
    metrics: input.metrics,
    itemIds: input.itemIds,
    vocabulary: input.vocabulary,
    files,
  };
  assertPlainJson(manifest, 'manifest');
  return manifest;
}

/** Throws ExportError unless `bytes` are the file `name` the manifest describes (size and sha256). */
export function verifyFile(manifest: ModelManifest, name: string, bytes: Uint8Array): void {
  const entry = (manifest.files as Readonly<Record<string, ModelFileEntry | undefined>>)[name];
  if (!entry) throw new ExportError(`manifest of model ${manifest.version} lists no file ${name}`);
  if (bytes.length !== entry.bytes) {
    throw new ExportError(`${name} of model ${manifest.version}: ${bytes.length} bytes, the manifest says ${entry.bytes}`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new ExportError(`${name} of model ${manifest.version}: sha256 ${actual}, the manifest says ${entry.sha256}`);
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function assertPlainJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ExportError(`manifest: ${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) assertPlainJson(item, `${path}.${key}`);
    return;
  }
  throw new ExportError(`manifest: ${path} is not plain JSON (${typeof value === 'object' ? 'an object of a class' : typeof value})`);
}
