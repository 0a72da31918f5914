import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file in the data folder holding the generated key. */
export const API_KEY_FILE = 'api-key';

export interface ApiKey {
  readonly value: string;
  /** Where it came from: the variable, a key generated now, or the one stored by an earlier start. */
  readonly source: 'MARQUEE_API_KEY' | 'generated' | 'stored';
}

/**
 * The key the local API requires in x-api-key: MARQUEE_API_KEY when set, else the one stored in
 * the data folder, else a new random one (30 random bytes as 40 base64url characters, like API Gateway's
 * generated keys) stored there, readable by the owner only, for every later start.
 */
export async function resolveApiKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ApiKey> {
  const given = env.MARQUEE_API_KEY;
  if (given !== undefined && given !== '') {
    if (given.length < 20 || /\s/.test(given))
      throw new Error('MARQUEE_API_KEY must be at least 20 characters without spaces (as API Gateway keys are)');
    return { value: given, source: 'MARQUEE_API_KEY' };
  }
  const stored = await readStoredApiKey(dataDir);
  if (stored !== undefined) return { value: stored, source: 'stored' };
  const value = randomBytes(30).toString('base64url');
  await writeFile(join(dataDir, API_KEY_FILE), `${value}\n`, { mode: 0o600 });
  return { value, source: 'generated' };
}

/** The key stored in the data folder by an earlier start, or undefined when there is none. */
export async function readStoredApiKey(dataDir: string): Promise<string | undefined> {
  try {
    const stored = (await readFile(join(dataDir, API_KEY_FILE), 'utf8')).trim();
    return stored.length >= 20 ? stored : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The key as printed after the start that generated it: its first and last 4 characters (`AbCd…wXyZ`). */
export function maskApiKey(value: string): string {
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
