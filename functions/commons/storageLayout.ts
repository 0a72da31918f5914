/**
 * Where everything lives in the bucket (see DESIGN.md "Storage layout"). Every key is built here.
 */
export const MODELS_PREFIX = 'models/';
export const CURRENT_MODEL_KEY = 'models/current.json';
export const EVENTS_PREFIX = 'events/';
export const CATALOG_ITEMS_PREFIX = 'catalog/items/';
export const TOMBSTONES_PREFIX = 'tombstones/';

/** Files of one published model version. */
export const MODEL_FILES = {
  recommend: 'model.onnx',
  similar: 'similar.onnx',
  manifest: 'manifest.json',
  /** Item metadata and popularity in model index order (what responses and filters need). */
  items: 'items.json',
} as const;

export function modelFileKey(version: string, file: string): string {
  return `${MODELS_PREFIX}${version}/${file}`;
}

/** events/<yyyy>/<mm>/<dd>/<hh>/<batchId>.ndjson, by the UTC time the batch was accepted. */
export function eventsBatchKey(acceptedAt: Date, batchId: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${EVENTS_PREFIX}${acceptedAt.getUTCFullYear()}/${pad(acceptedAt.getUTCMonth() + 1)}/${pad(acceptedAt.getUTCDate())}/${pad(acceptedAt.getUTCHours())}/${batchId}.ndjson`;
}

/** Ids are URI-encoded so any client id is a safe, reversible key segment. */
export function catalogItemKey(itemId: string): string {
  return `${CATALOG_ITEMS_PREFIX}${encodeURIComponent(itemId)}.json`;
}

export function tombstoneKey(userId: string): string {
  return `${TOMBSTONES_PREFIX}${encodeURIComponent(userId)}`;
}

/** The pointer readers follow: written last, after every file of the version. */
export interface CurrentModelPointer {
  readonly version: string;
  /** sha256 of the version's manifest.json. */
  readonly sha256: string;
}
