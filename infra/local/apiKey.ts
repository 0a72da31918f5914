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
    if (given.length < 20 || /\s/.test(given)) throw new Error('MARQUEE_API_KEY must be at least 20 characters without spaces (as API Gateway keys are)');
    return { value: given, source: 'MARQUEE_API_KEY' };
  }
  const file = join(dataDir, API_KEY_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 20) return { value: stored, source: 'stored' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = randomBytes(30).toString('base64url');
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return { value, source: 'generated' };
}
