import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY_FILE, resolveApiKey } from '../../../infra/local/apiKey.ts';

describe('resolveApiKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a key once, stores it readable by the owner only, and gives the same one afterwards', async () => {
    const first = await resolveApiKey(dir, {});
    expect(first.source).toBe('generated');
    expect(first.value).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect((await readFile(join(dir, API_KEY_FILE), 'utf8')).trim()).toBe(first.value);
    expect((await stat(join(dir, API_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await resolveApiKey(dir, {})).toEqual({ value: first.value, source: 'stored' });
  });

  it('takes MARQUEE_API_KEY when set, without storing it', async () => {
    const value = 'a-key-chosen-by-the-user-0123456789';
    expect(await resolveApiKey(dir, { MARQUEE_API_KEY: value })).toEqual({ value, source: 'MARQUEE_API_KEY' });
    await expect(readFile(join(dir, API_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a MARQUEE_API_KEY too short to be a key', async () => {
    await expect(resolveApiKey(dir, { MARQUEE_API_KEY: 'short' })).rejects.toThrow(/at least 20/);
  });
});
