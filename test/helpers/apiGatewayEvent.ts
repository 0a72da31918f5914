import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export interface ApiGatewayEventOptions {
  readonly method: string;
  /** The route as API Gateway names it, with {parameters}: `/v1/users/{userId}/recommendations`. */
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
  /** A repeatable parameter takes an array. */
  readonly query?: Record<string, string | number | boolean | readonly (string | number)[]>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly base64?: boolean;
}

/** An API Gateway REST proxy event, as the Lambda integration delivers it. */
export function apiGatewayEvent(options: ApiGatewayEventOptions): APIGatewayProxyEvent {
  const pathParameters = options.pathParameters ?? null;
  let path = options.resource;
  for (const [name, value] of Object.entries(pathParameters ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(options.query ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    multi[name] = values;
    single[name] = values[values.length - 1];
  }
  const hasQuery = Object.keys(multi).length > 0;
  let body: string | null = null;
  if (options.body !== undefined) body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  if (body !== null && options.base64) body = Buffer.from(body, 'utf8').toString('base64');
  const headers: Record<string, string> = {
    Host: 'api.example.com',
    ...(body !== null ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  return {
    resource: options.resource,
    path,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: options.resource,
    },
  };
}

/** A Lambda context for in-process invocations (a fresh one per call, as Lambda gives). */
export function lambdaContext(functionName = 'marquee-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A handler's response with its JSON body parsed. */
export interface JsonResult<Body = Record<string, unknown>> {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | boolean>;
  readonly body: Body;
}

/** Invokes a handler with an event and a fresh context, and parses the JSON body. */
export async function invoke<Body = Record<string, unknown>>(
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  event: APIGatewayProxyEvent,
): Promise<JsonResult<Body>> {
  const result = await handler(event, lambdaContext());
  return { statusCode: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Body };
}
