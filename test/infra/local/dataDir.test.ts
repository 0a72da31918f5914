import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApiKey } from '../../../infra/local/apiKey.ts';
import { openLocalStores } from '../../../infra/local/localStores.ts';

describe('the local data folder', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'marquee-datadir-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('is created readable by its owner only, stores included, and so is the key in it', async () => {
    const dataDir = join(parent, 'nested', '.marquee');
    const stores = await openLocalStores(dataDir);
    try {
      for (const dir of [dataDir, join(dataDir, 's3'), join(dataDir, 'dynamodb')]) expect((await stat(dir)).mode & 0o777, dir).toBe(0o700);
      await resolveApiKey(dataDir, {});
      expect((await stat(join(dataDir, 'api-key'))).mode & 0o777).toBe(0o600);
    } finally {
      await stores.close();
    }
  });
});
