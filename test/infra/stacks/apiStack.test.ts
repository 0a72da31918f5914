import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/routes.ts';
import { ROUTE_METADATA_KEY, type RouteMetadata } from '../../../infra/constructs/templateMetadata.ts';
import { API_KEY_HINT, pathParameters } from '../../../infra/stacks/apiStack.ts';
import { asArray, functionsByName, resources, roleStatements, storageAccess, type CfnResource } from './templateQueries.ts';
import { fixtureFunctions, testApp as cloudApp } from './testApp.ts';

/** The app with every route of functions/routes.ts, GET /v1/model/files included (off by default in the cloud). */
const testApp: typeof cloudApp = (context = {}, functions) => cloudApp({ modelDownloads: true, ...context }, functions);

const routed = FUNCTIONS.filter((spec) => spec.routes.length > 0);
const allRoutes = routed.flatMap((spec) => spec.routes.map((route) => ({ ...route, function: spec.name })));

/** The path of an AWS::ApiGateway::Resource, walked up through ParentId to the API root. */
function resourcePath(all: Record<string, CfnResource>, resourceId: unknown): string {
  const ref = (resourceId as { Ref?: string }).Ref;
  if (!ref) return ''; // { Fn::GetAtt: [api, RootResourceId] }
  const resource = all[ref];
  return `${resourcePath(all, resource.Properties.ParentId)}/${resource.Properties.PathPart as string}`;
}

