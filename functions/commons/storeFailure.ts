import { ServiceUnavailableError } from './httpErrors.ts';

/** Retry-After of a store failure no handler answered itself. */
const RETRY_AFTER_SECONDS = 2;

/** Node's codes for a connection that failed or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Whether `error` came from a store: an AWS SDK service error (it carries `$metadata`), an SDK
 * timeout or abort, or a broken connection. Such a failure is the service's, not the client's.
 */
export function isStoreFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const value = error as { $metadata?: unknown; name?: unknown; code?: unknown };
  if (value.$metadata !== undefined) return true;
  if (value.name === 'TimeoutError') return true;
  return typeof value.code === 'string' && NETWORK_CODES.has(value.code);
}

/**
 * The 503 (with Retry-After) a store failure gets when it escapes a handler: whatever store call
 * failed, the client learns the service is briefly unavailable, never a 500.
 */
export function storeUnavailable(error: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('a data store is unavailable; retry the request', RETRY_AFTER_SECONDS, { cause: error });
}
