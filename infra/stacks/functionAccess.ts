import type { MarqueeFunction, TableActions } from '../constructs/marqueeFunction.ts';
import type { PrefixAccess } from '../constructs/grantBucketPrefixes.ts';
import {
  CATALOG_CHANGES_PREFIX,
  CATALOG_ITEMS_PREFIX,
  EVENTS_PREFIX,
  MODELS_PREFIX,
  TOMBSTONES_PREFIX,
} from '../../functions/commons/storageLayout.ts';
import type { FunctionName } from './serviceFunctions.ts';
import type { StorageResources } from './storageStack.ts';

/**
 * What one function may touch: bucket prefixes (functions/commons/storageLayout.ts) and, per
 * table, the DynamoDB actions its code calls — exactly those, so a new call fails with
 * AccessDenied until it is added here (the stack test lists them too).
 */
export interface FunctionAccess {
  readonly bucket: Readonly<Record<string, PrefixAccess>>;
  readonly history?: TableActions;
  readonly idempotency?: TableActions;
}

/** The calls of functions/commons/userHistoryStore.ts and idempotencyStore.ts, by use. */
const HISTORY_READ = ['dynamodb:Query'] as const; // UserHistoryStore.recent: one viewer's items, newest first
// Events: forget markers (BatchGetItem) and one put per event (BatchWriteItem), never a read-modify-write.
const HISTORY_APPEND = ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'] as const;
// ForgetUser: the forget marker (PutItem), then the viewer's items listed (Query) and deleted (BatchWriteItem).
const HISTORY_FORGET = ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'] as const;
const IDEMPOTENCY_SEEN_AND_CLAIM = ['dynamodb:BatchGetItem', 'dynamodb:PutItem'] as const; // IdempotencyStore.seen, .claim

/** Serving reads the published model and the catalog changes made since (new titles before retraining). */
const SERVING_READS = { [MODELS_PREFIX]: 'read', [CATALOG_ITEMS_PREFIX]: 'read', [CATALOG_CHANGES_PREFIX]: 'read' } as const;

/**
 * Least privilege, per function. Keyed by every name of functions/routes.ts, so a new function
 * does not compile until its access is decided here.
 */
export const FUNCTION_ACCESS = {
  Recommend: { bucket: SERVING_READS, history: HISTORY_READ },
  Similar: { bucket: SERVING_READS },
  Rank: { bucket: SERVING_READS, history: HISTORY_READ },
  Popular: { bucket: SERVING_READS },
  ModelInfo: { bucket: { [MODELS_PREFIX]: 'read' } },
  /** Reads the pointer, the manifest and items.json (to hash it), and signs GET URLs of models/ that its own role can read. */
  ModelFiles: { bucket: { [MODELS_PREFIX]: 'read' } },
  /** Reads models/current.json and the manifest it names: is there a model to serve? */
  Health: { bucket: { [MODELS_PREFIX]: 'read' } },
  /** Serves the API description it is built with: touches no store. */
  OpenApi: { bucket: {} },
  /** Appends event batches (never reads or replaces them); puts history items; checks and claims event ids. */
  Events: { bucket: { [EVENTS_PREFIX]: 'write' }, history: HISTORY_APPEND, idempotency: IDEMPOTENCY_SEEN_AND_CLAIM },
  /** Writes items and change records, and reads items back for GET. */
  Items: { bucket: { [CATALOG_ITEMS_PREFIX]: 'readWrite', [CATALOG_CHANGES_PREFIX]: 'write' } },
  /** Leaves a tombstone for every later retrain, then the history's forget marker, and deletes the history items. */
  ForgetUser: { bucket: { [TOMBSTONES_PREFIX]: 'write' }, history: HISTORY_FORGET },
  /** Reads a viewer's history for GET /v1/users/{userId}/history. */
  UserHistory: { bucket: {}, history: HISTORY_READ },
  /**
   * Reads events, catalog and tombstones; publishes models and deletes old versions; rewrites
   * events/ only to compact forgotten users out (a compacted copy, then the original deleted).
   */
  Retrain: {
    bucket: {
      [EVENTS_PREFIX]: 'readWriteDelete',
      [CATALOG_ITEMS_PREFIX]: 'read',
      [CATALOG_CHANGES_PREFIX]: 'read',
      [TOMBSTONES_PREFIX]: 'read',
      [MODELS_PREFIX]: 'readWriteDelete',
    },
  },
} as const satisfies Record<FunctionName, FunctionAccess>;

/**
 * Tells a function where storage is (every function's configuration names the bucket and both
 * tables, functions/commons/config.ts) and grants it the access of FUNCTION_ACCESS.
 */
export function bindStorage(fn: MarqueeFunction, name: FunctionName, storage: StorageResources): void {
  const access: FunctionAccess = FUNCTION_ACCESS[name];
  fn.bindBucket(storage.bucket, access.bucket);
  fn.bindTable(storage.historyTable, 'HISTORY_TABLE_NAME', access.history);
  fn.bindTable(storage.idempotencyTable, 'IDEMPOTENCY_TABLE_NAME', access.idempotency);
}
