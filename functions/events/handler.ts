import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsClients } from '../commons/awsClients.ts';
import { countRejections } from '../commons/countRejections.ts';
import { loadConfig } from '../commons/config.ts';
import type { LoggedEvent } from '../commons/eventLog.ts';
import { BadRequestError } from '../commons/httpErrors.ts';
import { cors, jsonBody, jsonErrors, type JsonBodyInternal } from '../commons/httpMiddleware.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { IdempotencyStore } from '../commons/idempotencyStore.ts';
import { logger, metrics } from '../commons/observability.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';
import { acceptEvents, type EventStores } from './acceptEvents.ts';
import { eventsRequestSchema, MAX_FUTURE_SECONDS, type EventInput } from './eventsSchema.ts';

export interface EventsHandlerOptions {
  /** The stores; by default the SDK clients and tables of the environment (read at the first request). */
  readonly stores?: () => EventStores;
  /** The clock (tests). */
  readonly now?: () => Date;
}

/**
 * POST /v1/events: validates a batch of 1–100 events (all or nothing: the first bad field is
 * named, e.g. `body.events[3].value`), stores it (acceptEvents: S3, then the history, then the
 * idempotency claims) and answers 202 `{accepted, duplicates, batchId}`; 503 with Retry-After when
 * the event log or the history cannot be written, in which case nothing was accepted and the
 * client retries the whole batch.
 */
export function createEventsHandler(options: EventsHandlerOptions = {}) {
  let stores: EventStores | undefined;
  const resolveStores = options.stores ?? defaultStores;
  const clock = options.now ?? (() => new Date());

  // The body jsonBody() parsed, handed from the middleware to the handler.
  const bodies = new WeakMap<APIGatewayProxyEvent, unknown>();

  const accept = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const now = clock();
    const parsed = eventsRequestSchema.safeParse({ body: bodies.get(event) });
    if (!parsed.success) throw parsed.error;
    const batch = toLoggedEvents(parsed.data.body.events, now);
    stores ??= resolveStores();
    const result = await acceptEvents(stores, batch, now);
    logger.info('events accepted', {
      batchId: result.batchId,
      accepted: result.accepted,
      duplicates: result.duplicates.length,
      path: event.path,
    });
    return jsonResponse(202, result);
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(countRejections('EventBatchesRejected'))
    .use(cors())
    .use(jsonErrors())
    .use(jsonBody())
    .use({ before: (request) => void bodies.set(request.event, (request.internal as JsonBodyInternal).jsonBody) })
    .handler(accept);
}

/** Timestamps resolved (default: now; at most a day ahead), values without nulls. */
function toLoggedEvents(events: readonly EventInput[], now: Date): LoggedEvent[] {
  const nowSeconds = Math.round(now.getTime()) / 1000;
  const latest = nowSeconds + MAX_FUTURE_SECONDS;
  return events.map((event, index) => {
    const timestamp = event.timestamp ?? nowSeconds;
    if (timestamp > latest) {
      throw new BadRequestError(
        `body.events[${index}].timestamp: ${new Date(timestamp * 1000).toISOString()} is more than a day in the future`,
        `body.events[${index}].timestamp`,
      );
    }
    return {
      ...(event.eventId === undefined ? {} : { eventId: event.eventId }),
      userId: event.userId,
      itemId: event.itemId,
      type: event.type,
      ...(event.value === undefined || event.value === null ? {} : { value: event.value }),
      timestamp,
    };
  });
}

function defaultStores(): EventStores {
  const config = loadConfig();
  const { s3, dynamo } = awsClients(config);
  return {
    s3,
    bucket: config.bucketName,
    idempotency: new IdempotencyStore(dynamo, config.idempotencyTableName, config.idempotencyWindowSeconds),
    history: new UserHistoryStore(dynamo, config.historyTableName, {
      maxLength: config.historyLength,
      ttlSeconds: config.historyTtlSeconds,
    }),
  };
}

export const handler = createEventsHandler();
