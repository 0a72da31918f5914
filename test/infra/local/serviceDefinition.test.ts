import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/routes.ts';
import type { ServiceTemplates } from '../../../infra/local/cfnTemplate.ts';
import { LOCAL_CONTEXT_DEFAULTS, PROJECT_ROOT, SAMPLE_EVENTS_DIR } from '../../../infra/local/localDefaults.ts';
import { readServiceDefinition, type ServiceDefinition } from '../../../infra/local/serviceDefinition.ts';
import { synthTemplates } from '../../../infra/local/synthTemplates.ts';

const routedSpecs = FUNCTIONS.filter((spec) => spec.routes.length > 0);

describe('readServiceDefinition, on the synthesized app', () => {
  let templates: ServiceTemplates;
  let definition: ServiceDefinition;
  beforeAll(() => {
    templates = synthTemplates({
      projectRoot: PROJECT_ROOT,
      context: { ...LOCAL_CONTEXT_DEFAULTS, modelRefreshSeconds: 7, corsAllowOrigins: 'http://localhost:5173' },
    });
    definition = readServiceDefinition(templates);
  });

  it('finds every route of functions/routes.ts at its path, integrated with its function, with its API-key requirement', () => {
    const routes = definition.routes.filter((route) => route.method !== 'OPTIONS');
    const found = routes.map(
      (route) =>
        `${route.method} ${route.path} ${route.apiKeyRequired} ${route.integration.kind === 'function' ? route.integration.function : route.integration.kind}`,
    );
    const expected = routedSpecs.flatMap((spec) =>
      spec.routes.map((route) => `${route.method} ${route.path} ${route.apiKeyRequired} ${spec.name}`),
    );
    expect(found.sort()).toEqual(expected.sort());
  });

  it('reads the CORS preflight methods of the configured origins as mock integrations with their headers', () => {
    const preflight = definition.routes.find((route) => route.method === 'OPTIONS' && route.path === '/v1/popular');
    expect(preflight?.integration).toMatchObject({
      kind: 'mock',
      statusCode: 204,
      headers: { 'Access-Control-Allow-Origin': 'http://localhost:5173' },
    });
    expect(preflight?.apiKeyRequired).toBe(false);
    for (const fn of definition.functions.values()) expect(fn.environment.CORS_ALLOW_ORIGINS).toBe('http://localhost:5173');
  });

  it('has no CORS locally either unless origins are configured: no preflight route, no origin for the handlers', () => {
    const plain = readServiceDefinition(synthTemplates({ projectRoot: PROJECT_ROOT, context: {} }));
    expect(plain.routes.filter((route) => route.method === 'OPTIONS')).toEqual([]);
    for (const fn of plain.functions.values()) expect(fn.environment).not.toHaveProperty('CORS_ALLOW_ORIGINS');
  });

  it('maps every function to its handler source and export, with its timeout and environment as in the template', () => {
    expect([...definition.functions.keys()].sort()).toEqual(FUNCTIONS.map((spec) => spec.name).sort());
    for (const spec of FUNCTIONS) {
      const fn = definition.functions.get(spec.name)!;
      expect(fn.entry).toBe(spec.entry);
      expect(fn.exportName).toBe('handler');
      expect(fn.timeoutSeconds).toBeGreaterThan(0);
      // Context reaches the environment; the bucket's name is a reference to the storage stack.
      expect(fn.environment.MODEL_REFRESH_SECONDS).toBe('7');
      expect(typeof fn.environment.BUCKET_NAME).toBe('object');
    }
    expect(definition.unknownFunctions).toEqual([]);
  });

  it('finds the retrain schedule and the API’s customised gateway responses', () => {
    expect(definition.schedules).toEqual([
      expect.objectContaining({ function: 'Retrain', expression: expect.stringMatching(/^(rate|cron)\(/) }),
    ]);
    expect(definition.gatewayResponses.get('INVALID_API_KEY')?.templates['application/json']).toContain('$context.error.messageString');
    expect(definition.gatewayResponses.get('MISSING_AUTHENTICATION_TOKEN')?.statusCode).toBe(404);
  });

  it('ships a sample event for every function, each one a request to a route of that function', () => {
    for (const name of definition.functions.keys()) {
      const event = JSON.parse(readFileSync(join(PROJECT_ROOT, SAMPLE_EVENTS_DIR, `${name}.json`), 'utf8')) as {
        httpMethod?: string;
        resource?: string;
        source?: string;
      };
      const routes = definition.routes.filter((route) => route.integration.kind === 'function' && route.integration.function === name);
      if (routes.length === 0) {
        expect(event.source, name).toBe('aws.events');
        continue;
      }
      expect(
        routes.map((route) => `${route.method} ${route.path}`),
        name,
      ).toContain(`${event.httpMethod} ${event.resource}`);
    }
  });
});

describe('readServiceDefinition, on edge cases of a template', () => {
  const method = (integration: unknown, resourceId: unknown = { 'Fn::GetAtt': ['Api', 'RootResourceId'] }) => ({
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: 'get', ResourceId: resourceId, ApiKeyRequired: false, Integration: integration },
  });

  it('marks a proxy method whose function has no marquee metadata, or an HTTP integration, as unsupported', () => {
    const definition = readServiceDefinition({
      stacks: {
        S: {
          Resources: {
            Bare: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
            Res: {
              Type: 'AWS::ApiGateway::Resource',
              Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'bare' },
            },
            M1: method(
              { Type: 'AWS_PROXY', Uri: { 'Fn::Join': ['', ['arn:', { 'Fn::GetAtt': ['Bare', 'Arn'] }, '/invocations']] } },
              { Ref: 'Res' },
            ),
            M2: method({ Type: 'HTTP_PROXY', Uri: 'https://example.com' }),
          },
        },
      },
    });
    expect(definition.unknownFunctions).toEqual(['S/Bare']);
    expect(definition.routes.map((route) => [route.method, route.path, route.integration.kind])).toEqual([
      ['GET', '/bare', 'unsupported'],
      ['GET', '/', 'unsupported'],
    ]);
  });

  it('refuses a resource whose parent is not a resource', () => {
    expect(() => readServiceDefinition({ stacks: { S: { Resources: { M: method({ Type: 'MOCK' }, { Ref: 'Nowhere' }) } } } })).toThrow(
      /Nowhere is not an API resource/,
    );
  });
});
