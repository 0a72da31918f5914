import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../../../infra/cli/cliUsageError.ts';
import { ENDPOINTS_FILE, loadServiceEnvironment, serviceDataDir } from '../../../infra/cli/serviceEnvironment.ts';

const LOCAL = {
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
  S3_FORCE_PATH_STYLE: 'true',
  BUCKET_NAME: 'marquee-local',
};

describe('loadServiceEnvironment', () => {
  it('loads the local service record into the environment, bare or under "env"', async () => {
    for (const record of [LOCAL, { env: LOCAL, startedAt: 'now' }]) {
      const dir = await mkdtemp(join(tmpdir(), 'marquee-env-'));
      await writeFile(join(dir, ENDPOINTS_FILE), JSON.stringify(record));
      const env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' };
      const target = await loadServiceEnvironment({ dataDir: dir }, env);
      expect(target.bucket).toBe('marquee-local');
      expect(target.where).toContain(LOCAL.AWS_ENDPOINT_URL_S3);
      expect(env).toEqual(LOCAL);
    }
  });

  it('finds the data folder through MARQUEE_DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-env-'));
    await writeFile(join(dir, ENDPOINTS_FILE), JSON.stringify(LOCAL));
    const env: NodeJS.ProcessEnv = { MARQUEE_DATA_DIR: dir };
    expect(serviceDataDir(env)).toBe(dir);
    expect((await loadServiceEnvironment({}, env)).bucket).toBe('marquee-local');
  });

  it('leaves the AWS environment as it is with --bucket', async () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'prod' };
    expect(await loadServiceEnvironment({ bucket: 'my-bucket' }, env)).toEqual({ bucket: 'my-bucket', where: 's3://my-bucket' });
    expect(env).toEqual({ AWS_PROFILE: 'prod', BUCKET_NAME: 'my-bucket' });
    await expect(loadServiceEnvironment({ bucket: 'my-bucket', dataDir: '/tmp' }, env)).rejects.toBeInstanceOf(CliUsageError);
  });

  it('says how to start the service when there is no record, and what is wrong with a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-env-'));
    await expect(loadServiceEnvironment({ dataDir: dir }, {})).rejects.toThrow(/no local service found: .*endpoints.json does not exist/);
    await writeFile(join(dir, ENDPOINTS_FILE), '{"env": {"BUCKET_NAME": "b"}}');
    await expect(loadServiceEnvironment({ dataDir: dir }, {})).rejects.toThrow(/lacks the S3 endpoint/);
    await writeFile(join(dir, ENDPOINTS_FILE), '{');
    await expect(loadServiceEnvironment({ dataDir: dir }, {})).rejects.toThrow(/is not JSON/);
  });
});
