import { mkdir } from 'node:fs/promises';

/**
 * Creates the local data folder (and any missing parent) readable by its owner only (0700): it
 * holds the API key, viewers' histories and events. A folder that exists is left as it is.
 */
export async function makeDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
