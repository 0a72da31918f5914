import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  ResponseType,
  RestApi,
  type CfnMethod,
  type IApiKey,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { MarqueeFunction } from '../constructs/marqueeFunction.ts';
import { ROUTE_METADATA_KEY, type RouteMetadata } from '../constructs/templateMetadata.ts';
import { bindStorage } from './functionAccess.ts';
import { functionEnvironment } from './functionEnvironment.ts';
import type { MarqueeConfig } from './marqueeConfig.ts';
import type { ServiceFunctionSpec } from './serviceFunctions.ts';
import type { StorageResources } from './storageStack.ts';

export interface ApiStackProps extends StackProps {
  readonly storage: StorageResources;
  /** The functions with routes whose handler exists (functions/routes.ts). */
  readonly functions: readonly ServiceFunctionSpec[];
  readonly config: MarqueeConfig;
  readonly projectRoot: string;
}

/**
 * The REST API, built from functions/routes.ts: one Lambda proxy method per route, an API key on
 * every route that asks for one, a usage plan with throttling and a daily quota, CORS preflight
 * for the configured origins only,
 * JSON error bodies for API Gateway's own errors, and JSON access logs.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly functions: readonly MarqueeFunction[];
  readonly apiKey: IApiKey;
  readonly usagePlan: UsagePlan;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (props.functions.length === 0) throw new Error('the API has no function to route to: no handler of functions/routes.ts exists');

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    const methods = [...new Set(props.functions.flatMap((spec) => spec.routes.map((route) => route.method)))].sort();
    this.api = new RestApi(this, 'Api', {
      restApiName: `marquee-${config.stage}`,
      description: 'Marquee recommendations API',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      apiKeySourceType: ApiKeySourceType.HEADER,
      // Access logs need the account-level CloudWatch role; API Gateway has one per account and region.
      cloudWatchRole: true,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            requestTime: AccessLogField.contextRequestTime(),
            method: AccessLogField.contextHttpMethod(),
            resource: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            latencyMs: AccessLogField.contextResponseLatency(),
            integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
            apiKeyId: AccessLogField.contextIdentityApiKeyId(),
            error: AccessLogField.contextErrorResponseType(),
          }),
        ),
        // Execution logs for errors only, and never request or response bodies (viewers' histories).
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Per-method metrics are custom metrics, billed even when idle; the API-wide ones are free.
        metricsEnabled: false,
        // The stage's ceiling for all callers together, including /v1/health which has no key.
        throttlingRateLimit: config.throttleRatePerSecond,
        throttlingBurstLimit: config.throttleBurst,
      },
      // CORS only for the origins the configuration names: without it, no preflight route exists.
      ...(config.corsAllowOrigins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...config.corsAllowOrigins],
              allowMethods: methods,
              allowHeaders: ['Content-Type', 'X-Api-Key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.addGatewayResponses(config.corsAllowOrigins);

    const validator = this.api.addRequestValidator('PathParameters', { validateRequestParameters: true, validateRequestBody: false });
    const environment = functionEnvironment(config);
    this.functions = props.functions.map((spec) => {
      const fn = new MarqueeFunction(this, spec.name, {
        spec,
        projectRoot: props.projectRoot,
        architecture: config.architecture,
        memorySize: spec.usesOnnxRuntime ? config.servingMemoryMb : config.functionMemoryMb,
        // Well under API Gateway's 29 s; a cold start that fetches a large model fits.
        timeout: Duration.seconds(10),
        logRetention: config.logRetentionDays,
        environment,
      });
      bindStorage(fn, spec.name, props.storage);
      const integration = new LambdaIntegration(fn.function, { allowTestInvoke: false });
      for (const route of spec.routes) {
        const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
          apiKeyRequired: route.apiKeyRequired,
          requestValidator: validator,
          requestParameters: Object.fromEntries(pathParameters(route.path).map((name) => [`method.request.path.${name}`, true])),
        });
        const metadata: RouteMetadata = { ...route, function: spec.name };
        (method.node.defaultChild as CfnMethod).addMetadata(ROUTE_METADATA_KEY, metadata);
      }
      return fn;
    });

    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `marquee-${config.stage}`,
      description: 'Per-key throttle and daily quota',
      throttle: { rateLimit: config.throttleRatePerSecond, burstLimit: config.throttleBurst },
      quota: { limit: config.quotaPerDay, period: Period.DAY },
    });
    this.usagePlan.addApiStage({ stage: this.api.deploymentStage });
    this.apiKey = this.api.addApiKey('ApiKey', {
      apiKeyName: `marquee-${config.stage}`,
      description: 'The first client key of this stage',
    });
    this.usagePlan.addApiKey(this.apiKey);

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF: it costs a fixed monthly fee even when idle; API keys, the usage plan (throttle + quota) and stage throttling bound the traffic.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Clients authenticate with API keys (a service-to-service API for studios and apps); /v1/health and CORS preflight are public by design.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'No end-user identities here: callers are client backends holding an API key, not Cognito users.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'API Gateway validates the path parameters; bodies and query strings are validated by the handlers (zod), ' +
          'which answer 4xx naming the faulty field, something a request model cannot.',
      },
    );
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-level logging role; the AWS managed policy is the documented way to let the service write its logs.",
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL; routes start with v1/' });
    new CfnOutput(this, 'ApiKeyId', { value: this.apiKey.keyId, description: 'Read the key with the command of GetApiKeyCommand' });
    new CfnOutput(this, 'GetApiKeyCommand', {
      value: `aws apigateway get-api-key --api-key ${this.apiKey.keyId} --include-value --query value --output text`,
      description: 'Prints the API key',
    });
  }

  /** API Gateway's own errors (no key, throttled, no such route) as JSON in the handlers' `{error, message}` shape. */
  private addGatewayResponses(origins: readonly string[]): void {
    // A gateway response cannot echo the request's Origin: it carries the header only for one origin.
    const headers = origins.length === 1 ? { 'Access-Control-Allow-Origin': `'${origins[0]}'` } : undefined;
    const responses: readonly [string, ResponseType, string, string?][] = [
      ['NotFound', ResponseType.MISSING_AUTHENTICATION_TOKEN, 'not_found', '404'],
      ['InvalidApiKey', ResponseType.INVALID_API_KEY, 'forbidden'],
      ['Throttled', ResponseType.THROTTLED, 'throttled'],
      ['QuotaExceeded', ResponseType.QUOTA_EXCEEDED, 'quota_exceeded'],
      ['TooLarge', ResponseType.REQUEST_TOO_LARGE, 'payload_too_large'],
      ['BadParameters', ResponseType.BAD_REQUEST_PARAMETERS, 'invalid_request'],
      ['Default4xx', ResponseType.DEFAULT_4XX, 'bad_request'],
      ['Default5xx', ResponseType.DEFAULT_5XX, 'internal_error'],
    ];
    for (const [id, type, code, statusCode] of responses) {
      const message = code === 'not_found' ? '"no such route or method"' : '$context.error.messageString';
      // API Gateway answers a missing and a wrong key alike (INVALID_API_KEY, "Forbidden") and its
      // templates are static, so the hint covers both; the local service's message tells them apart.
      const hint = type === ResponseType.INVALID_API_KEY ? `,"hint":${JSON.stringify(API_KEY_HINT)}` : '';
      this.api.addGatewayResponse(id, {
        type,
        ...(statusCode ? { statusCode } : {}),
        ...(headers ? { responseHeaders: headers } : {}),
        templates: { 'application/json': `{"error":"${code}","message":${message}${hint}}` },
      });
    }
  }
}

/** What a 403 for the API key tells the client to do. */
export const API_KEY_HINT =
  'send the API key in the x-api-key header: `npx marquee key` shows the local one; the stack output GetApiKeyCommand prints the deployed one';

/** `/v1/users/{userId}/recommendations` → `['userId']`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]);
}
