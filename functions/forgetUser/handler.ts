import type { S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { countRejections } from '../commons/countRejections.ts';
import { ServiceUnavailableError } from '../commons/httpErrors.ts';
import { cors, jsonErrors } from '../commons/httpMiddleware.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { idSchema } from '../commons/idSchema.ts';
import { logger, metrics } from '../commons/observability.ts';
import { writeTombstone } from '../commons/tombstones.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';

export interface ForgetUserStores {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly history: UserHistoryStore;
}

export interface ForgetUserHandlerOptions {
  readonly stores?: () => ForgetUserStores;
  readonly now?: () => Date;
}

const RETRY_AFTER_SECONDS = 2;
const pathSchema = z.object({ path: z.object({ userId: idSchema }) });

/**
 * DELETE /v1/users/{userId} — the right to be forgotten. Writes the tombstone with the time (S3),
 * then the history's forget marker and deletes the user's history items (DynamoDB): from the
 * answer on, every event up to that moment is gone from serving, and every later retrain ignores
 * it (forgetting.ts); events sent later, even late ones stamped earlier, never bring it back,
 * while events after it are a new relationship that serving and training both use. Answers 202
 * Accepted, not 204: the events themselves leave events/ only when the next retrain compacts the
 * log (eventCompaction.compactEvents). Repeating the request moves forgottenAt forward. A store
 * failure answers 503 and the client repeats the request; the tombstone goes first so a half-done
 * request still keeps the events out of the next model.
 */
export function createForgetUserHandler(options: ForgetUserHandlerOptions = {}) {
  let stores: ForgetUserStores | undefined;
  const resolveStores = options.stores ?? defaultStores;
  const clock = options.now ?? (() => new Date());

  const forget = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const { path } = pathSchema.parse({ path: event.pathParameters ?? {} });
    stores ??= resolveStores();
    const { s3, bucket, history } = stores;
    let forgottenAt: string;
    try {
      ({ forgottenAt } = await writeTombstone(s3, bucket, path.userId, clock()));
      await history.forget(path.userId, Date.parse(forgottenAt));
    } catch (error) {
      metrics.addMetric('ForgetUserFailures', MetricUnit.Count, 1);
      throw new ServiceUnavailableError('the user could not be forgotten now; repeat the request', RETRY_AFTER_SECONDS, { cause: error });
    }
    metrics.addMetric('UsersForgotten', MetricUnit.Count, 1);
    logger.info('user forgotten', { forgottenAt });
    return jsonResponse(202, {
      userId: path.userId,
      forgottenAt,
      history: 'deleted',
      events:
        'those up to forgottenAt excluded from every later model and removed from the event log at the next retrain; later events are kept',
    });
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(countRejections('ForgetUserRejected'))
    .use(cors())
    .use(jsonErrors())
    .handler(forget);
}

function defaultStores(): ForgetUserStores {
  const config = loadConfig();
  const { s3, dynamo } = awsClients(config);
  return {
    s3,
    bucket: config.bucketName,
    history: new UserHistoryStore(dynamo, config.historyTableName, {
      maxLength: config.historyLength,
      ttlSeconds: config.historyTtlSeconds,
    }),
  };
}

export const handler = createForgetUserHandler();
