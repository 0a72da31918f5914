import { beforeAll, describe, expect, it } from 'vitest';
import { ApiRouter } from '../../../infra/local/apiRouter.ts';
import { loadFunction, type LoadedFunction } from '../../../infra/local/inProcessFunctions.ts';
import { LocalApi, type AccessLogEntry, type LocalResponse } from '../../../infra/local/localApi.ts';
import { PROJECT_ROOT } from '../../../infra/local/localDefaults.ts';
import type { LocalRequest } from '../../../infra/local/proxyEvent.ts';
import type { TemplateFunction, TemplateGatewayResponse, TemplateRoute } from '../../../infra/local/serviceDefinition.ts';
import { accessLine } from '../../../infra/local/accessLine.ts';

const KEY = 'test-key-0123456789-abcdefghij';
const FIXTURES = 'test/infra/local/fixtures/handlers.ts';

const spec = (name: string, exportName: string, timeoutSeconds = 5): TemplateFunction => ({
  name,
  stack: 'Test',
  logicalId: `${name}Fn`,
  entry: FIXTURES,
  exportName,
  environment: {},
  timeoutSeconds,
  memoryMb: 256,
});
const route = (method: string, path: string, fn: string, apiKeyRequired = true): TemplateRoute => ({
  method,
  path,
  apiKeyRequired,
  integration: { kind: 'function', function: fn },
});
const routes: TemplateRoute[] = [
  route('GET', '/v1/things/{thingId}', 'Echo'),
  route('POST', '/v1/things', 'Echo'),
  route('GET', '/v1/open', 'Echo', false),
  route('GET', '/v1/failing', 'Failing'),
  route('GET', '/v1/malformed', 'Malformed'),
  route('GET', '/v1/slow', 'Slow'),
  route('GET', '/v1/binary', 'Binary'),
  route('GET', '/v1/missing', 'NotLoaded'),
  {
    method: 'OPTIONS',
    path: '/v1/things',
    apiKeyRequired: false,
    integration: { kind: 'mock', statusCode: 204, headers: { 'Access-Control-Allow-Methods': 'GET,POST' } },
  },
  { method: 'GET', path: '/v1/http', apiKeyRequired: false, integration: { kind: 'unsupported', description: 'an HTTP integration' } },
];
const gatewayResponses = new Map<string, TemplateGatewayResponse>([
  [
    'INVALID_API_KEY',
    {
      type: 'INVALID_API_KEY',
      templates: { 'application/json': '{"error":"forbidden","message":$context.error.messageString}' },
      headers: {},
    },
  ],
  [
    'MISSING_AUTHENTICATION_TOKEN',
    {
      type: 'MISSING_AUTHENTICATION_TOKEN',
      statusCode: 404,
      templates: { 'application/json': '{"error":"not_found","message":"no such route or method"}' },
      headers: {},
    },
  ],
]);

interface Answer {
  readonly statusCode: number;
  readonly headers: LocalResponse['headers'];
  readonly json: Record<string, any>;
}