describe('ApiStack', () => {
  const { stacks, config } = testApp();
  const template = Template.fromStack(stacks.api);
  const methods = resources(template, 'AWS::ApiGateway::Method');
  const apiResources = resources(template, 'AWS::ApiGateway::Resource');
  const routeMethods = Object.values(methods).filter((method) => method.Properties.HttpMethod !== 'OPTIONS');
  const functions = functionsByName(template);

  describe('routes (built from functions/routes.ts)', () => {
    it('has one method per route, at the route path, and no other', () => {
      const found = routeMethods
        .map((method) => `${method.Properties.HttpMethod as string} ${resourcePath(apiResources, method.Properties.ResourceId)}`)
        .sort();
      expect(found).toEqual(allRoutes.map((route) => `${route.method} ${route.path}`).sort());
    });

    it('requires an API key on every route but /v1/health and /v1/openapi.json', () => {
      const open = ['/v1/health', '/v1/openapi.json'];
      for (const method of routeMethods) {
        const path = resourcePath(apiResources, method.Properties.ResourceId);
        expect({ path, apiKeyRequired: method.Properties.ApiKeyRequired }).toEqual({ path, apiKeyRequired: !open.includes(path) });
      }
      expect(allRoutes.filter((route) => !route.apiKeyRequired).map((route) => route.path)).toEqual(open);
    });

    it('routes each method to its function through a Lambda proxy integration', () => {
      for (const method of routeMethods) {
        const route = method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata;
        const fn = functions.get(route.function);
        expect(fn, route.function).toBeDefined();
        expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
        expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(fn?.logicalId);
      }
    });

    it('writes each route in the method metadata, as the local service reads it', () => {
      const fromMetadata = routeMethods.map((method) => method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata);
      expect(fromMetadata.sort((a, b) => `${a.method}${a.path}`.localeCompare(`${b.method}${b.path}`))).toEqual(
        [...allRoutes].sort((a, b) => `${a.method}${a.path}`.localeCompare(`${b.method}${b.path}`)),
      );
      for (const method of routeMethods) {
        const route = method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata;
        expect(resourcePath(apiResources, method.Properties.ResourceId)).toBe(route.path);
      }
    });

    it('requires the path parameters of each route (request validator on parameters)', () => {
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
      for (const method of routeMethods) {
        const route = method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata;
        const expected = Object.fromEntries(pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]));
        expect(method.Properties.RequestParameters ?? {}).toEqual(expected);
        expect(method.Properties.RequestValidatorId).toBeDefined();
      }
      expect(pathParameters('/v1/users/{userId}/recommendations')).toEqual(['userId']);
    });

    it('leaves out a function whose handler does not exist, with a warning naming it', () => {
      const specs = fixtureFunctions().map((spec) =>
        spec.name === 'Similar' ? { ...spec, entry: 'functions/similar/missing-handler.ts' } : spec,
      );
      const partial = testApp({}, specs);
      const partialTemplate = Template.fromStack(partial.stacks.api);
      const paths = Object.values(resources(partialTemplate, 'AWS::ApiGateway::Method')).map(
        (method) => (method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata | undefined)?.path,
      );
      expect(paths).not.toContain('/v1/items/{itemId}/similar');
      expect(paths).toContain('/v1/items/{itemId}');
      expect(functionsByName(partialTemplate).has('Similar')).toBe(false);
      Annotations.fromStack(partial.stacks.api).hasWarning(
        '*',
        Match.stringLikeRegexp('functions/similar/missing-handler.ts does not exist: Similar'),
      );
    });

    it.each([
      [{}, false],
      [{ modelDownloads: 'false' }, false],
      [{ modelDownloads: 'true' }, true],
    ])('deploys GET /v1/model/files and its function only when modelDownloads is on (context %j)', (context, deployed) => {
      const app = cloudApp(context);
      expect(app.config.modelDownloads).toBe(deployed);
      const built = Template.fromStack(app.stacks.api);
      const paths = Object.values(resources(built, 'AWS::ApiGateway::Method')).map(
        (method) => (method.Metadata?.[ROUTE_METADATA_KEY] as RouteMetadata | undefined)?.path,
      );
      expect(paths.includes('/v1/model/files')).toBe(deployed);
      expect(paths).toContain('/v1/model');
      expect(functionsByName(built).has('ModelFiles')).toBe(deployed);
    });
  });

  describe('API keys, usage plan, limits', () => {
    it('ties one API key to a usage plan with the configured throttle and daily quota on the stage', () => {
      const custom = Template.fromStack(
        testApp({ throttleRatePerSecond: '50', throttleBurst: '80', quotaPerDay: '10000', stage: 'prod' }).stacks.api,
      );
      const stage = new Capture();
      custom.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: 50, BurstLimit: 80 },
        Quota: { Limit: 10_000, Period: 'DAY' },
        ApiStages: [{ ApiId: Match.anyValue(), Stage: { Ref: stage } }],
      });
      custom.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
      expect(Object.keys(resources(custom, 'AWS::ApiGateway::Stage'))).toEqual([stage.asString()]);
      custom.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
      custom.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyType: 'API_KEY',
        KeyId: { Ref: Match.stringLikeRegexp('ApiKey') },
      });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: 100, BurstLimit: 200 },
        Quota: { Limit: 1_000_000, Period: 'DAY' },
      });
    });

    it('throttles the stage as a whole, logs errors only and never bodies, and writes JSON access logs to a log group with retention', () => {
      const format = new Capture();
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: config.stage,
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: 100,
            ThrottlingBurstLimit: 200,
          }),
        ],
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: format },
      });
      const fields = JSON.parse(format.asString()) as Record<string, string>;
      expect(fields).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        apiKeyId: '$context.identity.apiKeyId',
        latencyMs: '$context.responseLatency',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      template.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
    });

    it('has no CORS unless corsAllowOrigins names origins: no preflight, no Allow-Origin anywhere', () => {
      expect(Object.values(methods).filter((method) => method.Properties.HttpMethod === 'OPTIONS')).toEqual([]);
      expect(JSON.stringify(template.toJSON())).not.toContain('Access-Control-Allow-Origin');
      for (const { resource } of functions.values())
        expect(resource.Properties.Environment.Variables).not.toHaveProperty('CORS_ALLOW_ORIGINS');
    });

    it('answers CORS preflight on every route resource for the configured origin, allowing the API key header', () => {
      const restricted = Template.fromStack(testApp({ corsAllowOrigins: 'https://app.example.com' }).stacks.api);
      const all = resources(restricted, 'AWS::ApiGateway::Method');
      const options = Object.values(all).filter((method) => method.Properties.HttpMethod === 'OPTIONS');
      const optionPaths = new Set(
        options.map((method) => resourcePath(resources(restricted, 'AWS::ApiGateway::Resource'), method.Properties.ResourceId)),
      );
      for (const route of allRoutes) expect(optionPaths, route.path).toContain(route.path);
      for (const method of options) {
        expect(method.Properties.ApiKeyRequired ?? false).toBe(false);
        const headers = method.Properties.Integration.IntegrationResponses[0].ResponseParameters as Record<string, string>;
        expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
        expect(headers['method.response.header.Access-Control-Allow-Headers']).toContain('X-Api-Key');
      }
      restricted.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'INVALID_API_KEY',
        ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" },
      });
      for (const { resource } of functionsByName(restricted).values()) {
        expect(resource.Properties.Environment.Variables).toMatchObject({ CORS_ALLOW_ORIGINS: 'https://app.example.com' });
      }
    });

    it("answers API Gateway's own errors with JSON in the handlers' shape (404 for an unknown route)", () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
        ResponseTemplates: { 'application/json': '{"error":"not_found","message":"no such route or method"}' },
      });
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'INVALID_API_KEY',
        ResponseTemplates: {
          'application/json': `{"error":"forbidden","message":$context.error.messageString,"hint":${JSON.stringify(API_KEY_HINT)}}`,
        },
      });
      expect(API_KEY_HINT).toMatch(/x-api-key.*npx marquee key.*GetApiKeyCommand/);
      for (const [type, code] of [
        ['THROTTLED', 'throttled'],
        ['QUOTA_EXCEEDED', 'quota_exceeded'],
        ['REQUEST_TOO_LARGE', 'payload_too_large'],
        ['DEFAULT_5XX', 'internal_error'],
      ]) {
        template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
          ResponseType: type,
          ResponseTemplates: { 'application/json': `{"error":"${code}","message":$context.error.messageString}` },
        });
      }
    });

    it('outputs the API URL, the API key id and the command that prints the key', () => {
      template.hasOutput('ApiUrl', { Value: Match.anyValue() });
      template.hasOutput('ApiKeyId', { Value: { Ref: Match.stringLikeRegexp('ApiKey') } });
      const command = new Capture();
      template.hasOutput('GetApiKeyCommand', { Value: command });
      expect(JSON.stringify(command.asObject())).toContain('--include-value');
    });
  });

  describe('functions', () => {
    it('runs every routed function on nodejs22.x, x86_64 by default, ESM entry index.handler', () => {
      expect([...functions.keys()].sort()).toEqual(routed.map((spec) => spec.name).sort());
      for (const { resource } of functions.values()) {
        expect(resource.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['x86_64'],
          Handler: 'index.handler',
          Timeout: 10,
        });
      }
    });

    it('takes the architecture and memory sizes from context', () => {
      const arm = functionsByName(
        Template.fromStack(testApp({ architecture: 'arm64', servingMemoryMb: '2048', functionMemoryMb: '256' }).stacks.api),
      );
      for (const spec of routed) {
        expect(arm.get(spec.name)?.resource.Properties).toMatchObject({
          Architectures: ['arm64'],
          MemorySize: spec.usesOnnxRuntime ? 2048 : 256,
        });
        expect(functions.get(spec.name)?.resource.Properties.MemorySize).toBe(spec.usesOnnxRuntime ? 1024 : 512);
      }
    });

    it('gives every function the configuration its handlers read, and the names of the bucket and tables', () => {
      const custom = functionsByName(
        Template.fromStack(testApp({ modelRefreshSeconds: '15', historyLength: 50, logLevel: 'DEBUG' }).stacks.api),
      );
      for (const { resource } of custom.values()) {
        const variables = resource.Properties.Environment.Variables as Record<string, unknown>;
        expect(variables).toMatchObject({
          MODEL_REFRESH_SECONDS: '15',
          HISTORY_LENGTH: '50',
          HISTORY_TTL_DAYS: '180',
          IDEMPOTENCY_WINDOW_HOURS: '24',
          POWERTOOLS_SERVICE_NAME: 'marquee',
          POWERTOOLS_METRICS_NAMESPACE: 'Marquee',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
        });
        for (const name of ['BUCKET_NAME', 'HISTORY_TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME'])
          expect(JSON.stringify(variables[name])).toContain('Marquee-dev-Storage');
        expect(variables).not.toHaveProperty('AWS_ENDPOINT_URL_S3');
      }
    });

    it('logs each function to its own log group with the configured retention', () => {
      const logGroups = resources(Template.fromStack(testApp({ logRetentionDays: '90' }).stacks.api), 'AWS::Logs::LogGroup');
      for (const { resource } of functions.values()) {
        const id = (resource.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
        expect(logGroups[id]?.Properties.RetentionInDays).toBe(90);
      }
    });
  });

  describe('least privilege', () => {
    const serving = {
      'bucket/catalog/changes/*': ['s3:GetObject'],
      'bucket/catalog/items/*': ['s3:GetObject'],
      'bucket/models/*': ['s3:GetObject'],
    };
    const servingList = ['catalog/changes/*', 'catalog/items/*', 'models/*'];
    const s3Of = (actions: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(actions).filter(([name]) => name.startsWith('bucket')));
    const access = (name: string) => storageAccess(template, stacks.storage, functions.get(name)!.resource);

    it.each([
      ['Recommend', serving, servingList],
      ['Similar', serving, servingList],
      ['Rank', serving, servingList],
      ['Popular', serving, servingList],
      ['ModelInfo', { 'bucket/models/*': ['s3:GetObject'] }, ['models/*']],
      ['ModelFiles', { 'bucket/models/*': ['s3:GetObject'] }, ['models/*']],
      ['Health', { 'bucket/models/*': ['s3:GetObject'] }, ['models/*']],
      ['OpenApi', {}, []],
      ['Events', { 'bucket/events/*': ['s3:PutObject'] }, []],
      [
        'Items',
        { 'bucket/catalog/changes/*': ['s3:PutObject'], 'bucket/catalog/items/*': ['s3:GetObject', 's3:PutObject'] },
        ['catalog/items/*'],
      ],
      ['ForgetUser', { 'bucket/tombstones/*': ['s3:PutObject'] }, []],
      ['UserHistory', {}, []],
    ])('%s touches exactly its prefixes of the bucket', (name, objects, listPrefixes) => {
      const { actions, listPrefixes: listed } = access(name);
      const bucketLevel = listPrefixes.length > 0 ? { bucket: ['s3:ListBucket'] } : {};
      expect(s3Of(actions)).toEqual({ ...objects, ...bucketLevel });
      expect(listed).toEqual(listPrefixes);
    });

    /** Exactly the calls each function's code makes (infra/stacks/functionAccess.ts): no Scan, no Query of a whole table. */
    const DYNAMODB: Record<string, Record<string, string[]>> = {
      Recommend: { historyTable: ['dynamodb:Query'] },
      Rank: { historyTable: ['dynamodb:Query'] },
      UserHistory: { historyTable: ['dynamodb:Query'] },
      Events: {
        historyTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        idempotencyTable: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
      },
      ForgetUser: { historyTable: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query'] },
      Similar: {},
      Popular: {},
      ModelInfo: {},
      ModelFiles: {},
      Health: {},
      OpenApi: {},
      Items: {},
    };

    it('lists a DynamoDB grant for every routed function', () => {
      expect(Object.keys(DYNAMODB).sort()).toEqual([...functions.keys()].sort());
    });

    it.each(Object.entries(DYNAMODB))('%s may call exactly its DynamoDB actions, on its tables only', (name, tables) => {
      const { actions } = access(name);
      const dynamo = Object.fromEntries(
        Object.entries(actions).filter(([resource]) => resource.startsWith('historyTable') || resource.startsWith('idempotencyTable')),
      );
      expect(dynamo).toEqual(tables);
      const allActions = roleStatements(template, functions.get(name)!.resource).flatMap((statement) => asArray(statement.Action));
      expect(allActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(Object.values(tables).flat().sort());
    });

    it('grants no wildcard action, nothing on the whole bucket, and no managed policy to any function', () => {
      const roles = resources(template, 'AWS::IAM::Role');
      for (const [name, { resource }] of functions) {
        const statements = roleStatements(template, resource);
        for (const statement of statements) {
          for (const action of asArray(statement.Action)) expect(action, name).not.toContain('*');
          expect(statement.Effect).toBe('Allow');
        }
        expect(Object.keys(access(name).actions).filter((resourceName) => resourceName === 'bucket/*')).toEqual([]);
        const roleId = (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        expect(roles[roleId].Properties.ManagedPolicyArns, name).toBeUndefined();
      }
    });
  });
});
