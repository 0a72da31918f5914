/**
 * Every function of the service and the API routes it serves: the one list the CDK stacks build
 * the API from (and, through the synthesized template, the local service's router).
 */
export interface FunctionSpec {
  /** Logical name, used in the template and by `npm run invoke -- <name>`. */
  readonly name: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** Whether it runs the ONNX model (and so needs onnxruntime-node in its bundle). */
  readonly usesOnnxRuntime: boolean;
  readonly routes: readonly RouteSpec[];
}

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path, with {parameters}. */
  readonly path: string;
  readonly apiKeyRequired: boolean;
}

const route = (method: RouteSpec['method'], path: string, apiKeyRequired = true): RouteSpec => ({ method, path, apiKeyRequired });

export const FUNCTIONS = [
  {
    name: 'Recommend',
    entry: 'functions/recommend/handler.ts',
    usesOnnxRuntime: true,
    routes: [route('GET', '/v1/users/{userId}/recommendations'), route('POST', '/v1/recommendations')],
  },
  { name: 'Similar', entry: 'functions/similar/handler.ts', usesOnnxRuntime: true, routes: [route('GET', '/v1/items/{itemId}/similar')] },
  { name: 'Rank', entry: 'functions/rank/handler.ts', usesOnnxRuntime: true, routes: [route('POST', '/v1/rank')] },
  { name: 'Popular', entry: 'functions/popular/handler.ts', usesOnnxRuntime: false, routes: [route('GET', '/v1/popular')] },
  { name: 'ModelInfo', entry: 'functions/modelInfo/handler.ts', usesOnnxRuntime: false, routes: [route('GET', '/v1/model')] },
  { name: 'ModelFiles', entry: 'functions/modelFiles/handler.ts', usesOnnxRuntime: false, routes: [route('GET', '/v1/model/files')] },
  { name: 'Health', entry: 'functions/health/handler.ts', usesOnnxRuntime: false, routes: [route('GET', '/v1/health', false)] },
  { name: 'OpenApi', entry: 'functions/openapi/handler.ts', usesOnnxRuntime: false, routes: [route('GET', '/v1/openapi.json', false)] },
  { name: 'Events', entry: 'functions/events/handler.ts', usesOnnxRuntime: false, routes: [route('POST', '/v1/events')] },
  {
    name: 'Items',
    entry: 'functions/items/handler.ts',
    usesOnnxRuntime: false,
    routes: [route('PUT', '/v1/items/{itemId}'), route('GET', '/v1/items/{itemId}'), route('POST', '/v1/items')],
  },
  { name: 'ForgetUser', entry: 'functions/forgetUser/handler.ts', usesOnnxRuntime: false, routes: [route('DELETE', '/v1/users/{userId}')] },
  {
    name: 'UserHistory',
    entry: 'functions/userHistory/handler.ts',
    usesOnnxRuntime: false,
    routes: [route('GET', '/v1/users/{userId}/history')],
  },
  { name: 'Retrain', entry: 'functions/retrain/handler.ts', usesOnnxRuntime: false, routes: [] },
] as const satisfies readonly FunctionSpec[];
