import { createHash, randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ModelManifest, TrainingDataSummary } from '../../model/onnx/manifest.ts';
import { InvalidModelError, NoModelPublishedError } from './modelErrors.ts';
import { fetchModelVersion, readModelPointer } from './modelSource.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, MODELS_PREFIX, modelFileKey, type CurrentModelPointer } from './storageLayout.ts';
import { servingItemsCount } from './servingItems.ts';

/**
 * The versions under models/: listing, the version before the current one, retention and rollback.
 *
 * A folder models/<version>/ is
 * - `published` when it holds manifest.json (publishModel writes it after every other file of the
 *   version, so its presence means the version is complete; whether it is served is the pointer's
 *   business);
 * - `rejected` when it holds only the report of a retrain whose candidate did not pass the gate;
 * - `incomplete` otherwise: files of a publish that stopped before its manifest, or of a version
 *   being deleted.
 */
export type ModelVersionStatus = 'published' | 'rejected' | 'incomplete';

export interface ModelVersionSummary {
  readonly version: string;
  readonly status: ModelVersionStatus;
  /** ISO-8601: the manifest's createdAt, the report's createdAt, or the time in the version name. */
  readonly createdAt?: string;
  /** sha256 of manifest.json, what the pointer of this version holds (published versions). */
  readonly manifestSha256?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly trainingData?: TrainingDataSummary;
  /** Why the candidate was rejected (rejected versions). */
  readonly reasons?: readonly string[];
}

export interface ModelVersionListing {
  /** What models/current.json says, when it exists and reads as a pointer. */
  readonly current?: CurrentModelPointer;
  /** Every version folder, oldest first (createdAt, then version). */
  readonly versions: readonly ModelVersionSummary[];
}

/** A rollback or listing that cannot be done as asked (nothing published, unknown version, bad files). */
export class ModelVersionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelVersionError';
  }
}

/** The name of the report a retrain writes beside (or, when rejected, instead of) a model version. */
export const REPORT_FILES = { json: 'report.json', chart: 'report.svg' } as const;

/**
 * A new version name: the UTC time to the second and 4 random hex digits, e.g. `20261128T235959Z-3fa2`.
 * Names sort by time, and the time is read back for folders without a manifest (versionTime).
 */
export function newModelVersion(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The time in a version name made by newModelVersion, or undefined for other names. */
export function versionTime(version: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-|$)/.exec(version);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/** Every version folder under models/ with what its manifest or report says, and the pointer. */
export async function listModelVersions(
  s3: S3Client,
  bucket: string,
  options: { concurrency?: number } = {},
): Promise<ModelVersionListing> {
  const folders = await listVersionFolders(s3, bucket);
  const limit = Math.max(1, options.concurrency ?? 8);
  const versions: ModelVersionSummary[] = [];
  for (let start = 0; start < folders.length; start += limit) {
    versions.push(...(await Promise.all(folders.slice(start, start + limit).map((version) => summarise(s3, bucket, version)))));
  }
  versions.sort(byCreation);
  let current: CurrentModelPointer | undefined;
  try {
    current = (await readModelPointer({ s3, bucket })).pointer;
  } catch (error) {
    if (!(error instanceof NoModelPublishedError) && !(error instanceof InvalidModelError)) throw error;
  }
  return { ...(current ? { current } : {}), versions };
}

/**
 * The version served before `version` by the rule every tool shares: the newest published version
 * created before it (createdAt, then name). Undefined when there is none.
 */
export function previousVersion(versions: readonly ModelVersionSummary[], version: string): ModelVersionSummary | undefined {
  const published = versions.filter((v) => v.status === 'published').sort(byCreation);
  const at = published.findIndex((v) => v.version === version);
  if (at < 0) return undefined;
  return at > 0 ? published[at - 1] : undefined;
}

export interface PruneOptions {
  /** Published versions kept, newest first (the current and the previous one are kept besides). */
  readonly keep: number;
  /** Folders without a manifest younger than this are left alone: a publish may be uploading them. Default 24 h. */
  readonly incompleteGraceMs?: number;
  readonly now?: Date;
}

export interface PruneReport {
  readonly deleted: readonly string[];
  readonly kept: readonly string[];
}

/**
 * Deletes old versions: every published version but the newest `keep`, the current one and the one
 * before it (previousVersion); rejected reports beyond the newest `keep`; incomplete folders older
 * than the grace period. A version's manifest.json goes first, so a folder is never left looking
 * published with files missing. Never touches models/current.json.
 */
export async function pruneModelVersions(s3: S3Client, bucket: string, options: PruneOptions): Promise<PruneReport> {
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new RangeError(`keep must be a positive integer, got ${options.keep}`);
  const { current, versions } = await listModelVersions(s3, bucket);
  const now = (options.now ?? new Date()).getTime();
  const grace = options.incompleteGraceMs ?? 24 * 3_600_000;
  const keep = new Set<string>();
  const newestFirst = (status: ModelVersionStatus) => versions.filter((v) => v.status === status).reverse();
  for (const v of newestFirst('published').slice(0, options.keep)) keep.add(v.version);
  for (const v of newestFirst('rejected').slice(0, options.keep)) keep.add(v.version);
  if (current) {
    keep.add(current.version);
    const previous = previousVersion(versions, current.version);
    if (previous) keep.add(previous.version);
  }
  for (const v of versions) {
    if (v.status !== 'incomplete') continue;
    const created = v.createdAt === undefined ? Number.NaN : Date.parse(v.createdAt);
    // Unknown age: kept, since it may be a publish in progress under a name of another format.
    if (!(now - created > grace)) keep.add(v.version);
  }
  const deleted: string[] = [];
  for (const v of versions) {
    if (keep.has(v.version)) continue;
    await deleteVersionFolder(s3, bucket, v.version);
    deleted.push(v.version);
  }
  return { deleted, kept: versions.map((v) => v.version).filter((version) => keep.has(version)) };
}

export interface RollbackResult {
  readonly from?: string;
  readonly to: string;
  readonly pointer: CurrentModelPointer;
}

/**
 * Points models/current.json at an earlier published version: `to`, or by default the version
 * before the current one (previousVersion). The target's manifest and files are fetched and checked
 * first (the manifest's sha256 becomes the pointer; each ONNX file must match the manifest's size
 * and sha256; items.json must list the manifest's items), so the pointer never names a broken
 * version. Throws ModelVersionError when there is nothing to roll back to or the target is bad.
 */
export async function rollbackModel(s3: S3Client, bucket: string, options: { to?: string } = {}): Promise<RollbackResult> {
  const { current, versions } = await listModelVersions(s3, bucket);
  let target: ModelVersionSummary | undefined;
  if (options.to !== undefined) {
    target = versions.find((v) => v.version === options.to);
    if (!target) throw new ModelVersionError(`no model version ${options.to} under ${MODELS_PREFIX}`);
    if (target.status !== 'published')
      throw new ModelVersionError(`model version ${options.to} is ${target.status}, not a published model`);
  } else {
    if (!current) throw new ModelVersionError('no model is current (models/current.json is missing or unreadable): name one with --to');
    target = previousVersion(versions, current.version);
    if (!target) throw new ModelVersionError(`no published version is older than the current one (${current.version})`);
  }
  if (current && target.version === current.version) throw new ModelVersionError(`model version ${target.version} is already current`);
  if (target.manifestSha256 === undefined) throw new ModelVersionError(`model version ${target.version} has no manifest`);
  const pointer: CurrentModelPointer = { version: target.version, sha256: target.manifestSha256 };
  await verifyVersion(s3, bucket, pointer);
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: JSON.stringify(pointer), ContentType: 'application/json' }),
  );
  return { ...(current ? { from: current.version } : {}), to: target.version, pointer };
}

