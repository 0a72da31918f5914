import type { MarqueeFunction, TableActions } from '../constructs/marqueeFunction.ts';
import type { PrefixAccess } from '../constructs/grantBucketPrefixes.ts';
import { CATALOG_CHANGES_PREFIX, CATALOG_ITEMS_PREFIX, EVENTS_PREFIX, MODELS_PREFIX, TOMBSTONES_PREFIX } from '../../functions/commons/storageLayout.ts';
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

/** The calls of functions/commons/userHistoryStore.ts and idempotencyStore.ts, by method. */
const HISTORY_GET = ['dynamodb:GetItem'] as const; // UserHistoryStore.get
const HISTORY_APPEND = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const; // UserHistoryStore.append (read, merge, conditional put)
const HISTORY_DELETE = ['dynamodb:DeleteItem'] as const; // UserHistoryStore.delete
const IDEMPOTENCY_SEEN_AND_CLAIM = ['dynamodb:BatchGetItem', 'dynamodb:PutItem'] as const; // IdempotencyStore.seen, .claim

/** Serving reads the published model and the catalog changes made since (new titles before retraining). */
const SERVING_READS = { [MODELS_PREFIX]: 'read', [CATALOG_ITEMS_PREFIX]: 'read', [CATALOG_CHANGES_PREFIX]: 'read' } as const;

/**
 * Least privilege, per function. Keyed by every name of functions/routes.ts, so a new function
 * does not compile until its access is decided here.
 */
export const FUNCTION_ACCESS = {
  Recommend: { bucket: SERVING_READS, history: HISTORY_GET },
  Similar: { bucket: SERVING_READS },
  Rank: { bucket: SERVING_READS, history: HISTORY_GET },
  Popular: { bucket: SERVING_READS },
  ModelInfo: { bucket: { [MODELS_PREFIX]: 'read' } },
  /** Reads models/current.json and the manifest it names: is there a model to serve? */
  Health: { bucket: { [MODELS_PREFIX]: 'read' } },
  /** Appends event batches (never reads or replaces them); keeps history and idempotency records. */
  Events: { bucket: { [EVENTS_PREFIX]: 'write' }, history: HISTORY_APPEND, idempotency: IDEMPOTENCY_SEEN_AND_CLAIM },
  /** Writes items and change records, and reads items back for GET. */
  Items: { bucket: { [CATALOG_ITEMS_PREFIX]: 'readWrite', [CATALOG_CHANGES_PREFIX]: 'write' } },
  /** Removes the history row at once and leaves a tombstone for every later retrain. */
  ForgetUser: { bucket: { [TOMBSTONES_PREFIX]: 'write' }, history: HISTORY_DELETE },
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
