import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** What a test sends: the route (resource with {params}) and the request parts. */
export interface TestRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly resource: string;
  readonly pathParameters?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

/** An API Gateway REST proxy event, as the API (or the local router) hands it to a function. */
export function apiGatewayEvent(request: TestRequest): APIGatewayProxyEvent {
  const path = Object.entries(request.pathParameters ?? {}).reduce(
    (p, [name, value]) => p.replace(`{${name}}`, encodeURIComponent(value)),
    request.resource,
  );
  const body = request.body === undefined ? null : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  return {
    resource: request.resource,
    path,
    httpMethod: request.method,
    headers: { 'Content-Type': 'application/json', ...request.headers },
    multiValueHeaders: {},
    queryStringParameters: request.query ?? null,
    multiValueQueryStringParameters: request.query ? Object.fromEntries(Object.entries(request.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path,
      stage: 'v1',
      requestId: `test-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: request.resource,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A Lambda context with plenty of time left. */
export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
  memoryLimitInMB: '1024',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export interface TestResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | boolean>;
  readonly json: Record<string, unknown>;
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Invokes a handler in-process and parses its JSON body. */
export async function invoke(handler: Handler, request: TestRequest): Promise<TestResponse> {
  const result = await handler(apiGatewayEvent(request), lambdaContext);
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : {},
  };
}
