import type { APIGatewayProxyEvent } from 'aws-lambda';
import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { ServiceUnavailableError } from '../commons/httpErrors.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { parseInput, userIdSchema } from '../commons/servingRequest.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';
import { historyQueryParser } from './userHistoryRequest.ts';

export interface UserHistoryHandlerOptions {
  /** The store; by default the history table of the environment (read at the first request). */
  readonly history?: () => UserHistoryStore;
  /** The most entries a request may ask for (and the default): what serving reads, HISTORY_LENGTH. */
  readonly maxLength?: number;
}

interface UserHistoryInput {
  readonly userId: string;
  readonly count: number;
}

/** Seconds to wait before asking again when the history store is unavailable. */
const RETRY_AFTER_SECONDS = 1;

/**
 * GET /v1/users/{userId}/history?count= — the recent history serving uses for the viewer, newest
 * first: `{userId, items: [{eventId, itemId, type, value, timestamp}]}` (`eventId` and `value` null
 * when the event had none; timestamp in seconds). The viewer's right of access, and how support
 * sees what a recommendation was made from. An unknown viewer has an empty list.
 */
export function createUserHistoryHandler(options: UserHistoryHandlerOptions = {}) {
  let store: UserHistoryStore | undefined;
  const resolveStore = options.history ?? defaultStore;
  // Built at the first request, so that loading the module needs no environment.
  let parseQuery: ((event: APIGatewayProxyEvent) => { count: number }) | undefined;

  const parse = (event: APIGatewayProxyEvent): UserHistoryInput => {
    parseQuery ??= historyQueryParser(options.maxLength ?? loadConfig().historyLength);
    return {
      userId: parseInput(userIdSchema, event.pathParameters?.userId ?? '', 'path.userId'),
      count: parseQuery(event).count,
    };
  };

  return servingHandler<UserHistoryInput, undefined>({
    functionName: 'UserHistory',
    routes: { 'GET /v1/users/{userId}/history': { parse } },
    handle: async ({ userId, count }) => {
      store ??= resolveStore();
      let entries: Awaited<ReturnType<UserHistoryStore['recent']>>;
      try {
        entries = await store.recent(userId, count);
      } catch (error) {
        throw new ServiceUnavailableError('the user history store is unavailable; retry shortly', RETRY_AFTER_SECONDS, { cause: error });
      }
      return jsonResponse(200, {
        userId,
        items: entries.map((entry) => ({
          eventId: entry.eventId ?? null,
          itemId: entry.itemId,
          type: entry.type,
          value: entry.value ?? null,
          timestamp: entry.timestamp,
        })),
      });
    },
  });
}

function defaultStore(): UserHistoryStore {
  const config = loadConfig();
  return new UserHistoryStore(awsClients(config).dynamo, config.historyTableName, {
    maxLength: config.historyLength,
    ttlSeconds: config.historyTtlSeconds,
  });
}

export const handler = createUserHistoryHandler();
