import type { RouteSpec } from '../../functions/routes.ts';

/**
 * Metadata the stacks write on template resources, so that tools reading the synthesized template
 * (the local service's router, `npm run invoke`) find each function and route by name without
 * resolving CloudFormation references.
 */

/** On each AWS::Lambda::Function: which entry of functions/routes.ts it is. */
export const FUNCTION_METADATA_KEY = 'marquee:function';

export interface FunctionMetadata {
  /** The name in functions/routes.ts. */
  readonly name: string;
  /** Handler module relative to the repository root. */
  readonly entry: string;
  readonly usesOnnxRuntime: boolean;
}

/** On each AWS::ApiGateway::Method built from a route (not on CORS preflight OPTIONS methods). */
export const ROUTE_METADATA_KEY = 'marquee:route';

export interface RouteMetadata extends RouteSpec {
  /** The name of the function serving it. */
  readonly function: string;
}
