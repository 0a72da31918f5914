import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalAws, type LocalAws } from '../../infra/local/localAws.ts';

/**
 * Starts s3rver and dynalite on free ports over a temporary folder for the enclosing suite and
 * points this process's AWS SDK variables at them. Returns a getter (the servers start in beforeAll).
 */
export function withLocalAws(): () => LocalAws {
  let local: LocalAws | undefined;
  let dir: string | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-aws-'));
    local = await startLocalAws({ dataDir: dir });
    for (const [key, value] of Object.entries(local.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    await local?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!local) throw new Error('local AWS servers are not started yet (use inside tests or hooks)');
    return local;
  };
}
