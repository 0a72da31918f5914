import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../../functions/commons/awsClients.ts';
import { putEventBatch } from '../../../../functions/commons/eventLog.ts';
import { eventsBatchKey } from '../../../../functions/commons/storageLayout.ts';
import { writeTombstone } from '../../../../functions/commons/tombstones.ts';
import { UserHistoryStore } from '../../../../functions/commons/userHistoryStore.ts';
import { LOCAL_ENDPOINTS_FILE } from '../../../../infra/cli/commands/history.ts';
import { main } from '../../../../infra/cli/main.ts';
import { withLocalAws } from '../../../helpers/withLocalAws.ts';
import { clearHistoryTable, closedPort } from '../../../functions/events/localStores.ts';

/** Runs `marquee …` in-process, capturing what it writes. */
async function marquee(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('marquee history rebuild', () => {
  const local = withLocalAws();
  let dataDir: string;
  const history = () =>
    new UserHistoryStore(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName, {
      maxLength: 200,
      ttlSeconds: 3600,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-data-'));
    const now = new Date();
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    await putEventBatch(s3, local().bucketName, eventsBatchKey(now, '20260101T000000000Z-0000000000000001'), [
      { eventId: 'cli-1', userId: 'cli-user', itemId: 'film-1', type: 'watch', value: 0.5, timestamp: 10 },
      { userId: 'cli-user', itemId: 'film-2', type: 'like', timestamp: 11 },
      { userId: 'cli-gone', itemId: 'film-3', type: 'like', timestamp: 12 },
    ]);
    await writeTombstone(s3, local().bucketName, 'cli-gone', now);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await clearHistoryTable(createAwsClients({ s3ForcePathStyle: true }).dynamo, local().historyTableName);
  });

  it('restores the history of the local service recorded in the data folder', async () => {
    await writeFile(join(dataDir, LOCAL_ENDPOINTS_FILE), JSON.stringify({ env: local().env }));
    const result = await marquee('history', 'rebuild', '--data-dir', dataDir, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ users: 1, usersRestored: 1, entriesRestored: 2, tombstonedUsers: 1, usersFailed: 0 });
    expect(report.log).toMatchObject({ objects: 1, events: 2, tombstoned: 1 });
    expect((await history().get('cli-user')).map((e) => e.itemId)).toEqual(['film-1', 'film-2']);
    expect(await history().get('cli-gone')).toEqual([]);

    // The record may also be the env object itself.
    await writeFile(join(dataDir, LOCAL_ENDPOINTS_FILE), JSON.stringify(local().env));
    const again = await marquee('history', 'rebuild', '--data-dir', dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 restored (0 entries), 1 up to date');
  });

  it('acts on AWS given --bucket and --table (endpoints and credentials from the usual AWS variables)', async () => {
    const result = await marquee(
      'history',
      'rebuild',
      '--bucket',
      local().bucketName,
      '--table',
      local().historyTableName,
      '--history-length',
      '1',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ usersRestored: 1, entriesRestored: 1 });
    expect((await history().get('cli-user')).map((e) => e.itemId)).toEqual(['film-2']);
  });

  it('explains what is missing: no local service, half of the AWS flags, an unreachable service', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'marquee-empty-'));
    try {
      const none = await marquee('history', 'rebuild', '--data-dir', empty);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('endpoints.json does not exist');
      expect((await marquee('history', 'rebuild', '--bucket', 'b')).code).toBe(2);
      expect((await marquee('history', 'rebuild', '--data-dir', empty, '--history-length', '0')).code).toBe(2);
      expect((await marquee('history')).code).toBe(2);
      expect((await marquee('history', 'compact')).code).toBe(2);

      const port = await closedPort();
      const env = {
        ...local().env,
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
      };
      await writeFile(join(empty, LOCAL_ENDPOINTS_FILE), JSON.stringify({ env }));
      const down = await marquee('history', 'rebuild', '--data-dir', empty);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('is the service running?');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
