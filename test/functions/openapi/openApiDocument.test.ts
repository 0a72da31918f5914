import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { API_OPERATIONS, BRIEF_EXAMPLE } from '../../../functions/openapi/apiOperations.ts';
import { openApiDocument } from '../../../functions/openapi/openApiDocument.ts';
import { recommendBodySchema } from '../../../functions/recommend/recommendRequest.ts';
import { FUNCTIONS } from '../../../functions/routes.ts';
import { expectMatchesApi } from '../../helpers/apiContract.ts';

const routes = FUNCTIONS.flatMap((fn) => fn.routes.map((route) => ({ ...route, key: `${route.method} ${route.path}` })));

type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { example?: unknown } } };
  responses: Record<string, { content?: { 'application/json': { schema: unknown } }; headers?: Record<string, unknown> }>;
};

const document = openApiDocument();
const operationOf = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()] as Operation | undefined;

describe('openApiDocument', () => {
  it('describes every route of functions/routes.ts, and nothing else', () => {
    for (const { method, path, key } of routes) expect(operationOf(method, path), key).toBeDefined();
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(routes.map((route) => route.key).sort());
    expect(Object.keys(API_OPERATIONS).sort()).toEqual(routes.map((route) => route.key).sort());
  });

  it('asks for the x-api-key header on exactly the routes that need a key', () => {
    expect(document.components).toMatchObject({ securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } });
    expect(document.security).toEqual([{ apiKey: [] }]);
    for (const { method, path, apiKeyRequired, key } of routes) {
      expect(operationOf(method, path)!.security, key).toEqual(apiKeyRequired ? undefined : []);
    }
    expect(
      routes
        .filter((route) => !route.apiKeyRequired)
        .map((route) => route.key)
        .sort(),
    ).toEqual(['GET /v1/health', 'GET /v1/openapi.json']);
  });

  it('states every path parameter of a route as a required id', () => {
    for (const { method, path, key } of routes) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const inPath = (operationOf(method, path)!.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect(
        inPath.map((parameter) => parameter.name),
        key,
      ).toEqual(names);
      for (const parameter of inPath) expect(parameter).toMatchObject({ required: true, schema: { type: 'string', maxLength: 256 } });
    }
  });

  it('states query parameters by the rules that parse them: count 1..100 (10), genre repeatable', () => {
    const parameters = operationOf('GET', '/v1/users/{userId}/recommendations')!.parameters!;
    const byName = Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter]));
    expect(byName.count.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    expect(byName.genre).toMatchObject({ in: 'query', explode: true, schema: { type: 'array' } });
    expect(byName.excludeSeen.schema).toMatchObject({ type: 'string', default: 'true' });
    expect(Object.keys(byName).sort()).toEqual(['count', 'exclude', 'excludeSeen', 'explain', 'genre', 'userId', 'yearFrom', 'yearTo']);
  });

  it("gives the brief's request as the example of POST /v1/recommendations, and it is a valid request", () => {
    const example = operationOf('POST', '/v1/recommendations')!.requestBody!.content['application/json'].example;
    expect(example).toEqual({ history: [1, 2, 3, 4, 5], preferences: { genre: 'action', actor: 'John Doe' } });
    expect(recommendBodySchema.safeParse(BRIEF_EXAMPLE).success).toBe(true);
  });

  it('gives every error response the {error, message, field} shape, and a 503 its Retry-After', () => {
    expect(document.components).toMatchObject({
      schemas: { Error: { required: ['error', 'message'], properties: { field: { type: 'string' } } } },
    });
    for (const { method, path, key } of routes) {
      const { responses } = operationOf(method, path)!;
      for (const [status, response] of Object.entries(responses).filter(([status]) => Number(status) >= 400)) {
        expect(response.content?.['application/json'].schema, `${key} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
      expect(responses['503'].headers, key).toHaveProperty('Retry-After');
    }
  });

  it('is what the response checks hold answers to: a wrong body or an undescribed status fails', () => {
    const popular = { recommendationId: '5f0c6a34-3f7e-4d4c-9a51-2f4a8a3d2c10', modelVersion: 'v1', personalized: false, items: [] };
    expectMatchesApi('GET /v1/popular', { statusCode: 200, body: popular });
    expect(() => expectMatchesApi('GET /v1/popular', { statusCode: 200, body: { ...popular, items: [{ itemId: 7 }] } })).toThrow(
      /against the document/,
    );
    expect(() => expectMatchesApi('GET /v1/popular', { statusCode: 200, body: { ...popular, personalized: 'no' } })).toThrow();
    expect(() => expectMatchesApi('GET /v1/popular', { statusCode: 400, body: { message: 'no code' } })).toThrow(/against the document/);
    expect(() => expectMatchesApi('GET /v1/health', { statusCode: 404, body: { error: 'not_found', message: 'x' } })).toThrow(
      /describes GET \/v1\/health 404/,
    );
  });

  it('passes `redocly lint` with the recommended rules, offline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const cli = join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const run = await promisify(execFile)(process.execPath, [cli, 'lint', '--extends=recommended', '--format=json', file], { env }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    const report = JSON.parse(run.stdout) as { totals: Record<string, number>; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);
});
