import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceEnvironment } from '../../../infra/cli/serviceEnvironment.ts';
import { endpointsPath, processAlive, readEndpoints, removeEndpoints, writeEndpoints } from '../../../infra/local/endpointsFile.ts';

const env = {
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4570',
  BUCKET_NAME: 'marquee-local',
  HISTORY_TABLE_NAME: 'marquee-history',
};

describe('endpoints.json', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-endpoints-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written whole and read back, in the shape the CLI’s loadServiceEnvironment takes', async () => {
    const service = { pid: process.pid, state: 'ready' as const, url: 'http://localhost:3000', startedAt: '2025-01-01T00:00:00.000Z' };
    await writeEndpoints(dir, { env, service });
    expect(await readEndpoints(dir)).toEqual({ env, service });
    // It holds the stores' credentials: readable by the owner only.
    expect((await stat(endpointsPath(dir))).mode & 0o777).toBe(0o600);
    const target: NodeJS.ProcessEnv = {};
    expect(await loadServiceEnvironment({ dataDir: dir }, target)).toMatchObject({ bucket: 'marquee-local' });
    expect(target).toMatchObject(env);
  });

  it('is removed only by the process it names', async () => {
    await writeEndpoints(dir, { env, service: { pid: process.pid + 1_000_000, state: 'starting', startedAt: '' } });
    await removeEndpoints(dir);
    expect(await readFile(endpointsPath(dir), 'utf8')).toContain('marquee-local');
    await writeEndpoints(dir, { env, service: { pid: process.pid, state: 'starting', startedAt: '' } });
    await removeEndpoints(dir);
    expect(await readEndpoints(dir)).toBeUndefined();
  });

  it('tells a live process from a gone one', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12_345)).toBe(false);
  });
});
