import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { FUNCTIONS } from '../routes.ts';
import { MethodNotAllowedError, NotFoundError } from './httpErrors.ts';
import { cors, jsonBody, jsonErrors, type JsonBodyInternal } from './httpMiddleware.ts';
import { withModel, type ModelContext, type ModelLoader } from './modelLoader.ts';
import { logger, metrics } from './observability.ts';

type FunctionName = (typeof FUNCTIONS)[number]['name'];

/** How one route of a function reads its request. */
export interface ServingRoute<Input> {
  /** The route takes a JSON body (parsed by jsonBody(): 413 / 415 / 400). */
  readonly body?: boolean;
  /** Validates the event (and the parsed body) into the handler's input; throws a 4xx. */
  readonly parse: (event: APIGatewayProxyEvent, body: unknown) => Input;
}

export interface ServingHandlerOptions<Input, Model> {
  /** The function's name in functions/routes.ts; `routes` must be exactly its routes. */
  readonly functionName: FunctionName;
  /** By `"<METHOD> <resource>"`, e.g. `"GET /v1/popular"`. */
  readonly routes: Readonly<Record<string, ServingRoute<Input>>>;
  /** The model the handler runs; absent for handlers that need none (health). */
  readonly loader?: ModelLoader<Model>;
  /** Answers a valid request with the leased model (undefined without a loader). */
  readonly handle: (input: Input, model: Model, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> | APIGatewayProxyResult;
}

/** The Lambda context with what the middlewares found: the leased model, when there is a loader. */
export type ServingContext<Model> = Context & Partial<ModelContext<Model>> & { readonly input?: unknown };

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

interface LatencyInternal {
  startedAt?: number;
}

/**
 * A serving function as a middy stack: Powertools logging (Lambda context, cold start) and
 * metrics (cold start, `Latency` per request), JSON errors, route check (404 / 405), body
 * parsing, input validation — all before the model is leased, so bad input gets its 4xx even
 * with no model loaded — then the model lease, then `handle`.
 */
export function servingHandler<Input, Model>(options: ServingHandlerOptions<Input, Model>) {
  const declared = FUNCTIONS.find((spec) => spec.name === options.functionName);
  const declaredRoutes = (declared?.routes ?? []).map((route) => `${route.method} ${route.path}`).sort();
  const given = Object.keys(options.routes).sort();
  if (declaredRoutes.join('\n') !== given.join('\n')) {
    throw new Error(`${options.functionName}: routes ${given.join(', ')} differ from functions/routes.ts (${declaredRoutes.join(', ')})`);
  }
  const paths = new Map<string, string[]>();
  for (const key of given) {
    const [method, path] = key.split(' ');
    paths.set(path, [...(paths.get(path) ?? []), method]);
  }
  const bodyParser = jsonBody();

  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(latencyMetric())
    .use(cors())
    .use(jsonErrors())
    .use({
      before: async (request: Request) => {
        const { event } = request;
        const route = options.routes[`${event.httpMethod} ${event.resource}`];
        if (!route) {
          const methods = paths.get(event.resource);
          if (methods) throw new MethodNotAllowedError(event.httpMethod, event.resource, methods);
          throw new NotFoundError(`no route ${event.httpMethod} ${event.path ?? event.resource}`, 'path');
        }
        if (route.body) await bodyParser.before?.(request);
        const input = route.parse(event, (request.internal as JsonBodyInternal).jsonBody);
        request.context = Object.create(request.context, { input: { value: input, enumerable: true } }) as Context;
      },
    });
  if (options.loader)
    handler.use(
      withModel<Model, APIGatewayProxyEvent, APIGatewayProxyResult>(options.loader) as unknown as middy.MiddlewareObj<
        APIGatewayProxyEvent,
        APIGatewayProxyResult,
        Error,
        Context
      >,
    );
  return handler.handler(async (event, context) => {
    const serving = context as ServingContext<Model>;
    return options.handle(serving.input as Input, serving.model as Model, event);
  });
}

/** Adds the request's duration as the `Latency` metric (milliseconds), errors included. */
function latencyMetric(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const record = async (request: Request): Promise<void> => {
    const startedAt = (request.internal as LatencyInternal).startedAt;
    if (startedAt !== undefined) metrics.addMetric('Latency', MetricUnit.Milliseconds, performance.now() - startedAt);
  };
  return {
    before: async (request: Request) => {
      (request.internal as LatencyInternal).startedAt = performance.now();
    },
    after: record,
    onError: record,
  };
}
