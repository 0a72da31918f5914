import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ApiRouter } from './apiRouter.ts';
import { API_KEY_MESSAGES, renderGatewayError, type GatewayErrorType } from './gatewayResponses.ts';
import { invokeLoaded, type LoadedFunction } from './inProcessFunctions.ts';
import { FunctionError } from './lambdaContext.ts';
import { lastHeader, newRequestId, proxyEvent, splitUrl, type LocalRequest } from './proxyEvent.ts';
import type { TemplateGatewayResponse } from './serviceDefinition.ts';

export interface LocalResponse {
  readonly statusCode: number;
  /** Header name → value(s). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

/** One line of the access log. */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /**
   * The matched route as the template names it (`/v1/users/{userId}`): what logs print, so that
   * no viewer id reaches them; absent when no route matched.
   */
  readonly resource?: string;
  readonly statusCode: number;
  readonly ms: number;
  /** The function that answered, if one did. */
  readonly function?: string;
  /** Why the function failed (502). */
  readonly error?: FunctionError;
}

export interface LocalApiOptions {
  readonly router: ApiRouter;
  /** The API's functions, loaded, by name. */
  readonly functions: ReadonlyMap<string, LoadedFunction>;
  readonly gatewayResponses: ReadonlyMap<string, TemplateGatewayResponse>;
  /** The key every method with ApiKeyRequired takes in x-api-key. */
  readonly apiKey: string;
  /** The stage name in the events' requestContext. */
  readonly stage: string;
  readonly onResponse?: (entry: AccessLogEntry) => void;
}

/**
 * The API as API Gateway runs it, for the template's routes, without the transport: route
 * match (resources and methods of the template), API key check on the methods that require it,
 * the Lambda proxy event, the function's invocation, and the proxy result turned into a response.
 * API Gateway's own errors are rendered as the template customises them (gatewayResponses.ts).
 * Deliberate differences: a known path with a method it lacks answers 405 with Allow (API
 * Gateway answers it like an unknown path), and a missing key and a wrong key get distinct
 * messages (API Gateway says `Forbidden` to both).
 */
export class LocalApi {
  private readonly options: LocalApiOptions;
  private readonly key: Buffer;

  constructor(options: LocalApiOptions) {
    this.options = options;
    this.key = Buffer.from(options.apiKey, 'utf8');
  }

  async handle(request: LocalRequest): Promise<LocalResponse> {
    const started = performance.now();
    const requestId = newRequestId();
    const [path] = splitUrl(request.url);
    const match = this.options.router.match(request.method, path);
    const resource = match.kind === 'route' ? match.route.path : match.kind === 'method-not-allowed' ? match.resource : undefined;
    const log = (response: LocalResponse, fields: { function?: string; error?: FunctionError } = {}): LocalResponse => {
      this.options.onResponse?.({
        requestId,
        method: request.method,
        path,
        ...(resource ? { resource } : {}),
        statusCode: response.statusCode,
        ms: performance.now() - started,
        ...fields,
      });
      return response;
    };

    if (match.kind === 'not-found') return log(this.gatewayError('MISSING_AUTHENTICATION_TOKEN', requestId));
    if (match.kind === 'method-not-allowed') {
      const body = {
        error: 'method_not_allowed',
        message: `${request.method} is not allowed on ${match.resource}; allowed: ${match.allow.join(', ')}`,
      };
      return log(jsonResponse(405, body, { Allow: match.allow.join(', '), 'x-amzn-RequestId': requestId }));
    }
    const { route } = match;
    const key = lastHeader(request.headers, 'x-api-key');
    if (route.apiKeyRequired && !this.validKey(key)) {
      return log(
        this.gatewayError(
          'INVALID_API_KEY',
          requestId,
          key === undefined || key === '' ? API_KEY_MESSAGES.missing : API_KEY_MESSAGES.wrong,
        ),
      );
    }

    const integration = route.integration;
    if (integration.kind === 'mock') {
      return log({
        statusCode: integration.statusCode,
        headers: { ...integration.headers, 'x-amzn-RequestId': requestId },
        body: Buffer.alloc(0),
      });
    }
    if (integration.kind === 'unsupported') {
      return log(this.gatewayError('INTEGRATION_FAILURE', requestId), {
        error: new FunctionError('Local.UnsupportedIntegration', integration.description),
      });
    }
    const fn = this.options.functions.get(integration.function);
    if (!fn) {
      const error = new FunctionError('Local.FunctionNotLoaded', `${integration.function} is not loaded`);
      return log(this.gatewayError('INTEGRATION_FAILURE', requestId), { function: integration.function, error });
    }
    const event = proxyEvent(request, {
      resource: route.path,
      pathParameters: match.pathParameters,
      stage: this.options.stage,
      requestId,
      ...(key === undefined || !route.apiKeyRequired ? {} : { apiKey: key }),
    });
    try {
      const result = await invokeLoaded(fn, event, requestId);
      return log(proxyResponse(result, requestId), { function: fn.spec.name });
    } catch (error) {
      return log(this.gatewayError('INTEGRATION_FAILURE', requestId), { function: fn.spec.name, error: FunctionError.from(error) });
    }
  }

  /** API Gateway's response to one of its own errors, as the template customises it. */
  gatewayError(type: GatewayErrorType, requestId: string = newRequestId(), message?: string): LocalResponse {
    const rendered = renderGatewayError(type, this.options.gatewayResponses, requestId, message);
    return {
      statusCode: rendered.statusCode,
      headers: { ...rendered.headers, 'x-amzn-RequestId': requestId },
      body: Buffer.from(rendered.body, 'utf8'),
    };
  }

  private validKey(given: string | undefined): boolean {
    if (given === undefined) return false;
    const bytes = Buffer.from(given, 'utf8');
    return bytes.length === this.key.length && timingSafeEqual(bytes, this.key);
  }
}

/**
 * A Lambda proxy result as API Gateway turns it into a response: `headers` then
 * `multiValueHeaders` (which win for a name in both), a base64 body decoded. Anything that is not
 * a proxy result (no numeric statusCode, a body that is not a string) is a malformed response: 502.
 */
function proxyResponse(result: unknown, requestId: string): LocalResponse {
  const value = result as Partial<APIGatewayProxyResult> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Number.isInteger(value.statusCode) ||
    (value.body !== undefined && typeof value.body !== 'string')
  ) {
    throw new FunctionError(
      'Local.MalformedProxyResponse',
      `the function answered ${JSON.stringify(result)?.slice(0, 200)}, not {statusCode, headers?, body?}`,
    );
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, header] of Object.entries(value.headers ?? {})) headers[name] = String(header);
  for (const [name, list] of Object.entries(value.multiValueHeaders ?? {})) headers[name] = list.map(String);
  headers['x-amzn-RequestId'] = requestId;
  const body = value.body ?? '';
  return {
    statusCode: value.statusCode as number,
    headers,
    body: value.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string>): LocalResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body), 'utf8') };
}

export type { GatewayErrorType };
