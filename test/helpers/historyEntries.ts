import { historyKey } from '../../functions/commons/historyKey.ts';
import type { HistoryEntry, UserHistoryStore } from '../../functions/commons/userHistoryStore.ts';

let batches = 0;

/** Puts `entries` under `userId` as the events function stores one accepted batch (keys from the event, or the batch and line). */
export async function putEntries(store: UserHistoryStore, userId: string, entries: readonly HistoryEntry[]): Promise<void> {
  const batchId = `test-batch-${batches++}`;
  await store.put(entries.map((entry, line) => ({ userId, key: historyKey(entry, { batchId, line }), entry })));
}
