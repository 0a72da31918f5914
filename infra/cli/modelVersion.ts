import { randomBytes } from 'node:crypto';

/** A sortable, unique model version: UTC time to the second plus 4 random hex digits, e.g. 20261128T235959Z-3fa2. */
export function modelVersion(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
