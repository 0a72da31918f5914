import { createHash } from 'node:crypto';

/**
 * A viewer id as logs may carry it: `v:` and the first 12 hex digits of its SHA-256, so log lines
 * of one viewer can be correlated (and a support case found from a known id) without writing the
 * id itself. Pseudonymous, not anonymous: whoever holds a candidate id can recompute it.
 */
export function viewerRef(userId: string): string {
  return `v:${createHash('sha256').update(`marquee-viewer:${userId}`).digest('hex').slice(0, 12)}`;
}
