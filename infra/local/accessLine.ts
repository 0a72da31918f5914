import type { AccessLogEntry } from './localApi.ts';

/** One access-log line; the route's template path, never the request's (which may name a viewer). */
export function accessLine(entry: AccessLogEntry): string {
  return `${entry.method} ${entry.resource ?? '(no route)'} ${entry.statusCode} ${entry.ms.toFixed(1)} ms${entry.function ? ` ${entry.function}` : ''}`;
}
