import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { API_OPERATIONS } from '../../functions/openapi/apiOperations.ts';
import { openApiDocument } from '../../functions/openapi/openApiDocument.ts';
import { errorResponseSchema } from '../../functions/openapi/responseSchemas.ts';
import { FUNCTIONS } from '../../functions/routes.ts';

type Responses = Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;

const DOCUMENT_ID = 'marquee-openapi.json';
let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * The JSON Schema validator of a response of `route` with `status`, from the served document
 * itself (its components and operations), not from the zod schemas it was generated from.
 */
function documentValidator(route: string, status: number): ValidateFunction {
  const key = `${route} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    if (!ajv) {
      // OpenAPI keywords (`example`) and formats (`uuid`) are not JSON Schema's business here.
      ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
      ajv.addSchema(openApiDocument(), DOCUMENT_ID);
    }
    const spec = FUNCTIONS.flatMap((fn) => fn.routes).find((candidate) => `${candidate.method} ${candidate.path}` === route)!;
    const pointer = `/paths/${spec.path.replaceAll('~', '~0').replaceAll('/', '~1')}/${spec.method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
    const responses = (openApiDocument().paths[spec.path][spec.method.toLowerCase()] as { responses: Responses }).responses;
    expect(responses[String(status)]?.content?.['application/json'], `the document describes ${key}`).toBeDefined();
    validate = ajv.getSchema(`${DOCUMENT_ID}#${pointer}`)!;
    validators.set(key, validate);
  }
  return validate;
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/**
 * Asserts that a response of `route` (`"GET /v1/popular"`) is what the API description says:
 * valid for the document's JSON Schema of that status, and for the zod schema it came from (the
 * route's response schema, or the error shape for a 4xx or 503); `Retry-After` with a 503.
 */
export function expectMatchesApi(route: string, response: ApiResponse): void {
  const operation = API_OPERATIONS[route];
  expect(operation, `${route} is described`).toBeDefined();
  const { statusCode, body } = response;
  const validate = documentValidator(route, statusCode);
  validate(body);
  expect(validate.errors ?? [], `${route} ${statusCode} against the document`).toEqual([]);
  if (statusCode === operation.success.status || statusCode === operation.success.also) {
    const parsed = operation.success.schema.safeParse(body);
    expect(parsed.error?.issues ?? [], `${route} ${statusCode}`).toEqual([]);
    return;
  }
  expect(statusCode === 503 || (statusCode >= 400 && statusCode < 500), `${route} answered ${statusCode}`).toBe(true);
  const parsed = errorResponseSchema.safeParse(body);
  expect(parsed.error?.issues ?? [], `${route} ${statusCode}`).toEqual([]);
  if (statusCode === 503) {
    const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    expect(String(headers['retry-after'])).toMatch(/^\d+$/);
  }
}