/** Fetches a version as serving would and checks every file; throws ModelVersionError when one is bad. */
export async function verifyVersion(s3: S3Client, bucket: string, pointer: CurrentModelPointer): Promise<ModelManifest> {
  try {
    const fetched = await fetchModelVersion({ s3, bucket }, pointer, [MODEL_FILES.recommend, MODEL_FILES.similar, MODEL_FILES.items]);
    const items = fetched.files.get(MODEL_FILES.items);
    let listed: number | undefined;
    try {
      listed = items ? servingItemsCount(JSON.parse(Buffer.from(items).toString('utf8'))) : undefined;
    } catch {
      listed = undefined;
    }
    if (listed !== fetched.manifest.itemIds.length) {
      throw new InvalidModelError(
        `items.json of model ${pointer.version} does not list the manifest's ${fetched.manifest.itemIds.length} items`,
        pointer.version,
      );
    }
    return fetched.manifest;
  } catch (error) {
    if (error instanceof InvalidModelError)
      throw new ModelVersionError(`model version ${pointer.version} cannot be served: ${error.message}`, { cause: error });
    throw error;
  }
}

async function listVersionFolders(s3: S3Client, bucket: string): Promise<string[]> {
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: MODELS_PREFIX, Delimiter: '/', ContinuationToken: token }),
    );
    for (const prefix of page.CommonPrefixes ?? []) {
      const version = prefix.Prefix?.slice(MODELS_PREFIX.length, -1);
      if (version) folders.push(version);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return folders;
}

async function summarise(s3: S3Client, bucket: string, version: string): Promise<ModelVersionSummary> {
  const manifestText = await readText(s3, bucket, modelFileKey(version, MODEL_FILES.manifest));
  if (manifestText !== undefined) {
    const manifest = parseJson(manifestText) as Partial<ModelManifest> | undefined;
    return {
      version,
      status: 'published',
      createdAt: typeof manifest?.createdAt === 'string' ? manifest.createdAt : versionTime(version)?.toISOString(),
      manifestSha256: createHash('sha256').update(manifestText).digest('hex'),
      ...(manifest?.metrics && typeof manifest.metrics === 'object' ? { metrics: manifest.metrics as Record<string, unknown> } : {}),
      ...(manifest?.trainingData ? { trainingData: manifest.trainingData } : {}),
    };
  }
  const reportText = await readText(s3, bucket, modelFileKey(version, REPORT_FILES.json));
  const report =
    reportText === undefined ? undefined : (parseJson(reportText) as { createdAt?: unknown; gate?: { reasons?: unknown } } | undefined);
  if (report) {
    const reasons = Array.isArray(report.gate?.reasons) ? report.gate.reasons.filter((r): r is string => typeof r === 'string') : [];
    return {
      version,
      status: 'rejected',
      createdAt: typeof report.createdAt === 'string' ? report.createdAt : versionTime(version)?.toISOString(),
      reasons,
    };
  }
  return { version, status: 'incomplete', createdAt: versionTime(version)?.toISOString() };
}

async function deleteVersionFolder(s3: S3Client, bucket: string, version: string): Promise<void> {
  const prefix = `${MODELS_PREFIX}${version}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const manifestKey = modelFileKey(version, MODEL_FILES.manifest);
  keys.sort((a, b) => Number(b === manifestKey) - Number(a === manifestKey));
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Body ? await Body.transformToString('utf8') : '';
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function byCreation(a: ModelVersionSummary, b: ModelVersionSummary): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

/** Milliseconds of createdAt; -Infinity when unknown, so undated folders sort first. */
function timeOf(v: ModelVersionSummary): number {
  const time = v.createdAt === undefined ? Number.NaN : Date.parse(v.createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
