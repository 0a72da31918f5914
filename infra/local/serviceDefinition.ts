import { FUNCTION_METADATA_KEY, type FunctionMetadata } from '../constructs/templateMetadata.ts';
import { referencedIds, resourcesOfType, type CfnResource, type ServiceTemplates } from './cfnTemplate.ts';

/**
 * What the local service runs, read from the synthesized templates alone: the functions (each
 * tagged by MarqueeFunction with its functions/routes.ts name and handler source), the API's
 * methods and what each integrates with, API Gateway's own error responses, and schedules.
 */
export interface ServiceDefinition {
  /** By function name (functions/routes.ts). */
  readonly functions: ReadonlyMap<string, TemplateFunction>;
  readonly routes: readonly TemplateRoute[];
  /** By response type (`INVALID_API_KEY`, `DEFAULT_4XX`, …). */
  readonly gatewayResponses: ReadonlyMap<string, TemplateGatewayResponse>;
  readonly schedules: readonly TemplateSchedule[];
  /** Lambda functions without the marquee metadata: in the template, but with no source to run. */
  readonly unknownFunctions: readonly string[];
}

export interface TemplateFunction {
  /** The name in functions/routes.ts (and in `npm run invoke -- <name>`). */
  readonly name: string;
  readonly stack: string;
  readonly logicalId: string;
  /** Handler source, relative to the repository root. */
  readonly entry: string;
  /** The export the handler is (`handler` of `index.handler`). */
  readonly exportName: string;
  /** As in the template: strings, or CloudFormation references (names of the bucket and tables). */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export type RouteIntegration =
  | { readonly kind: 'function'; readonly function: string }
  /** A MOCK integration (CORS preflight): a fixed status and headers. */
  | { readonly kind: 'mock'; readonly statusCode: number; readonly headers: Readonly<Record<string, string>> }
  /** An integration the local service cannot run (says which). */
  | { readonly kind: 'unsupported'; readonly description: string };

export interface TemplateRoute {
  readonly method: string;
  /** The resource path with {parameters}, e.g. `/v1/users/{userId}/recommendations`. */
  readonly path: string;
  readonly apiKeyRequired: boolean;
  readonly integration: RouteIntegration;
}

export interface TemplateGatewayResponse {
  readonly type: string;
  readonly statusCode?: number;
  /** By content type. */
  readonly templates: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TemplateSchedule {
  readonly rule: string;
  /** The template's EventBridge expression (the local service runs on its own interval). */
  readonly expression: string;
  readonly function: string;
}

/** Lambda's default timeout and memory, when the template leaves them out. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

export function readServiceDefinition(templates: ServiceTemplates): ServiceDefinition {
  const functions = new Map<string, TemplateFunction>();
  /** `<stack>/<logicalId>` → function name. */
  const byLogicalId = new Map<string, string>();
  const unknownFunctions: string[] = [];
  for (const { stack, logicalId, resource } of resourcesOfType(templates, 'AWS::Lambda::Function')) {
    const metadata = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionMetadata | undefined;
    if (!metadata || typeof metadata.name !== 'string' || typeof metadata.entry !== 'string') {
      unknownFunctions.push(`${stack}/${logicalId}`);
      continue;
    }
    const props = resource.Properties ?? {};
    const handler = typeof props.Handler === 'string' ? props.Handler : 'index.handler';
    const environment = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
      string,
      unknown
    >;
    if (functions.has(metadata.name)) throw new Error(`two functions named ${metadata.name} in the templates`);
    functions.set(metadata.name, {
      name: metadata.name,
      stack,
      logicalId,
      entry: metadata.entry,
      exportName: handler.slice(handler.lastIndexOf('.') + 1),
      environment,
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : DEFAULT_TIMEOUT_SECONDS,
      memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : DEFAULT_MEMORY_MB,
    });
    byLogicalId.set(`${stack}/${logicalId}`, metadata.name);
  }

