/**
 * Errors a handler answers with a 4xx or 503: their message is for the client. Anything else that
 * escapes a handler becomes a generic 500 without internals.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  /** Short machine-readable code, e.g. `invalid_request`. */
  readonly code: string;
  /** The request field at fault, as a path (`body.events[3].type`, `query.count`). */
  readonly field?: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options?: ErrorOptions & { field?: string; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.field = options?.field;
    this.headers = options?.headers ?? {};
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, field?: string, options?: ErrorOptions) {
    super(400, 'invalid_request', message, { ...options, field });
    this.name = 'BadRequestError';
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string, field?: string) {
    super(404, 'not_found', message, { field });
    this.name = 'NotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed on ${path}`, { headers: { Allow: allowed.join(', ') } });
    this.name = 'MethodNotAllowedError';
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`, { field: 'body' });
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string) {
    super(415, 'unsupported_media_type', `expected application/json, got ${contentType}`, { field: 'headers.content-type' });
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The service cannot answer now (no model loaded, a store down); the client may retry. */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(503, 'service_unavailable', message, { ...options, headers: { 'Retry-After': String(retryAfterSeconds) } });
    this.name = 'ServiceUnavailableError';
  }
}
