import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ZodError } from 'zod';
import { BadRequestError, HttpError, PayloadTooLargeError, UnsupportedMediaTypeError } from './httpErrors.ts';
import { jsonResponse } from './httpResponse.ts';
import { logger } from './observability.ts';
import { isStoreFailure, storeUnavailable } from './storeFailure.ts';

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** The parsed JSON body, kept beside the event (API Gateway's `body` stays the raw string). */
export interface JsonBodyInternal {
  jsonBody?: unknown;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * Parses a JSON request body into `request.internal.jsonBody`: 413 over `maxBytes`, 415 for a
 * non-JSON content type, 400 naming `body` for malformed JSON or a missing body when required.
 */
export function jsonBody(
  options: { maxBytes?: number; required?: boolean } = {},
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const required = options.required ?? true;
  return {
    before: async (request: Request): Promise<void> => {
      const { event } = request;
      const raw = event.body;
      if (raw === null || raw === undefined || raw === '') {
        if (required) throw new BadRequestError('a JSON request body is required', 'body');
        return;
      }
      const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new PayloadTooLargeError(maxBytes);
      const contentType = headerValue(event, 'content-type');
      if (contentType !== undefined && !/^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
        throw new UnsupportedMediaTypeError(contentType);
      }
      try {
        (request.internal as JsonBodyInternal).jsonBody = JSON.parse(text);
      } catch (error) {
        throw new BadRequestError(`the body is not valid JSON: ${(error as Error).message}`, 'body', { cause: error });
      }
    },
  };
}

/**
 * Turns every error into a JSON response `{error, message, field?}`: HttpError and zod errors
 * with their status and message; a store failure (storeFailure.ts) into 503 with Retry-After;
 * anything else, once logged here, into a generic 500.
 */
export function jsonErrors(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request: Request): Promise<void> => {
      const error = isStoreFailure(request.error) ? storeUnavailable(request.error) : request.error;
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) logger.warn('service unavailable', { error: error.message, cause: String(error.cause ?? '') });
        request.response = jsonResponse(
          error.statusCode,
          { error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
          error.headers as Record<string, string>,
        );
        return;
      }
      if (error instanceof ZodError) {
        const issue = error.issues[0];
        const field = issue ? fieldPath(issue.path) : undefined;
        request.response = jsonResponse(400, {
          error: 'invalid_request',
          message: issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid request',
          ...(field ? { field } : {}),
        });
        return;
      }
      logger.error('unhandled error', error as Error);
      request.response = jsonResponse(500, { error: 'internal_error', message: 'internal error' });
    },
  };
}

/** A zod issue path as a field name: `body.events[3].type`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out.length === 0 ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** A request header, case-insensitively. */
export function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key] ?? undefined;
  return undefined;
}

/**
 * CORS for proxy integrations (API Gateway answers only the preflight): adds
 * Access-Control-Allow-Origin to every response, errors included — `*` when CORS_ALLOW_ORIGINS
 * names `*`, the request's Origin when it is listed (with `Vary: Origin`), nothing when the
 * variable is unset or empty (CORS off, the default). Use it before jsonErrors() so it also sees
 * the error responses.
 */
export function cors(
  allowed: string = process.env.CORS_ALLOW_ORIGINS ?? '',
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const origins = allowed
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  const any = origins.includes('*');
  const addHeaders = async (request: Request): Promise<void> => {
    const response = request.response;
    if (!response || origins.length === 0) return;
    const origin = headerValue(request.event, 'origin');
    if (any) {
      response.headers = { ...response.headers, 'Access-Control-Allow-Origin': '*' };
    } else if (origin !== undefined && origins.includes(origin)) {
      response.headers = { ...response.headers, 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    }
  };
  return { after: addHeaders, onError: addHeaders };
}
