import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A request as it reached the local API, independent of the transport. */
export interface LocalRequest {
  readonly method: string;
  /** Path and query string as sent: `/v1/popular?genre=drama`. */
  readonly url: string;
  /** Header name/value pairs in the order sent, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  readonly sourceIp?: string;
  readonly protocol?: string;
}

export interface ProxyEventContext {
  /** The resource path with {parameters}. */
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly stage: string;
  readonly requestId: string;
  readonly apiKey?: string;
}

/** `/a/b?x=1` → `['/a/b', 'x=1']` (no query: ''). */
export function splitUrl(url: string): [path: string, query: string] {
  const mark = url.indexOf('?');
  return mark < 0 ? [url, ''] : [url.slice(0, mark), url.slice(mark + 1)];
}

/**
 * The API Gateway REST proxy event (payload 1.0) API Gateway would hand the function for this
 * request: `headers` / `queryStringParameters` hold the last value of a repeated name and the
 * multi-value maps all of them; query values are percent-decoded; an empty query or body is null;
 * the body is text (the API declares no binary media types, so isBase64Encoded is false).
 */
export function proxyEvent(request: LocalRequest, context: ProxyEventContext): APIGatewayProxyEvent {
  const [path, query] = splitUrl(request.url);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (query !== '') {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = decode(equals < 0 ? pair : pair.slice(0, equals));
      const value = equals < 0 ? '' : decode(pair.slice(equals + 1));
      queryStringParameters[name] = value;
      (multiValueQueryStringParameters[name] ??= []).push(value);
    }
  }
  const userAgent = lastHeader(request.headers, 'user-agent') ?? null;
  const now = Date.now();
  return {
    resource: context.resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: context.pathParameters === null ? null : { ...context.pathParameters },
    stageVariables: null,
    body: request.body === undefined || request.body.length === 0 ? null : request.body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      domainName: lastHeader(request.headers, 'host') ?? 'localhost',
      protocol: request.protocol ?? 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: context.apiKey ?? null,
        apiKeyId: context.apiKey === undefined ? null : 'local',
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${context.stage}${path}`,
      stage: context.stage,
      requestId: context.requestId,
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: context.resource,
    },
  };
}

/** The last value of a header (names compared case-insensitively). */
export function lastHeader(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0].toLowerCase() === name) return headers[i][1];
  return undefined;
}

export function newRequestId(): string {
  return randomUUID();
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
