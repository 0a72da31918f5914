import type { MarqueeFunction, TableAccess } from '../constructs/marqueeFunction.ts';
import type { PrefixAccess } from '../constructs/grantBucketPrefixes.ts';
import { CATALOG_CHANGES_PREFIX, CATALOG_ITEMS_PREFIX, EVENTS_PREFIX, MODELS_PREFIX, TOMBSTONES_PREFIX } from '../../functions/commons/storageLayout.ts';
import type { FunctionName } from './serviceFunctions.ts';
import type { StorageResources } from './storageStack.ts';

/** What one function may touch: bucket prefixes (functions/commons/storageLayout.ts) and tables. */
export interface FunctionAccess {
  readonly bucket: Readonly<Record<string, PrefixAccess>>;
  readonly history?: TableAccess;
  readonly idempotency?: TableAccess;
}

/** Reading a viewer's history: one Query (UserHistoryStore.recent). */
const HISTORY_READ = ['dynamodb:Query'] as const;

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
  Health: { bucket: {} },
  /**
   * Appends event batches (never reads or replaces them); reads forget markers and puts history
   * items; checks and claims event ids.
   */
  Events: {
    bucket: { [EVENTS_PREFIX]: 'write' },
    history: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
    idempotency: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
  },
  /** Writes items and change records, and reads items back for GET. */
  Items: { bucket: { [CATALOG_ITEMS_PREFIX]: 'readWrite', [CATALOG_CHANGES_PREFIX]: 'write' } },
  /** Leaves a tombstone for every later retrain, then the history's forget marker, and deletes the history items. */
  ForgetUser: { bucket: { [TOMBSTONES_PREFIX]: 'write' }, history: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'] },
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
