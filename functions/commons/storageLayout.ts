/**
 * Where everything lives in the bucket (see DESIGN.md "Storage layout"). Every key is built here.
 */
export const MODELS_PREFIX = 'models/';
export const CURRENT_MODEL_KEY = 'models/current.json';
export const EVENTS_PREFIX = 'events/';
export const CATALOG_ITEMS_PREFIX = 'catalog/items/';
/** Time-ordered records of catalog upserts (which ids changed when), so readers need not list the catalog. */
export const CATALOG_CHANGES_PREFIX = 'catalog/changes/';
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

/**
 * The key of a compacted copy of an events object (forgotten users' lines removed): the original
 * name with `.c<generation>` before `.ndjson`, in the same hour folder. Readers take, of the keys
 * that share a base, only the one of the highest generation (see parseEventsKey), so the window
 * between writing a compacted copy and deleting the original never counts an event twice.
 */
export function compactedEventsKey(key: string, generation: number): string {
  if (!Number.isInteger(generation) || generation < 1) throw new RangeError(`generation must be a positive integer, got ${generation}`);
  return `${parseEventsKey(key).base}.c${generation}.ndjson`;
}

/**
 * The base (key without `.c<n>.ndjson` / `.ndjson`) and generation (0 for an object as accepted)
 * of an events key. Keys of one base sort next to each other, since batch ids have a fixed length.
 */
export function parseEventsKey(key: string): { readonly base: string; readonly generation: number } {
  const compacted = /^(.*)\.c(\d+)\.ndjson$/.exec(key);
  if (compacted) return { base: compacted[1], generation: Number(compacted[2]) };
  return { base: key.endsWith('.ndjson') ? key.slice(0, -'.ndjson'.length) : key, generation: 0 };
}

/**
 * The UTC hour folder an events key was accepted in (`events/<yyyy>/<mm>/<dd>/<hh>/…`), or
 * undefined for a key outside that layout.
 */
export function eventsKeyHour(key: string): Date | undefined {
  const match = /^events\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key);
  if (!match) return undefined;
  const [, year, month, day, hour] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour));
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/**
 * When the batch of an events key was accepted, from its batch id (`<keyTime>-<hex>`, see
 * eventsBatchKey), to the millisecond; undefined for a key outside that layout.
 */
export function eventsKeyAcceptedAt(key: string): Date | undefined {
  const match = /^events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(key);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, ms] = match.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/**
 * A time as a fixed-width, lexicographically ordered key segment: `20240501T102030123Z` (UTC,
 * milliseconds). Used by batch ids and catalog change records.
 */
export function keyTime(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** catalog/changes/<keyTime>-<unique>.json: one record per upsert request, listing the changed ids. */
export function catalogChangeKey(changedAt: Date, unique: string): string {
  return `${CATALOG_CHANGES_PREFIX}${keyTime(changedAt)}-${unique}.json`;
}

/** The ListObjectsV2 StartAfter that lists the change records written at or after `since`. */
export function catalogChangesStartAfter(since: Date): string {
  return `${CATALOG_CHANGES_PREFIX}${keyTime(since)}`;
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
