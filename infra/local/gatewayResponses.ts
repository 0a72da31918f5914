import type { TemplateGatewayResponse } from './serviceDefinition.ts';

/** API Gateway's own error responses the local API produces, with API Gateway's defaults. */
export const GATEWAY_ERRORS = {
  /** No resource or method matches (API Gateway's misleading default: 403 "Missing Authentication Token"). */
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  /**
   * No or a wrong x-api-key on a method that requires one: one type and message in API Gateway;
   * the local API tells the two apart (API_KEY_MESSAGES) through `$context.error.messageString`.
   */
  INVALID_API_KEY: { statusCode: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  /** A body over API Gateway's 10 MB payload limit. */
  REQUEST_TOO_LARGE: { statusCode: 413, message: 'Request Too Long', errorType: 'RequestTooLongException' },
  /** The function failed, timed out or answered something that is not a proxy response. */
  INTEGRATION_FAILURE: { statusCode: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
} as const;

export type GatewayErrorType = keyof typeof GATEWAY_ERRORS;

/** The local API's messages for INVALID_API_KEY, which API Gateway answers with `Forbidden` either way. */
export const API_KEY_MESSAGES = {
  missing: 'Missing API key: this route needs the x-api-key header',
  wrong: 'Invalid API key: the x-api-key header does not hold a key of this API',
} as const;

export interface RenderedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The response API Gateway sends for one of its own errors, customised as the template's
 * AWS::ApiGateway::GatewayResponse resources say: the response of the type, else the API's
 * DEFAULT_4XX / DEFAULT_5XX, else API Gateway's built-in `{"message": "…"}`. The status is the
 * customisation's when it sets one, else the error's own; templates are rendered for the
 * variables the project's templates use (`$context.error.messageString`, `$context.error.message`,
 * `$context.error.responseType`, `$context.requestId`); `message` replaces the built-in message.
 */
export function renderGatewayError(
  type: GatewayErrorType,
  responses: ReadonlyMap<string, TemplateGatewayResponse>,
  requestId: string,
  message?: string,
): RenderedResponse {
  const builtIn = { ...GATEWAY_ERRORS[type], ...(message === undefined ? {} : { message }) };
  const custom = responses.get(type) ?? responses.get(builtIn.statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const template = custom?.templates['application/json'];
  const body =
    template === undefined
      ? JSON.stringify({ message: builtIn.message })
      : template
          .replaceAll('$context.error.messageString', JSON.stringify(builtIn.message))
          .replaceAll('$context.error.message', builtIn.message)
          .replaceAll('$context.error.responseType', type)
          .replaceAll('$context.requestId', requestId);
  return {
    statusCode: custom?.statusCode ?? builtIn.statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': builtIn.errorType, ...custom?.headers },
    body,
  };
}