describe('LocalApi (fixture functions in process)', () => {
  const log: AccessLogEntry[] = [];
  let api: LocalApi;
  beforeAll(async () => {
    const functions = new Map<string, LoadedFunction>();
    for (const [name, exportName, timeout] of [
      ['Echo', 'echo'],
      ['Failing', 'failing'],
      ['Malformed', 'malformed'],
      ['Slow', 'slow', 0.2],
      ['Binary', 'binary'],
    ] as const) {
      functions.set(name, await loadFunction(PROJECT_ROOT, spec(name, exportName, timeout)));
    }
    api = new LocalApi({
      router: new ApiRouter(routes),
      functions,
      gatewayResponses,
      apiKey: KEY,
      stage: 'dev',
      onResponse: (entry) => log.push(entry),
    });
  });
  const send = async (method: string, url: string, headers: [string, string][] = [['x-api-key', KEY]], body?: string): Promise<Answer> => {
    const request: LocalRequest = { method, url, headers, ...(body === undefined ? {} : { body: Buffer.from(body) }) };
    const response = await api.handle(request);
    const text = response.body.toString('utf8');
    return { statusCode: response.statusCode, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  it('invokes the function with the REST proxy event of the route and answers its result', async () => {
    const answer = await send(
      'POST',
      '/v1/things?x=1',
      [
        ['X-Api-Key', KEY],
        ['Content-Type', 'application/json'],
      ],
      '{"a":1}',
    );
    expect(answer.statusCode).toBe(200);
    const body = answer.json;
    expect(body.event).toMatchObject({
      resource: '/v1/things',
      path: '/v1/things',
      httpMethod: 'POST',
      body: '{"a":1}',
      queryStringParameters: { x: '1' },
    });
    expect(body.event.requestContext.identity.apiKey).toBe(KEY);
    expect(body.functionName).toBe('Echo');
    expect(body.remainingMs).toBeGreaterThan(0);
    expect(answer.headers['x-amzn-RequestId']).toBe(body.event.requestContext.requestId);
  });

  it('passes path parameters', async () => {
    const answer = await send('GET', '/v1/things/t%2042');
    expect(answer.json.event.pathParameters).toEqual({ thingId: 't 42' });
  });

  it('answers 403 in the template’s shape without the key, or with a wrong one, saying which, and does not invoke the function', async () => {
    const before = log.filter((entry) => entry.function).length;
    for (const [headers, message] of [
      [[], 'Missing API key: this route needs the x-api-key header'],
      [[['x-api-key', '']], 'Missing API key: this route needs the x-api-key header'],
      [[['x-api-key', 'wrong']], 'Invalid API key: the x-api-key header does not hold a key of this API'],
      [[['x-api-key', `${KEY}x`]], 'Invalid API key: the x-api-key header does not hold a key of this API'],
    ] as [[string, string][], string][]) {
      const answer = await send('GET', '/v1/things/t1', headers);
      expect(answer.statusCode).toBe(403);
      expect(answer.json).toEqual({ error: 'forbidden', message });
      expect(answer.headers['x-amzn-ErrorType']).toBe('ForbiddenException');
    }
    expect(log.filter((entry) => entry.function).length).toBe(before);
  });

  it('needs no key on a method without ApiKeyRequired, and does not hand the function a key it did not check', async () => {
    const answer = await send('GET', '/v1/open', [['x-api-key', 'anything']]);
    expect(answer.statusCode).toBe(200);
    expect(answer.json.event.requestContext.identity.apiKey).toBeNull();
  });

  it('answers an unknown path with the template’s not-found response, and a missing method with 405 and Allow', async () => {
    const unknown = await send('GET', '/v1/nothing');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json).toEqual({ error: 'not_found', message: 'no such route or method' });
    const wrongMethod = await send('DELETE', '/v1/things');
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.Allow).toBe('OPTIONS, POST');
    expect(wrongMethod.json).toMatchObject({ error: 'method_not_allowed' });
  });

  it('answers a mock integration (CORS preflight) with its status and headers, no key needed', async () => {
    const answer = await send('OPTIONS', '/v1/things', []);
    expect(answer.statusCode).toBe(204);
    expect(answer.headers['Access-Control-Allow-Methods']).toBe('GET,POST');
  });

  it('answers 502 when the function throws, times out, answers no proxy result, is not loaded or cannot be run', async () => {
    for (const [path, errorType] of [
      ['/v1/failing', 'TypeError'],
      ['/v1/slow', 'Sandbox.Timedout'],
      ['/v1/malformed', 'Local.MalformedProxyResponse'],
      ['/v1/missing', 'Local.FunctionNotLoaded'],
      ['/v1/http', 'Local.UnsupportedIntegration'],
    ] as const) {
      const answer = await send('GET', path);
      expect(answer.statusCode, path).toBe(502);
      expect(answer.json, path).toEqual({ message: 'Internal server error' });
      expect(log.at(-1)?.error?.errorType, path).toBe(errorType);
    }
  });

  it('decodes a base64 body and merges multi-value headers', async () => {
    const response = await api.handle({ method: 'GET', url: '/v1/binary', headers: [['x-api-key', KEY]] });
    expect([...response.body]).toEqual([0, 1, 2, 255]);
    expect(response.headers['Set-Cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['Content-Type']).toBe('application/octet-stream');
  });

  it('logs every request with its status and function', () => {
    expect(
      log.some((entry) => entry.method === 'POST' && entry.path === '/v1/things' && entry.statusCode === 200 && entry.function === 'Echo'),
    ).toBe(true);
    expect(log.some((entry) => entry.path === '/v1/nothing' && entry.statusCode === 404 && entry.function === undefined)).toBe(true);
  });

  it('writes access lines with the route template, never the ids of the request path', async () => {
    await send('GET', '/v1/things/viewer-secret-42');
    const entry = log.findLast((e) => e.path === '/v1/things/viewer-secret-42')!;
    expect(entry.resource).toBe('/v1/things/{thingId}');
    expect(accessLine(entry)).toMatch(/^GET \/v1\/things\/\{thingId\} 200 [\d.]+ ms Echo$/);
    await send('GET', '/v1/nothing/viewer-secret-42');
    expect(accessLine(log.at(-1)!)).toMatch(/^GET \(no route\) 404 /);
  });
});
