import type { S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsClients } from '../commons/awsClients.ts';
import { countRejections } from '../commons/countRejections.ts';
import { catalogItemExists, getCatalogItem, putCatalogItems } from '../commons/catalogStore.ts';
import { loadConfig } from '../commons/config.ts';
import { BadRequestError, MethodNotAllowedError, NotFoundError, ServiceUnavailableError } from '../commons/httpErrors.ts';
import { cors, jsonBody, jsonErrors, type JsonBodyInternal } from '../commons/httpMiddleware.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { logger, metrics } from '../commons/observability.ts';
import { itemPathSchema, postItemsRequestSchema, putItemRequestSchema, toCatalogItem } from './itemSchema.ts';

export interface CatalogStores {
  readonly s3: S3Client;
  readonly bucket: string;
}

export interface ItemsHandlerOptions {
  /** The bucket and client; by default those of the environment (read at the first request). */
  readonly stores?: () => CatalogStores;
  readonly now?: () => Date;
}

const RETRY_AFTER_SECONDS = 2;
const ITEM_ROUTE = '/v1/items/{itemId}';
const ITEMS_ROUTE = '/v1/items';

/**
 * The catalog API:
 * - PUT /v1/items/{itemId} — upsert one title: 201 when it creates it, 200 when it replaces it
 *   (with the stored item; two concurrent first PUTs may both answer 201);
 * - POST /v1/items — upsert 1–100 titles `{items: [...]}` (200 `{upserted, itemIds}`);
 * - GET /v1/items/{itemId} — the stored title, or 404.
 * Upserts write the items, then one change record (catalogStore), so serving can pick new titles
 * up without listing the catalog. A failed S3 call answers 503; upserts are idempotent, so the
 * client retries the request as it was.
 */
export function createItemsHandler(options: ItemsHandlerOptions = {}) {
  let stores: CatalogStores | undefined;
  const resolveStores = options.stores ?? defaultStores;
  const clock = options.now ?? (() => new Date());
  const bodies = new WeakMap<APIGatewayProxyEvent, unknown>();
  const store = (): CatalogStores => (stores ??= resolveStores());

  const put = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const body = bodies.get(event);
    if (body === undefined) throw new BadRequestError('a JSON request body is required', 'body');
    const { path, body: fields } = putItemRequestSchema.parse({ path: event.pathParameters ?? {}, body });
    if (fields.itemId !== undefined && fields.itemId !== path.itemId) {
      throw new BadRequestError(
        `body.itemId: ${JSON.stringify(fields.itemId)} differs from the path's ${JSON.stringify(path.itemId)}`,
        'body.itemId',
      );
    }
    const { s3, bucket } = store();
    const existed = await storing(() => catalogItemExists(s3, bucket, path.itemId));
    const { items } = await storing(() => putCatalogItems(s3, bucket, [toCatalogItem(path.itemId, fields)], clock()));
    metrics.addMetric('CatalogItemsUpserted', MetricUnit.Count, 1);
    return jsonResponse(existed ? 200 : 201, items[0]);
  };

  const post = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const body = bodies.get(event);
    if (body === undefined) throw new BadRequestError('a JSON request body is required', 'body');
    const { body: request } = postItemsRequestSchema.parse({ body });
    const { s3, bucket } = store();
    const { items } = await storing(() =>
      putCatalogItems(
        s3,
        bucket,
        request.items.map((fields) => toCatalogItem(fields.itemId, fields)),
        clock(),
      ),
    );
    metrics.addMetric('CatalogItemsUpserted', MetricUnit.Count, items.length);
    logger.info('catalog items upserted', { count: items.length });
    return jsonResponse(200, { upserted: items.length, itemIds: items.map((item) => item.itemId) });
  };

  const get = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const { path } = itemPathSchema.parse({ path: event.pathParameters ?? {} });
    const { s3, bucket } = store();
    const item = await storing(() => getCatalogItem(s3, bucket, path.itemId));
    metrics.addMetric('CatalogItemReads', MetricUnit.Count, 1);
    if (!item) throw new NotFoundError(`no catalog item ${JSON.stringify(path.itemId)}`, 'path.itemId');
    return jsonResponse(200, item);
  };

  const route = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const method = event.httpMethod;
    if (event.resource === ITEM_ROUTE) {
      if (method === 'PUT') return put(event);
      if (method === 'GET') return get(event);
      throw new MethodNotAllowedError(method, event.path, ['GET', 'PUT']);
    }
    if (event.resource === ITEMS_ROUTE) {
      if (method === 'POST') return post(event);
      throw new MethodNotAllowedError(method, event.path, ['POST']);
    }
    throw new NotFoundError(`no route ${method} ${event.resource}`);
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(countRejections('CatalogRequestsRejected'))
    .use(cors())
    .use(jsonErrors())
    .use(jsonBody({ required: false }))
    .use({ before: (request) => void bodies.set(request.event, (request.internal as JsonBodyInternal).jsonBody) })
    .handler(route);
}

/** Runs an S3 call of the catalog; a failure is the service's, answered 503. */
async function storing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    metrics.addMetric('CatalogStoreFailures', MetricUnit.Count, 1);
    throw new ServiceUnavailableError('the catalog store is unavailable; retry the request', RETRY_AFTER_SECONDS, { cause: error });
  }
}

function defaultStores(): CatalogStores {
  const config = loadConfig();
  return { s3: awsClients(config).s3, bucket: config.bucketName };
}

export const handler = createItemsHandler();