  const routes: TemplateRoute[] = [];
  for (const [stack, template] of Object.entries(templates.stacks)) {
    const resources = template.Resources ?? {};
    const paths = new Map<string, string>();
    const pathOf = (resourceId: unknown, seen: Set<string> = new Set()): string => {
      const ref = (resourceId as { Ref?: unknown } | undefined)?.Ref;
      // `{ Fn::GetAtt: [api, RootResourceId] }`: the API's root.
      if (typeof ref !== 'string') return '';
      const known = paths.get(ref);
      if (known !== undefined) return known;
      const resource = resources[ref];
      if (resource?.Type !== 'AWS::ApiGateway::Resource' || seen.has(ref)) throw new Error(`${stack}: ${ref} is not an API resource`);
      seen.add(ref);
      const path = `${pathOf(resource.Properties?.ParentId, seen)}/${String(resource.Properties?.PathPart)}`;
      paths.set(ref, path);
      return path;
    };
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Method') continue;
      const props = resource.Properties ?? {};
      routes.push({
        method: String(props.HttpMethod).toUpperCase(),
        path: pathOf(props.ResourceId) || '/',
        apiKeyRequired: props.ApiKeyRequired === true,
        integration: integrationOf(stack, logicalId, props.Integration, (id) => byLogicalId.get(`${stack}/${id}`), resources),
      });
    }
  }

  const gatewayResponses = new Map<string, TemplateGatewayResponse>();
  for (const { resource } of resourcesOfType(templates, 'AWS::ApiGateway::GatewayResponse')) {
    const props = resource.Properties ?? {};
    const type = String(props.ResponseType);
    gatewayResponses.set(type, {
      type,
      ...(props.StatusCode === undefined ? {} : { statusCode: Number(props.StatusCode) }),
      templates: (props.ResponseTemplates ?? {}) as Record<string, string>,
      headers: headerParameters(props.ResponseParameters, 'gatewayresponse.header.'),
    });
  }

  const schedules: TemplateSchedule[] = [];
  for (const { stack, logicalId, resource } of resourcesOfType(templates, 'AWS::Events::Rule')) {
    const props = resource.Properties ?? {};
    if (typeof props.ScheduleExpression !== 'string') continue;
    for (const target of (props.Targets ?? []) as { Arn?: unknown }[]) {
      const name = referencedIds(target.Arn)
        .map((id) => byLogicalId.get(`${stack}/${id}`))
        .find((found) => found !== undefined);
      if (name) schedules.push({ rule: `${stack}/${logicalId}`, expression: props.ScheduleExpression, function: name });
    }
  }
  return { functions, routes, gatewayResponses, schedules, unknownFunctions };
}

function integrationOf(
  stack: string,
  methodId: string,
  integration: unknown,
  functionName: (logicalId: string) => string | undefined,
  resources: Record<string, CfnResource>,
): RouteIntegration {
  const spec = (integration ?? {}) as {
    Type?: string;
    Uri?: unknown;
    IntegrationResponses?: { StatusCode?: string; ResponseParameters?: Record<string, unknown> }[];
  };
  if (spec.Type === 'AWS_PROXY') {
    for (const id of referencedIds(spec.Uri)) {
      const name = functionName(id);
      if (name) return { kind: 'function', function: name };
      if (resources[id]?.Type === 'AWS::Lambda::Function') {
        return { kind: 'unsupported', description: `${stack}/${id} has no marquee function metadata, so no source to run` };
      }
    }
    return { kind: 'unsupported', description: `${stack}/${methodId} integrates with no function of the template` };
  }
  if (spec.Type === 'MOCK') {
    const response = spec.IntegrationResponses?.[0];
    return {
      kind: 'mock',
      statusCode: Number(response?.StatusCode ?? 200),
      headers: headerParameters(response?.ResponseParameters, 'method.response.header.'),
    };
  }
  return { kind: 'unsupported', description: `${stack}/${methodId} has a ${spec.Type ?? 'missing'} integration` };
}

/** `{"<prefix>Name": "'value'"}` → `{Name: value}` (static values only: quoted literals). */
function headerParameters(parameters: unknown, prefix: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries((parameters ?? {}) as Record<string, unknown>)) {
    if (!key.startsWith(prefix) || typeof value !== 'string') continue;
    const literal = /^'(.*)'$/s.exec(value);
    if (literal) headers[key.slice(prefix.length)] = literal[1];
  }
  return headers;
}
