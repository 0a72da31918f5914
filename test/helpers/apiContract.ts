import { expect } from 'vitest';
import { API_OPERATIONS } from '../../functions/openapi/apiOperations.ts';
import { errorResponseSchema } from '../../functions/openapi/responseSchemas.ts';

export interface ApiResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/**
 * Asserts that a response of `route` (`"GET /v1/popular"`) is what the API description says:
 * the route's response schema for its success status, the error shape for a 4xx or 503, and
 * `Retry-After` with a 503.
 */
export function expectMatchesApi(route: string, response: ApiResponse): void {
  const operation = API_OPERATIONS[route];
  expect(operation, `${route} is described`).toBeDefined();
  const { statusCode, body } = response;
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
