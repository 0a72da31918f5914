import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApiKey } from '../../../../infra/local/apiKey.ts';
import { marquee } from '../marqueeProcess.ts';

describe('marquee key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-key-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says there is no key before the first start, then prints the stored one alone on a line', async () => {
    const none = await marquee({ MARQUEE_API_KEY: '' }, 'key', '--data-dir', dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('holds no API key yet');
    const { value } = await resolveApiKey(dir, {});
    expect(await marquee({ MARQUEE_API_KEY: '' }, 'key', '--data-dir', dir)).toMatchObject({ code: 0, stdout: `${value}\n` });
  });

  it('prints MARQUEE_API_KEY when it is set, as the service uses it', async () => {
    const chosen = 'a-key-chosen-by-the-user-0123456789';
    expect(await marquee({ MARQUEE_API_KEY: chosen }, 'key', '--data-dir', dir)).toMatchObject({ code: 0, stdout: `${chosen}\n` });
  });
});
