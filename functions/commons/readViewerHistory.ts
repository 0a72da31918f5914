import { ServiceUnavailableError } from './httpErrors.ts';
import { logger } from './observability.ts';
import type { HistoryEntry, UserHistoryStore } from './userHistoryStore.ts';
import { viewerRef } from './viewerRef.ts';

/**
 * A viewer's stored history for a serving route; a store failure is logged once, with the viewer
 * as viewerRef (never the id), and answered 503.
 */
export async function readViewerHistory(histories: Pick<UserHistoryStore, 'get'>, userId: string): Promise<HistoryEntry[]> {
  try {
    return await histories.get(userId);
  } catch (error) {
    logger.error('user history read failed', { viewer: viewerRef(userId), error: error as Error });
    throw new ServiceUnavailableError('the user history store is unavailable; retry shortly', 1, { cause: error });
  }
}
